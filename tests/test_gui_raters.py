"""Study > Raters through the real window (a lead adds a coder, sets a role, hands out a coder
copy; a refusal is shown), the tools a coder does not see, and a coder copy that opens straight
into coding as its rater. Keys and clicks on widgets found by their text; asserts on the store."""

from __future__ import annotations

import sqlite3

import pytest
from gui_helpers import CTRL, button, choose_menu, click, plain, wait_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QTableWidget
from test_gui_failures import close_with_enter, failure_dialog

from rupture_coder.gui import dialogs
from rupture_coder.gui.app import ask_identity, open_main_window
from rupture_coder.gui.main_window import MainWindow
from rupture_coder.resources import samples_dir
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.imports import plan_import, run_import
from rupture_coder.services.project import AddRater
from rupture_coder.store.db import open_project
from rupture_coder.study.handout import hand_out

K = Qt.Key
LEAD_TOOLS = {
    "Study": ["Reconcile this session…", "Supervisor review…", "Calibration and drift…",
              "Merge rater packages…", "Export tidy tables (XLSX)…",
              "Export tidy tables (CSV)…", "Session report (DOCX)…",
              "Study report (DOCX)…", "Raters…"],
    "Analysis": ["Inter-rater agreement…"],
}  # fmt: skip


@pytest.fixture
def lab(tmp_path):
    """A lead's project: Lena (lead), Cody (coder) and one imported session."""
    path = tmp_path / "lab.rcproj"
    project = open_project(path)
    service = ProjectService(project, "lena")
    ids = {
        n: service.run(AddRater(n, r)).result.id for n, r in (("Lena", "lead"), ("Cody", "coder"))
    }
    run_import(service, plan_import(project, [samples_dir() / "individual-session-07.txt"]))
    project.close()
    return path, ids


def show(qtbot, window):
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def menu_items(window, title: str) -> dict[str, bool]:
    """The items of a menu: their text and whether a person sees them."""
    top = next(a for a in window.menuBar().actions() if plain(a.text()) == title)
    return {plain(a.text()): a.isVisible() for a in top.menu().actions() if not a.isSeparator()}


def roles(window) -> dict[str, str]:
    return {r.name: r.role for r in queries.raters(window.project)}


def click_row(qtbot, table: QTableWidget, name: str) -> None:
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == name)
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: table.currentRow() == row)


def test_a_lead_adds_a_rater_sets_a_role_and_hands_out_a_copy(qtbot, lab, tmp_path, monkeypatch):
    path, ids = lab
    window = show(qtbot, MainWindow(open_project(path), "lena", rater_id=ids["Lena"]))
    assert all(menu_items(window, m)[t] for m, items in LEAD_TOOLS.items() for t in items)
    choose_menu(qtbot, window, "Study", "Raters")
    dialog = wait_window(qtbot, "ratersDialog")
    # add Dana as a supervisor: type the name, End in the role box (the last role), Add
    qtbot.waitUntil(dialog.new_name.hasFocus)
    qtbot.keyClicks(dialog.new_name, "Dana")
    dialog.new_role.setFocus()
    qtbot.keyClick(dialog.new_role, K.Key_End)
    assert dialog.new_role.currentText() == "supervisor"
    click(qtbot, button(dialog, "Add rater"))
    qtbot.waitUntil(lambda: roles(window).get("Dana") == "supervisor")
    assert dialog.new_name.text() == ""
    # a name already taken is refused and shown; nothing is added
    qtbot.keyClicks(dialog.new_name, "cody")
    qtbot.keyClick(dialog.new_name, K.Key_Return)
    refusal = failure_dialog(qtbot)
    assert "already a rater 'Cody'" in refusal.text()
    close_with_enter(qtbot, refusal)
    assert sorted(roles(window)) == ["Cody", "Dana", "Lena"]
    # Dana becomes a coder: her row, Home in the role box (the first role), Set role
    click_row(qtbot, dialog.table, "Dana")
    dialog.role_box.setFocus()
    qtbot.keyClick(dialog.role_box, K.Key_Home)
    click(qtbot, button(dialog, "Set role"))
    qtbot.waitUntil(lambda: roles(window)["Dana"] == "coder")
    # the only lead cannot be demoted
    click_row(qtbot, dialog.table, "Lena")
    dialog.role_box.setFocus()
    qtbot.keyClick(dialog.role_box, K.Key_Home)
    click(qtbot, button(dialog, "Set role"))
    refusal = failure_dialog(qtbot)
    assert "only lead" in refusal.text()
    close_with_enter(qtbot, refusal)
    assert roles(window)["Lena"] == "lead"
    # Dana's coder copy, where the person saves it
    out = tmp_path / "dana.rcproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    click_row(qtbot, dialog.table, "Dana")
    click(qtbot, button(dialog, "Hand out a coder copy…"))
    qtbot.waitUntil(out.exists)
    con = sqlite3.connect(out)
    assert con.execute("SELECT name, role FROM raters").fetchall() == [("Dana", "coder")]
    con.close()
    click(qtbot, button(dialog, "Close"))
    qtbot.waitUntil(lambda: not dialog.isVisible())
    # each change was one command on the undo stack: the key issued for Dana's copy (undoing it
    # would revoke the copy), then her role change (Dana back to a supervisor)
    qtbot.waitUntil(lambda: "signing key" in window.undo_action.text())
    qtbot.keyClick(window, K.Key_Z, CTRL)
    qtbot.waitUntil(lambda: "make Dana a coder" in window.undo_action.text())
    qtbot.keyClick(window, K.Key_Z, CTRL)
    qtbot.waitUntil(lambda: roles(window)["Dana"] == "supervisor")


def test_a_coder_in_the_leads_project_sees_no_lead_tools(qtbot, lab):
    path, ids = lab
    window = show(qtbot, MainWindow(open_project(path), "cody", rater_id=ids["Cody"]))
    for menu, items in LEAD_TOOLS.items():
        shown = menu_items(window, menu)
        assert not any(shown[t] for t in items), shown
    assert menu_items(window, "Study")["Export my rater package…"]
    assert [window.rater_box.itemText(i) for i in range(window.rater_box.count())] == ["Cody"]


def test_a_coder_copy_opens_straight_into_coding_as_its_rater(qtbot, lab, monkeypatch):
    path, ids = lab
    lead = open_project(path)
    made = hand_out(ProjectService(lead, "lena"), "Cody", path.with_name("cody.rcproj"))
    lead.close()
    copy = open_project(made.path)

    def no_question(*_a):
        raise AssertionError("a coder copy asks nobody who codes")

    monkeypatch.setattr(dialogs.IdentityDialog, "exec", no_question)
    assert ask_identity(copy) == ids["Cody"]  # what run_gui asks before the window opens
    copy.close()
    window = show(qtbot, open_main_window(made.path))
    assert window.rater_box.count() == 1 and window.rater_box.currentText() == "Cody"
    assert not window.rater_box.isEnabled() and "blind" in window.blind_label.text()
    for menu, items in LEAD_TOOLS.items():
        shown = menu_items(window, menu)
        assert not any(shown[t] for t in items), shown
    file_menu = menu_items(window, "File")
    assert not file_menu["Code as…"] and not file_menu["Project settings…"]
    assert file_menu["Save a copy…"]
    assert not any(
        menu_items(window, "Session")[t] for t in ("Re-cut segments…", "Delete this session…")
    )
    # straight into coding: the session is shown and the keyboard codes as Cody
    (session,) = queries.list_sessions(window.project)
    qtbot.waitUntil(lambda: window.state.session_id == session.id)
    view = window.view
    rect = view.visualRect(view.model().index(1, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, K.Key_2)
    qtbot.waitUntil(
        lambda: (
            [c.item_id for c in queries.codes(window.project, session.id, ids["Cody"])] == ["W2"]
        )
    )


def test_file_save_a_copy_keeps_what_is_still_in_the_wal(qtbot, lab, tmp_path, monkeypatch):
    path, ids = lab
    window = show(qtbot, MainWindow(open_project(path), "lena", rater_id=ids["Lena"]))
    window.service.run(AddRater("Added just now"))  # committed, still in the -wal file
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    out = tmp_path / "copy.rcproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    choose_menu(qtbot, window, "File", "Save a copy")
    qtbot.waitUntil(out.exists)
    con = sqlite3.connect(out)
    names = {n for (n,) in con.execute("SELECT name FROM raters")}
    con.close()
    assert names == {"Lena", "Cody", "Added just now"}
    assert not out.with_name(out.name + "-wal").exists()
    assert "saved a copy" in window.statusBar().currentMessage()
