"""Media sessions in the workspace: real QtMultimedia playback objects on a real WAV file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_importers import make_wav, write

from rupture_coder.gui.app import open_main_window
from rupture_coder.services import ProjectService
from rupture_coder.services.imports import plan_media_import, run_import
from rupture_coder.services.project import AddRater, SetSetting
from rupture_coder.store.db import open_project

SRT = "1\n00:00:01,000 --> 00:00:05,000\nT: Hello.\n\n2\n00:01:05,000 --> 00:01:09,000\nP: Hi.\n"


def media_project(tmp_path, with_transcript: bool):
    wav = make_wav(tmp_path / "session.wav", 130)
    path = tmp_path / "media.rcproj"
    project = open_project(path)
    svc = ProjectService(project, "test")
    srt = write(tmp_path / "t.srt", SRT) if with_transcript else None
    run_import(svc, plan_media_import(project, wav, transcript=srt, offset_s=10))
    rater = svc.run(AddRater("Ann")).result.id
    if not with_transcript:
        svc.run(SetSetting("coding.reaction_offset_s", 1.5))
    project.close()
    return path, rater


def open_media_window(qtbot, tmp_path, with_transcript: bool):
    path, rater = media_project(tmp_path, with_transcript)
    window = open_main_window(path, rater_id=rater)
    qtbot.addWidget(window)
    window.show()
    ready = lambda: window.media is not None and window.media.player.duration() > 0  # noqa: E731
    qtbot.waitUntil(ready, timeout=10000)
    return window


def test_transcript_follows_the_playhead_and_rows_seek(qtbot, tmp_path):
    window = open_media_window(qtbot, tmp_path, with_transcript=True)
    assert window.media_holder.isVisible() and abs(window.media.player.duration() - 130_000) < 50
    window.media.seek(80)  # media clock: the client's "Hi." starts at 65 + 10 s
    qtbot.waitUntil(lambda: window.view.current_row() == 1)
    window.view.doubleClicked.emit(window.model.index(0, 3))
    qtbot.waitUntil(lambda: abs(window.media.position() - 11.0) < 0.05)
    window.media.step_speed(1)
    assert window.media.player.playbackRate() == 1.25


def test_a_media_session_is_coded_by_time_with_the_reaction_offset(qtbot, tmp_path):
    window = open_media_window(qtbot, tmp_path, with_transcript=False)
    assert window.model.rowCount() == 0
    window.media.seek(42)
    qtbot.waitUntil(lambda: abs(window.media.position() - 42) < 0.05)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # W2 at the playhead, minus the 1.5 s reaction time
    qtbot.waitUntil(lambda: len(window.state.codes) == 1)
    code = window.state.codes[0]
    assert code.item_id == "W2" and abs(code.start_s - 40.5) < 0.05 and code.first_position is None


def test_a_media_session_codes_start_stop_spans(qtbot, tmp_path):
    """As in BORIS state events and ELAN annotations: Ctrl+B, then an item's key starts the span
    at the playhead and the same key ends it; media-only segments follow the playhead too."""
    window = open_media_window(qtbot, tmp_path, with_transcript=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus)
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.spans_action.isChecked()
    window.media.seek(20)
    qtbot.waitUntil(lambda: abs(window.media.position() - 20) < 0.05)
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # W2 starts (18.5 s with the reaction offset)
    assert "started" in window.statusBar().currentMessage() and window.state.codes == []
    window.media.seek(35)
    qtbot.waitUntil(lambda: abs(window.media.position() - 35) < 0.05)
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # and ends at 33.5 s
    qtbot.waitUntil(lambda: len(window.state.codes) == 1)
    code = window.state.codes[0]
    assert abs(code.start_s - 18.5) < 0.05 and abs(code.end_s - 33.5) < 0.05
    assert "00:00:18–00:00:33" in window.codes_panel.item(0).text()
    qtbot.keyClick(window.view, Qt.Key.Key_3)  # W3 starts; Escape cancels it
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    qtbot.keyClick(window.view, Qt.Key.Key_3)  # starts again: nothing stored until it ends
    assert len(window.state.codes) == 1
    window.media.seek(100)
    qtbot.waitUntil(lambda: abs(window.media.position() - 100) < 0.05)
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # back to instants
    qtbot.keyClick(window.view, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: len(window.state.codes) == 2)
    instant = next(c for c in window.state.codes if c.item_id == "W4")
    assert instant.end_s is None and abs(instant.start_s - 98.5) < 0.05
