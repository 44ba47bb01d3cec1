"""The 1.1.0 codebooks in the coding workspace, driven from the keyboard: N/A refused once a rupture
is coded, and group items offered only at the levels they may be coded at."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from score_sessions import GRP11, IND11, register, timed_session
from test_gui_coding import CTRL, SHIFT, choose_session, open_as_new_coder

from rupture_coder.resources import default_codebook_path
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.project import RegisterCodebook
from rupture_coder.store.db import open_project


@pytest.fixture
def project_1_1(tmp_path):
    path = tmp_path / "lab.rcproj"
    project = open_project(path)
    svc = ProjectService(project, "setup")
    for kind in ("individual", "group"):
        p = default_codebook_path(kind)
        svc.run(RegisterCodebook(p.read_text(encoding="utf-8"), p.name))
    register(svc, IND11, GRP11)
    timed_session(svc, "Individual 1.1", n=10, step=60, codebook=IND11)
    timed_session(svc, "Group 1.1", n=18, step=30, codebook=GRP11)
    project.close()
    return path


def test_session_resolution_na_is_refused_once_a_rupture_is_coded(qtbot, project_1_1):
    window, rater = open_as_new_coder(qtbot, project_1_1)
    choose_session(window, "Individual 1.1")
    qtbot.waitUntil(window.view.hasFocus)
    qtbot.keyClick(window.view, Qt.Key.Key_Down)
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # W2 Minimal response
    qtbot.waitUntil(lambda: [c.item_id for c in window.model.codes_at(1)] == ["W2"])
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL | SHIFT)  # session ratings
    row = window.session_form.rows["session_resolution"]
    qtbot.waitUntil(row.hasFocus)
    qtbot.keyClick(row, Qt.Key.Key_0)  # N/A
    message = window.statusBar().currentMessage()
    assert "N/A means that no rupture occurred" in message and "W2 in segment 1" in message
    assert not row.buttons["N/A"].isChecked()
    assert queries.ratings(window.project, window.state.session_id, rater.id) == ({}, {})
    qtbot.keyClick(row, Qt.Key.Key_4)  # a value is accepted
    qtbot.waitUntil(lambda: row.buttons[4].isChecked())
    window.summary_dock.raise_()
    qtbot.waitUntil(
        lambda: "0 of 1" in window.summary.toPlainText()  # W2, no strategy yet
    )
    assert "Rupture episodes: 1" in window.summary.toPlainText()


def test_c1_is_offered_only_toward_the_therapist(qtbot, project_1_1):
    window, _rater = open_as_new_coder(qtbot, project_1_1)
    choose_session(window, "Group 1.1")
    window.view.select_rows(1)  # Ann speaks
    seen = {}

    def answer(dialog):
        seen["levels"] = [dialog.levels.item(i).text() for i in range(dialog.levels.count())]
        return QDialog.DialogCode.Accepted

    window.coding.group_dialog = answer
    qtbot.keyClick(window.view, Qt.Key.Key_Q)  # C1 Complaints about the therapist
    qtbot.waitUntil(lambda: len(window.model.codes_at(1)) == 1)
    assert seen["levels"] == ["member to therapist"]
    code = window.model.codes_at(1)[0]
    assert (code.item_id, code.actor, code.target, code.level) == (
        "C1",
        "Ann",
        "Leader",
        "member-therapist",
    )
    qtbot.keyClick(window.view, Qt.Key.Key_W)  # C2 may go toward anyone
    assert seen["levels"] == ["member to therapist", "member to member", "member to group"]


def test_a_long_rating_label_wraps_whole_in_a_narrow_ratings_dock(qtbot, project_1_1):
    """ "Therapist contribution to ruptures" wraps onto two lines in the default dock and both lines
    are shown (the row used to keep one line's height and cut the label at top and bottom)."""
    from PySide6.QtWidgets import QLabel

    window, _rater = open_as_new_coder(qtbot, project_1_1)
    choose_session(window, "Individual 1.1")
    labels = [
        w for w in window.findChildren(QLabel) if w.text() == "Therapist contribution to ruptures"
    ]
    assert labels, "the session rating's label is on screen"
    label = labels[0]
    label.parentWidget().setFixedWidth(400)  # as narrow as the dock opens on a laptop screen
    qtbot.waitUntil(lambda: label.width() < 200)
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()) > 0)
    assert label.heightForWidth(label.width()) > label.fontMetrics().height() * 1.5  # two lines
