"""A coder's whole job through the real window: first start (who is coding?), coding and
extending a code from the keyboard, every rating, Ctrl+Return's list of what is missing with a jump
to each entry, and the session completed. Keys and clicks only; asserts on what was stored."""

from __future__ import annotations

import getpass

from PySide6.QtCore import Qt
from tours import CTRL, SHIFT, Tour, texts

from rupture_coder.gui.app import ask_identity
from rupture_coder.gui.main_window import MainWindow
from rupture_coder.resources import samples_dir
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.imports import plan_import, run_import
from rupture_coder.services.project import AddRater
from rupture_coder.store.db import open_project

K = Qt.Key


def prepared_by_the_lead(tmp_path):
    """The project a lead hands over: one session and the lead; the coder is not in it yet."""
    path = tmp_path / "study.rcproj"
    project = open_project(path)
    service = ProjectService(project, "lead")
    service.run(AddRater("Lena", "lead"))
    run_import(service, plan_import(project, [samples_dir() / "individual-session-07.txt"]))
    project.close()
    return path


def test_a_coder_from_first_start_to_a_completed_session(qtbot, tmp_path):
    t = Tour(qtbot, "coder")
    project = open_project(prepared_by_the_lead(tmp_path))

    # 1. first start: the app asks who is coding; the name field takes the keyboard at Tab
    def who(dialog):
        t.step("who-is-coding")
        assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["Lena (lead)"]
        t.press(dialog.list, K.Key_Tab)
        t.focus(dialog.new_name)
        t.type_into_focus("Cody")
        t.press(dialog.new_name, K.Key_Return)

    t.answer_next_dialog(who)
    rater_id = ask_identity(project)  # what run_gui does before the window opens
    cody = next(r for r in queries.raters(project) if r.name == "Cody")
    assert rater_id == cody.id and cody.role == "coder"
    window = MainWindow(project, getpass.getuser(), rater_id=rater_id)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.rater_box.currentText() == "Cody"
    (session,) = queries.list_sessions(project)
    assert "0 of 1 complete" in window.session_list.progress.text()
    t.step("workspace")

    # 2. a click on the second utterance, W2 by its key, extended over the third with Ctrl+M
    view = window.view
    rect = view.visualRect(view.model().index(1, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    t.focus(view)
    t.press(view, K.Key_2)
    qtbot.waitUntil(lambda: window.codes_panel.count() == 1)  # "Codes here" shows it
    t.press(view, K.Key_Down, modifier=SHIFT)
    t.press(view, K.Key_M, modifier=CTRL)

    def stored_codes():
        return [(c.item_id, c.first_position, c.last_position)
                for c in queries.codes(project, session.id, cody.id)]  # fmt: skip

    qtbot.waitUntil(lambda: stored_codes() == [("W2", 1, 2)])
    t.step("coded-W2-over-two-utterances")

    # 3. Ctrl+R: the segment's ratings from the keyboard (a digit rates, Tab moves on)
    t.press(view, K.Key_R, modifier=CTRL)
    form = window.segment_form
    t.focus(form.rows["withdrawal_impact"])
    for key in (K.Key_4, K.Key_Tab, K.Key_1, K.Key_Tab, K.Key_3):
        t.press(QApplicationFocus(), key)
    t.step("segment-1-rated")
    t.press(QApplicationFocus(), K.Key_Escape)
    t.focus(view)
    seg = queries.segments(project, session.id)
    ratings, _session_ratings = queries.ratings(project, session.id, cody.id)
    assert ratings[(seg[0].id, "withdrawal_impact")] == (4, False)
    assert ratings[(seg[0].id, "confrontation_impact")] == (1, False)
    assert ratings[(seg[0].id, "segment_resolution")] == (3, False)

    # 4. Ctrl+Return is refused with a list of what is missing; Enter jumps to each entry
    jumps = 0
    while True:
        t.press(view, K.Key_Return, modifier=CTRL)
        if queries.session_status(project, cody.id)[session.id] == "complete":
            break
        dialog = t.window("missingDialog")
        entries = texts(dialog.list)
        if jumps == 0:
            assert entries[0] == "segment 2: Withdrawal impact", entries
            assert "session: Session resolution" in entries
            assert not any(e.startswith("segment 1:") for e in entries)
            said = window.statusBar().currentMessage()
            assert said == f"not complete yet: {len(entries)} required ratings missing (listed)"
            t.step("what-is-missing")
        t.focus(dialog.list)
        t.press(dialog.list, K.Key_Return)  # the first entry: the keyboard lands on that rating
        qtbot.waitUntil(lambda d=dialog: not d.isVisible())
        qtbot.waitUntil(
            lambda: (
                QApplicationFocus() is not None
                and QApplicationFocus().objectName().startswith("rating_")
            )
        )
        focused = QApplicationFocus()
        t.press(focused, K.Key_3)
        if jumps == 0:
            assert "Segment 2 of" in form.title.text()
            t.step("jumped-to-segment-2")
        t.press(QApplicationFocus(), K.Key_Escape)
        t.focus(view)
        jumps += 1
        assert jumps < 20, "the list of what is missing never emptied"

    # 5. stored: complete, every rating given, and the list counts it
    assert queries.session_status(project, cody.id)[session.id] == "complete"
    seg_ratings, session_ratings = queries.ratings(project, session.id, cody.id)
    assert len(seg_ratings) == 3 * len(seg) and len(session_ratings) == 4
    qtbot.waitUntil(lambda: "1 of 1 complete" in window.session_list.progress.text())
    assert jumps == 3 * (len(seg) - 1) + 4  # every missing rating was reached from the list
    t.step("session-complete")


def QApplicationFocus():  # noqa: N802 - reads like the Qt call it wraps
    from PySide6.QtWidgets import QApplication

    return QApplication.focusWidget()
