"""A supervisor's whole job through the real window: choosing who they are, the review list of
flagged moments (labels, whole lines), a comment signed with their rater name, marked reviewed,
a jump to the moment in the transcript, and Undo followed by the review list. Keys and clicks
only; asserts on what was stored."""

from __future__ import annotations

import getpass

from gui_helpers import by_name
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from test_tour_lead import coders_packages
from tours import CTRL, Tour, texts

from rupture_coder.gui.app import ask_identity
from rupture_coder.gui.main_window import MainWindow
from rupture_coder.resources import samples_dir
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import FlagCode
from rupture_coder.services.imports import plan_import, run_import
from rupture_coder.services.project import AddRater
from rupture_coder.services.review import comments_for_session
from rupture_coder.store.db import open_project
from rupture_coder.study.packages import merge_packages

K = Qt.Key


def lab_project(tmp_path):
    """The lead's project after the merge: Ann's C5 flagged for review ("C5 or C3?"), and a
    supervisor, Sam, among the raters."""
    path = tmp_path / "study.rcproj"
    project = open_project(path)
    service = ProjectService(project, "Lena")
    service.run(AddRater("Lena", "lead"))
    run_import(service, plan_import(project, [samples_dir() / "individual-session-07.txt"]))
    project.close()
    packages = coders_packages(path, tmp_path)
    project = open_project(path)
    service = ProjectService(project, "Lena")
    merge_packages(service, packages)
    service.run(AddRater("Sam", "supervisor"))
    (session,) = queries.list_sessions(project)
    ann = next(r for r in queries.raters(project) if r.name == "Ann")
    c5 = next(c for c in queries.codes(project, session.id, ann.id) if c.item_id == "C5")
    service.run(FlagCode(c5.id, True, "C5 or C3?"))
    return project, session, c5


def test_a_supervisor_reviews_comments_and_jumps(qtbot, tmp_path):
    t = Tour(qtbot, "supervisor")
    project, session, c5 = lab_project(tmp_path)

    # 1. who is this? Sam picks his name from the list with the arrow keys
    def who(dialog):
        names = texts(dialog.list)
        assert "Sam (supervisor)" in names, names
        t.focus(dialog.list)
        while dialog.list.currentItem().text() != "Sam (supervisor)":
            t.press(dialog.list, K.Key_Down)
        t.step("who-is-reviewing")
        t.press(dialog.list, K.Key_Return)

    t.answer_next_dialog(who)
    sam_id = ask_identity(project)
    assert next(r for r in queries.raters(project) if r.id == sam_id).name == "Sam"
    window = MainWindow(project, getpass.getuser(), rater_id=sam_id)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    # 2. Study > Supervisor review…: the flagged moment, read whole, with its label
    t.menu(window, "Study", "Supervisor review")
    review = t.window("reviewDialog")
    lines = texts(review.list)
    assert len(lines) == 1, lines
    assert "C5 " in lines[0] and "flagged: C5 or C3?" in lines[0] and "Ann" in lines[0]
    assert "confrontation" not in lines[0].split("\n")[0]  # labels, not raw ids
    t.step("flagged-moments")

    # 3. a comment, typed and added: signed with the rater's name, not the OS user
    t.click_item(review.list, "C5 ")
    box = by_name(review, "comment", QLineEdit)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    t.focus(box)
    t.type_into_focus("C5 it is: doubt about progress")
    t.click(review, "Add comment")
    qtbot.waitUntil(lambda: review.comments.count() == 1)
    (stored,) = comments_for_session(project, session.id)
    assert (stored.author, stored.text, stored.status, stored.code_id) == (
        "Sam",
        "C5 it is: doubt about progress",
        "open",
        c5.id,
    )
    assert review.comments.item(0).text().startswith("[open] Sam:")
    t.step("commented")

    # 4. marked reviewed; the list line says so
    t.click_item(review.list, "C5 ")
    t.click(review, "Mark reviewed / open")
    qtbot.waitUntil(lambda: "[reviewed]" in review.list.item(0).text())
    assert comments_for_session(project, session.id)[0].status == "reviewed"

    # 5. the jump: the main window shows the session with the flagged utterance selected
    t.click_item(review.list, "C5 ")
    t.click(review, "Go to the moment")
    qtbot.waitUntil(lambda: window.view.current_row() == c5.first_position)
    assert window.state.session_id == session.id
    t.step("jumped-to-the-moment")

    # 6. Undo in the main window (twice: reviewed, then the comment): the review list follows
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    t.press(window, K.Key_Z, modifier=CTRL)
    qtbot.waitUntil(lambda: "[open]" in review.list.item(0).text())
    t.press(window, K.Key_Z, modifier=CTRL)
    qtbot.waitUntil(lambda: "[open]" not in review.list.item(0).text())
    assert comments_for_session(project, session.id) == []
    review.close()
