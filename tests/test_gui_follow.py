"""Every open window follows every change, made anywhere in the app, undo included."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from test_consensus import merged  # noqa: F401  (fixture)
from test_gui_study import lead_window
from test_packages import study  # noqa: F401  (fixture)

from rupture_coder.services import queries
from rupture_coder.services.notices import TOPIC_OF_TABLE, Notice, Topic
from rupture_coder.services.project import SetSetting
from rupture_coder.store.models import Base

CTRL = Qt.KeyboardModifier.ControlModifier


def open_from_menu(qtbot, window, menu_title: str, text: str) -> QDialog:
    """Trigger the menu entry a person would click, and return the window it opened."""
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == menu_title)
    action = next(a for a in menu.actions() if a.text().replace("&", "") == text)
    before = set(window.findChildren(QDialog))
    action.trigger()
    opened = [d for d in window.findChildren(QDialog) if d not in before and d.isVisible()]
    assert len(opened) == 1, f"{text} opened {opened}"
    return opened[0]


def test_every_table_has_a_change_topic():
    tables = {t.name for t in Base.metadata.sorted_tables} - {"audit_log", "alembic_version"}
    assert tables <= set(TOPIC_OF_TABLE), tables - set(TOPIC_OF_TABLE)


def test_a_session_scoped_notice_is_heard_by_that_session_only():
    n = Notice()
    n.topics, n.session_ids = {Topic.CODES}, {"s1"}
    assert n.touches_session("s1", Topic.CODES) and not n.touches_session("s2", Topic.CODES)
    n.topics.add(Topic.SETTINGS)  # settings concern every session
    assert n.touches_session("s2", Topic.CODES, Topic.SETTINGS)
    assert not n.touches_session("s1", Topic.COMMENTS)


def test_review_list_follows_a_flag_made_in_the_workspace_and_its_undo(qtbot, merged):  # noqa: F811
    window, session, ids = lead_window(qtbot, merged)
    review = open_from_menu(qtbot, window, "&Study", "Supervisor review…")
    assert review.list.count() == 0
    window.rater_box.setCurrentIndex(window.rater_box.findText("Ann"))  # a lead may look
    c5 = next(c for c in queries.codes(window.project, session.id, ids["Ann"]) if c.item_id == "C5")
    window.view.select_rows(c5.first_position)
    window.codes_panel.show_codes(window.model.codes_at(c5.first_position), window.state.codebook)
    window.ask_text = lambda *a, **k: ("C5 or C3?", True)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_G, CTRL)  # flag for review
    qtbot.waitUntil(lambda: review.list.count() == 1)
    assert "flagged: C5 or C3?" in review.list.item(0).text()
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)  # undo the flag in the workspace
    qtbot.waitUntil(lambda: review.list.count() == 0)


def test_calibration_and_reconcile_windows_follow_changes_made_elsewhere(qtbot, merged):  # noqa: F811
    window, session, ids = lead_window(qtbot, merged)
    calibration = open_from_menu(qtbot, window, "&Study", "Calibration and drift…")
    reconcile = open_from_menu(qtbot, window, "&Study", "Reconcile this session…")
    assert "ICC(2,1) ≥ 0.70" in calibration.status.text()
    before = reconcile.unit_list.count()
    window.service.run(SetSetting("calibration.criterion", 0.8))  # e.g. from another window
    qtbot.waitUntil(lambda: "ICC(2,1) ≥ 0.80" in calibration.status.text())
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: "ICC(2,1) ≥ 0.70" in calibration.status.text())
    # Ann deletes her C5 in the workspace: one disagreement less to reconcile
    window.rater_box.setCurrentIndex(window.rater_box.findText("Ann"))
    c5 = next(c for c in queries.codes(window.project, session.id, ids["Ann"]) if c.item_id == "C5")
    window.view.select_rows(c5.first_position)
    window.codes_panel.show_codes(window.model.codes_at(c5.first_position), window.state.codebook)
    window.codes_panel.setFocus()
    qtbot.waitUntil(window.codes_panel.hasFocus)
    qtbot.keyClick(window.codes_panel, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: reconcile.unit_list.count() != before)
