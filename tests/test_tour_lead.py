"""A lead's whole job through the real window: an empty project, the session imported, two
coders' packages merged, every kind of reconcile decision for both raters (closed with Escape),
calibration against a gold coder, agreement, tidy tables and both DOCX reports. Menus by their
accelerators, buttons by their text; asserts on what was stored and written."""

from __future__ import annotations

import getpass

import docx
from coder_copies import coder_copy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select
from tours import Tour, pick_files

from rupture_coder.gui.app import ask_identity
from rupture_coder.gui.main_window import MainWindow
from rupture_coder.resources import samples_dir
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import AddCode, CodeSpec, SetRating
from rupture_coder.services.consensus import decisions
from rupture_coder.store.db import open_project
from rupture_coder.store.models import GoldSession
from rupture_coder.study.packages import export_package

K = Qt.Key
SAMPLE = samples_dir() / "individual-session-07.txt"


def coders_packages(lead_path, tmp_path) -> list:
    """Ann and Bob code the coder copies the lead handed them, on their own machines (their tour is the
    coder's) and send their packages: W2 by both, C5/R4 by Ann only, C3/R5 by Bob only."""
    packages = []
    work = {
        "Ann": (["W2", "C5", "R4"], {"withdrawal_impact": 4, "segment_resolution": 3}, (2, 4, 1)),
        "Bob": (["W2", "C3", "R5"], {"withdrawal_impact": 3, "segment_resolution": 2}, (2, 3, 1)),
    }
    for name, (items, first_segment, confrontation) in work.items():
        rater_id = coder_copy(lead_path, name, tmp_path / f"{name}.rcproj")
        copy = open_project(tmp_path / f"{name}.rcproj")
        svc = ProjectService(copy, name)
        rater = next(r for r in queries.raters(copy) if r.id == rater_id)
        (session,) = queries.list_sessions(copy)
        codebook = session.codebook  # the one the session was imported with
        rows = queries.transcript(copy, session.id)
        for pos, item in zip((1, 17, 24), items, strict=True):
            svc.run(AddCode(session.id, rater.id, codebook, CodeSpec(item, rows[pos].id)))
        segs = queries.segments(copy, session.id)
        for rating, value in first_segment.items():
            svc.run(SetRating(rater.id, codebook, rating, value, segment_id=segs[0].id))
        for seg, value in zip(segs, confrontation, strict=True):
            svc.run(SetRating(rater.id, codebook, "confrontation_impact", value, segment_id=seg.id))
        out = tmp_path / f"{name}.rcpkg"
        export_package(copy, rater.id, out)
        copy.close()
        packages.append(out)
    return packages


def docx_text(path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_lead_from_an_empty_project_to_the_reports(qtbot, tmp_path, monkeypatch):
    t = Tour(qtbot, "lead")
    lead_path = tmp_path / "lab" / "study.rcproj"
    lead_path.parent.mkdir()
    project = open_project(lead_path)

    # 1. an empty project: its maker types a name and is its lead
    def who(dialog):
        t.step("new-project-who")
        t.focus(dialog.new_name)
        t.type_into_focus("Lena")
        t.press(dialog.new_name, K.Key_Return)

    t.answer_next_dialog(who)
    lena_id = ask_identity(project)
    assert [(r.name, r.role) for r in queries.raters(project)] == [("Lena", "lead")]
    window = MainWindow(project, getpass.getuser(), rater_id=lena_id)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert "No sessions yet" in window.header.text()
    t.step("empty-project")

    # 2. import the session: Ctrl+I, Add files…, Import
    pick_files(monkeypatch, SAMPLE)
    t.press(window, K.Key_I, modifier=Qt.KeyboardModifier.ControlModifier)
    dialog = t.window("importDialog")
    t.click(dialog, "Add files…")
    qtbot.waitUntil(lambda: dialog.plan is not None and dialog.import_button.isEnabled())
    t.step("import-planned")
    t.click(dialog, "Import")
    qtbot.waitUntil(lambda: len(queries.list_sessions(window.project)) == 1)
    (session,) = queries.list_sessions(window.project)
    qtbot.waitUntil(lambda: window.state.session_id == session.id)
    t.step("imported")

    # 3. merge the coders' packages (Study > Merge rater packages…)
    packages = coders_packages(lead_path, tmp_path)
    pick_files(monkeypatch, *packages)
    t.menu(window, "Study", "Merge rater packages")
    qtbot.waitUntil(
        lambda: "merged 2 package(s)" in window.statusBar().currentMessage(), timeout=10000
    )
    ids = {r.name: r.id for r in queries.raters(window.project)}
    assert {"Ann", "Bob"} <= set(ids)
    assert sorted(c.item_id for c in queries.codes(window.project, session.id, ids["Bob"])) == [
        "C3",
        "R5",
        "W2",
    ]
    t.step("merged")

    # 4. reconcile: every decision kind, for both raters, then Escape
    t.menu(window, "Study", "Reconcile this session")
    rec = t.window("reconcileDialog")
    t.step("reconcile-open")
    t.click(rec, "Accept every agreement")  # W2: both coded it
    t.click_item(rec.unit_list, "R5 ")  # Bob's only
    t.click(rec, "Keep Bob")
    t.click_item(rec.unit_list, "C5 ")  # Ann's only
    t.click(rec, "Keep Ann")
    t.click_item(rec.unit_list, "C3 ")  # Bob's only: the lead says it is not there
    t.click(rec, "Absent")
    t.click_item(rec.unit_list, "R4 ")  # Ann's only: the lead puts it on another utterance
    t.step("reconcile-side-by-side")
    cell = rec.extract.visualItemRect(rec.extract.item(0, 2))
    qtbot.mouseClick(rec.extract.viewport(), Qt.MouseButton.LeftButton, pos=cell.center())
    qtbot.waitUntil(lambda: rec.extract.currentRow() == 0)
    t.click(rec, "New code on the selected utterance")
    t.click_item(rec.unit_list, "Withdrawal impact")  # Ann 4, Bob 3
    t.click(rec, "Keep Bob")
    t.click_item(rec.unit_list, "Resolution in segment")  # Ann 3, Bob 2: neither, N/A
    t.click(rec, "N/A")
    t.click_item(rec.unit_list, "segment 2: Confrontation impact")  # Ann 4, Bob 3: a value
    t.click(rec, "5")
    t.step("reconcile-decided")
    stored = decisions(window.project, session.id).values()
    made = {(d.unit_kind, d.key): d for d in stored if d.decision != "agreed"}
    assert {d.key for d in stored if d.decision == "agreed"} >= {"W2"}
    assert (made[("presence", "R5")].decision, made[("presence", "R5")].chosen_rater_id) == (
        "kept",
        ids["Bob"],
    )  # the rater whose button was pressed, not the first one
    assert made[("presence", "C5")].chosen_rater_id == ids["Ann"]
    assert made[("segment-rating", "withdrawal_impact")].chosen_rater_id == ids["Bob"]
    assert made[("presence", "C3")].decision == "absent"
    assert made[("presence", "R4")].decision == "present"
    assert made[("segment-rating", "segment_resolution")].decision == "value"
    assert made[("segment-rating", "confrontation_impact")].decision == "value"
    consensus = next(r for r in queries.raters(window.project) if r.role == "consensus")
    assert sorted(c.item_id for c in queries.codes(window.project, session.id, consensus.id)) == [
        "C5",
        "R4",
        "R5",
        "W2",
    ]
    segs = queries.segments(window.project, session.id)
    agreed, _ = queries.ratings(window.project, session.id, consensus.id)
    assert agreed[(segs[0].id, "withdrawal_impact")] == (3, False)  # Bob's, as pressed
    assert agreed[(segs[0].id, "segment_resolution")] == (None, True)  # N/A, as pressed
    assert agreed[(segs[1].id, "confrontation_impact")] == (5, False)  # the value clicked
    rec.activateWindow()
    qtbot.waitUntil(rec.isActiveWindow)
    t.press(rec.unit_list, K.Key_Escape)
    qtbot.waitUntil(lambda: not rec.isVisible())
    qtbot.waitUntil(window.view.hasFocus)  # the keyboard is back in the transcript

    # 5. calibration: Ann's coding of this session is the gold standard; Bob is scored
    t.menu(window, "Study", "Calibration and drift")
    cal = t.window("calibrationDialog")
    combo = cal.gold_rater
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(combo.view().isVisible)
    qtbot.keyClicks(combo.view(), "Ann")
    qtbot.keyClick(combo.view(), K.Key_Return)
    qtbot.waitUntil(lambda: combo.currentText() == "Ann")
    t.click(cal, "Mark the current session as gold, coded by")
    qtbot.waitUntil(lambda: cal.table.rowCount() == 1)
    assert cal.table.item(0, 0).text() == "Bob"
    # Bob never agrees with Ann on C3, C5, R4 or R5 over the 3 segments: each kappa is 0 (one
    # of them coded it in one segment, the other in none), below the presence criterion 0.60
    verdict = cal.table.item(0, cal.table.columnCount() - 1).text()
    assert verdict == (
        "not met: C3 kappa 0.00 < 0.60; C5 kappa 0.00 < 0.60; R4 kappa 0.00 < 0.60; "
        "R5 kappa 0.00 < 0.60"
    ), verdict
    with window.project.read() as db:
        gold = [(g.session_id, g.rater_id) for g in db.scalars(select(GoldSession))]
    assert gold == [(session.id, ids["Ann"])]
    t.step("calibration")
    cal.activateWindow()
    qtbot.waitUntil(cal.isActiveWindow)
    t.press(cal, K.Key_Escape)
    qtbot.waitUntil(lambda: not cal.isVisible())

    # 6. agreement (Analysis > Inter-rater agreement…): W2 agreed on, the others not
    t.menu(window, "Analysis", "Inter-rater agreement")
    dash = t.window("agreementDashboard")
    qtbot.waitUntil(lambda: not dash.busy() and dash.status.text() != "Computing…", timeout=10000)
    rows = {dash.table.item(r, 0).text(): r for r in range(dash.table.rowCount())}
    w2 = next(r for label, r in rows.items() if label.startswith("W2 "))
    checked = [dash.rater_list.item(i) for i in range(dash.rater_list.count())]
    assert [i.text() for i in checked if i.checkState() == Qt.CheckState.Checked] == ["Ann", "Bob"]
    assert (
        dash.table.item(w2, 3).text().startswith("1.00")
    )  # Cohen's kappa of Ann and Bob  # both coded W2 in segment 1
    t.step("agreement")
    dash.close()

    # 7. tidy tables, the session report and the study report, each to a file picked
    out = tmp_path / "out"
    out.mkdir()
    pick_files(monkeypatch, out)
    t.menu(window, "Study", "Export tidy tables (XLSX)")
    qtbot.waitUntil(lambda: "wrote" in window.statusBar().currentMessage(), timeout=10000)
    xlsx = {"segments.xlsx", "events.xlsx", "summaries.xlsx"}
    assert {p.name for p in out.iterdir()} == xlsx
    window.statusBar().clearMessage()
    t.menu(window, "Study", "Export tidy tables (CSV)")  # the same folder, the other format
    qtbot.waitUntil(lambda: "wrote" in window.statusBar().currentMessage(), timeout=10000)
    assert {p.name for p in out.iterdir()} == xlsx | {"segments.csv", "events.csv", "summaries.csv"}
    assert "segment" in (out / "segments.csv").read_text(encoding="utf-8").splitlines()[0]
    report = tmp_path / "session.docx"
    pick_files(monkeypatch, report)
    t.menu(window, "Study", "Session report (DOCX)")
    qtbot.waitUntil(report.exists, timeout=10000)
    text = docx_text(report)
    assert "Ann" in text and "Bob" in text and session.title in text
    study = tmp_path / "study.docx"
    pick_files(monkeypatch, study)
    t.menu(window, "Study", "Study report (DOCX)")
    qtbot.waitUntil(study.exists, timeout=10000)
    text = docx_text(study)
    assert "2 raters who coded" in text and "Calibration" in text and "Bob" in text
    t.step("reports-written")
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "failureDialog" and w.isVisible()]  # fmt: skip
