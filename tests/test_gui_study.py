"""The lead's and supervisor's dialogs, with real widgets, on two merged coders."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_consensus import merged  # noqa: F401  (fixture)
from test_packages import study  # noqa: F401  (fixture)

from rupture_coder.gui.main_window import MainWindow
from rupture_coder.services import queries
from rupture_coder.services.coding import FlagCode, SetRating
from rupture_coder.services.consensus import progress
from rupture_coder.services.project import AddRater


def lead_window(qtbot, merged):  # noqa: F811
    lead, svc, session, ids, _tmp = merged
    me = svc.run(AddRater("Lead", "lead")).result
    window = MainWindow(lead, "lead", rater_id=me.id)
    qtbot.addWidget(window)
    window.show()
    return window, session, ids


def test_coders_cannot_open_the_lead_tools(qtbot, merged):  # noqa: F811
    lead, _svc, _session, ids, _tmp = merged
    window = MainWindow(lead, "ann", rater_id=ids["Ann"])
    qtbot.addWidget(window)
    assert not window.reconcile_action.isEnabled() and not window.review_action.isEnabled()
    assert "blind" in window.reconcile_action.toolTip()


def test_reconcile_dialog_side_by_side_next_and_decide(qtbot, merged):  # noqa: F811
    window, session, ids = lead_window(qtbot, merged)
    assert (
        window.reconcile_action.isEnabled() and window.rater_box.isEnabled()
    )  # a lead may look at everyone
    dialog = window.open_reconcile()
    assert dialog.unit_list.count() == 5 and "0 of 5" in dialog.progress_label.text()
    assert (
        dialog.extract.horizontalHeaderItem(3).text() == "Ann"
        and dialog.extract.horizontalHeaderItem(5).text() == "consensus"
    )
    highlighted = [
        r
        for r in range(dialog.extract.rowCount())
        if dialog.extract.item(r, 0).background().color().name() == "#fde2c8"
    ]
    assert highlighted, "rows where the raters' codes differ are highlighted"
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_N)  # next undecided disagreement
    assert dialog.unit_list.currentRow() == 1
    dialog.unit_list.setCurrentRow(0)
    dialog.accept_agreements()
    for _ in range(dialog.unit_list.count()):
        unit = dialog.current_unit()
        dialog.note.setText("settled in the meeting")
        if unit.kind == "presence":
            assert dialog.decide(
                "kept", chosen=ids["Ann"]
            )  # and the dialog moves to the next open one
        else:
            assert dialog.decide("value", value=4)
    assert "5 of 5" in dialog.progress_label.text()
    assert progress(window.project, session.id, [ids["Ann"], ids["Bob"]]) == (5, 5)
    consensus = next(r for r in queries.raters(window.project) if r.role == "consensus")
    assert sorted(c.item_id for c in queries.codes(window.project, session.id, consensus.id)) == [
        "C5",
        "R4",
        "W2",
    ]
    # a new consensus code on an utterance chosen in the side-by-side table
    dialog.unit_list.setCurrentRow(
        next(i for i, u in enumerate(dialog.shown_units) if u.key == "C3")
    )
    dialog.extract.setCurrentCell(5, 2)
    assert dialog.decide("present")
    assert "C3" in [c.item_id for c in queries.codes(window.project, session.id, consensus.id)]


def test_review_dialog_lists_comments_and_jumps(qtbot, merged):  # noqa: F811
    window, session, ids = lead_window(qtbot, merged)
    c5 = next(c for c in queries.codes(window.project, session.id, ids["Ann"]) if c.item_id == "C5")
    window.service.run(FlagCode(c5.id, True, "C5 or C3?"))
    dialog = window.open_review()
    assert dialog.list.count() == 1 and "flagged: C5 or C3?" in dialog.list.item(0).text()
    dialog.comment_text.setText("C5 it is: doubt about progress")
    dialog.add_comment()
    assert dialog.comments.count() == 1 and dialog.comments.item(0).text().startswith(
        "[open] Lead:"  # signed by the rater, not the OS user
    )
    dialog.toggle_status()
    assert "[reviewed]" in dialog.list.item(0).text()
    dialog.open_current()
    assert window.view.current_row() == c5.first_position
    dialog.impact.setValue(4)
    assert any(
        "Withdrawal impact 4" in dialog.list.item(i).text() for i in range(dialog.list.count())
    )


def test_calibration_dialog_scores_and_drift(qtbot, merged):  # noqa: F811
    window, session, ids = lead_window(qtbot, merged)
    segs = queries.segments(window.project, session.id)
    for rater, values in (
        (ids["Ann"], (2, 4, 1)),
        (ids["Bob"], (2, 3, 1)),
    ):  # enough shared ratings for an ICC
        for seg, value in zip(segs, values, strict=True):
            window.service.run(
                SetRating(
                    rater,
                    ("3rs-individual", "1.0.0"),
                    "confrontation_impact",
                    value,
                    segment_id=seg.id,
                )
            )
    dialog = window.open_calibration()
    assert dialog.table.rowCount() == 0
    dialog.gold_rater.setCurrentIndex(dialog.gold_rater.findText("Ann"))
    dialog.mark_gold()
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == ["Bob"]
    assert (
        dialog.table.item(0, 6).text().startswith(("met", "not met: "))
        and len(dialog.plot.getPlotItem().listDataItems()) == 1
    )


def test_a_closed_dialog_is_gone_and_follows_nothing(qtbot, merged):  # noqa: F811
    """Reconcile, review and calibration follow every change while open; closed, each used to
    live on (one more per opening) and refresh after every key press behind the window."""
    from gui_helpers import choose_menu
    from PySide6.QtWidgets import QApplication, QDialog

    window, _session, _ids = lead_window(qtbot, merged)
    for item in ("Reconcile this session", "Supervisor review", "Calibration and drift"):
        before = {id(w) for w in window.findChildren(QDialog)}
        choose_menu(qtbot, window, "Study", item)
        qtbot.waitUntil(lambda b=before: any(id(w) not in b for w in window.findChildren(QDialog)))
        (dialog,) = [w for w in window.findChildren(QDialog) if id(w) not in before]
        qtbot.waitUntil(dialog.isVisible)
        gone: list[bool] = []
        dialog.destroyed.connect(lambda *_, g=gone: g.append(True))
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda g=gone: g == [True])
        QApplication.processEvents()
    assert window.findChildren(QDialog) == [] or all(
        not w.isVisible() for w in window.findChildren(QDialog)
    )
