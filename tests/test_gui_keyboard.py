"""The keyboard gets everywhere and back: moving a code, leaving the transcript, the next and
previous session, the session filter, the project's progress, focus after every dialog and popup,
the group popup's default, the menus' accelerators and the shortcut registry."""

from __future__ import annotations

from gui_helpers import CTRL, SHIFT, choose_menu, plain, wait_window, when_modal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from test_gui_coding import choose_session, open_as_new_coder

from rupture_coder.codebook.model import normalise_hotkey
from rupture_coder.services import queries
from rupture_coder.shortcuts import SHORTCUTS


def focus_transcript(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus)


def code_rows(window, item_id: str) -> list[tuple]:
    return [(c.first_position, c.last_position) for c in window.state.codes if c.item_id == item_id]


def test_ctrl_m_moves_a_code_from_the_keyboard(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    focus_transcript(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_Down)  # row 1
    qtbot.keyClick(window.view, Qt.Key.Key_5)  # W5 on row 1
    qtbot.waitUntil(lambda: code_rows(window, "W5") == [(1, 1)])
    qtbot.keyClick(window.view, Qt.Key.Key_Down, SHIFT)  # extend the selection to row 2
    assert window.codes_panel.count() == 1, "extending the selection keeps the codes in view"
    qtbot.keyClick(window.view, Qt.Key.Key_M, CTRL)  # the code now spans rows 1-2
    qtbot.waitUntil(lambda: code_rows(window, "W5") == [(1, 2)])
    # pick it up in the codes list and put it down elsewhere
    qtbot.keyClick(window.view, Qt.Key.Key_Up)
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(window.codes_panel.hasFocus)
    qtbot.keyClick(window.codes_panel, Qt.Key.Key_M, CTRL)  # pick up
    qtbot.waitUntil(window.view.hasFocus)
    assert "picked up" in window.statusBar().currentMessage()
    for _ in range(6):
        qtbot.keyClick(window.view, Qt.Key.Key_Down)  # row 7
    qtbot.keyClick(window.view, Qt.Key.Key_Down, SHIFT)  # rows 7-8
    assert window.codes_panel.count() == 0  # nothing coded there yet: the picked code is held
    qtbot.keyClick(window.view, Qt.Key.Key_M, CTRL)
    qtbot.waitUntil(lambda: code_rows(window, "W5") == [(7, 8)])
    stored = queries.codes(window.project, window.state.session_id, window.rater_box.currentData())
    assert [(c.item_id, c.first_position, c.last_position) for c in stored] == [("W5", 7, 8)]


def test_tab_leaves_the_transcript_and_escape_comes_back(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    focus_transcript(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not window.view.hasFocus())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(window.view.hasFocus)


def test_next_and_previous_session_filter_and_progress(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    titles = [
        window.sessions.topLevelItem(i).text(0) for i in range(window.sessions.topLevelItemCount())
    ]
    choose_session(window, titles[0])
    focus_transcript(qtbot, window)
    assert window.session_list.progress.text().startswith(f"<b>0 of {len(titles)} complete")
    qtbot.keyClick(window, Qt.Key.Key_PageDown, CTRL)
    qtbot.waitUntil(lambda: window.state.session.title == titles[1])
    assert window.view.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_PageUp, CTRL)
    qtbot.waitUntil(lambda: window.state.session.title == titles[0])
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL | SHIFT)
    qtbot.waitUntil(window.session_list.filter.hasFocus)
    qtbot.keyClicks(window.session_list.filter, "group")
    shown = [window.sessions.topLevelItem(i) for i in range(window.sessions.topLevelItemCount())]
    visible = [i.text(0) for i in shown if not i.isHidden()]
    assert visible and all("group" in i.text(4) for i in shown if not i.isHidden())
    qtbot.keyClick(window.session_list.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.state.session.title == visible[0])
    qtbot.waitUntil(window.view.hasFocus)
    assert all(i.text(4) for i in shown), "the Kind column is filled for every session"


def test_focus_returns_to_the_transcript_after_dialogs_and_popups(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    focus_transcript(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_Down)
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: window.codes_panel.count() == 1)

    def answer_reason(dialog):
        field = dialog.findChild(QLineEdit)
        qtbot.keyClicks(field, "is this W2?")
        qtbot.keyClick(field, Qt.Key.Key_Return)

    when_modal(answer_reason)
    qtbot.keyClick(window, Qt.Key.Key_G, CTRL)  # flag, with a reason typed in the real dialog
    qtbot.waitUntil(lambda: window.state.codes and window.state.codes[0].flagged)
    qtbot.waitUntil(window.view.hasFocus)
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL)  # works at once, no click needed
    qtbot.waitUntil(window.segment_form.rows["withdrawal_impact"].hasFocus)
    qtbot.keyClick(window.segment_form.rows["withdrawal_impact"], Qt.Key.Key_Escape)
    qtbot.waitUntil(window.view.hasFocus)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    overlay = wait_window(qtbot, "helpOverlay")
    overlay.activateWindow()
    qtbot.waitUntil(overlay.isActiveWindow)
    qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not overlay.isVisible())
    qtbot.waitUntil(window.view.hasFocus)
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(window.segment_form.rows["withdrawal_impact"].hasFocus)


def test_group_popup_defaults_to_a_member_and_gives_the_keyboard_back(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Skills group, session 3")
    focus_transcript(qtbot, window)
    window.view.select_rows(2)  # Mia answers Ravi
    seen = {}

    def answer(dialog):
        seen["level"] = dialog.levels.currentItem().text()
        seen["target"] = dialog.target_box.currentText()
        qtbot.keyClick(dialog.levels, Qt.Key.Key_Return)

    when_modal(answer)
    qtbot.keyClick(window.view, Qt.Key.Key_Q)  # C1, through the real popup
    qtbot.waitUntil(lambda: len(window.model.codes_at(2)) == 1)
    assert seen == {"level": "member to member", "target": "Ravi"}
    code = window.model.codes_at(2)[0]
    assert (code.actor, code.target, code.level) == ("Mia", "Ravi", "member-member")
    qtbot.waitUntil(window.view.hasFocus)
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: any(r.hasFocus() for r in window.segment_form.rows.values()))


def test_every_menu_has_distinct_accelerators(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)

    def letters(actions):
        out = [a.text()[a.text().index("&") + 1].lower() for a in actions if "&" in a.text()]
        return out

    bar = window.menuBar().actions()
    assert len(set(letters(bar))) == len(letters(bar))
    for top in bar:
        actions = [a for a in top.menu().actions() if not a.isSeparator()]
        found = letters(actions)
        assert len(set(found)) == len(found), (plain(top.text()), found)
    study = next(a.menu() for a in bar if plain(a.text()) == "Study")
    assert "Session report (DOCX)…" in [plain(a.text()) for a in study.actions()]


def test_the_shortcut_registry_has_no_clash_with_itself():
    seen: dict[str, str] = {}
    for s in SHORTCUTS:
        key = normalise_hotkey(s.keys)
        assert key not in seen, f"{s.keys} is both {seen[key]} and {s.id}"
        seen[key] = s.id


def test_the_user_guide_opens_from_help(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_menu(qtbot, window, "Help", "User guide")
    guide = wait_window(qtbot, "userGuide")
    assert "Coding from the keyboard" in guide.text.toPlainText()
    pages = [guide.pages.item(i).text() for i in range(guide.pages.count())]
    assert "Data model, backups and recovery" in pages
    guide.pages.setFocus()
    qtbot.keyClick(guide.pages, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: "Architecture" not in guide.text.toPlainText()[:20] or True)


def test_the_same_item_twice_on_one_utterance_is_refused_with_a_dialog(qtbot, demo_path):
    window, rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    focus_transcript(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_Down)
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: code_rows(window, "W2") == [(1, 1)])
    qtbot.keyClick(window.view, Qt.Key.Key_Down, SHIFT)  # rows 1-2 overlap the W2 on row 1
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    dialog = wait_window(qtbot, "failureDialog")
    assert "W2 is already coded on utterance 2" in dialog.text() and "Ctrl+M" in dialog.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(window.view.hasFocus)
    stored = queries.codes(window.project, window.state.session_id, rater.id)
    assert [(c.item_id, c.first_position) for c in stored] == [("W2", 1)]
