"""The workspace at size: a bounded warning list, and codes updated in place that always show what a
full reload would show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from helpers import IND, make_session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from rupture_coder.errors import CommandError
from rupture_coder.gui.main_window import MainWindow
from rupture_coder.gui.timeline import LANES
from rupture_coder.gui.workspace_state import SessionState
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import AddCode, CodeSpec, DeleteCode, FlagCode, UpdateCode
from rupture_coder.services.project import AddRater, RegisterCodebook
from rupture_coder.services.recorder import bulk_insert
from rupture_coder.store.db import open_project
from rupture_coder.store.models import CodeEvent, new_id, utcnow


@dataclass
class ManyCodes:
    """Test set-up: many codes in one command (bulk insert, audited like any)."""

    rows: list[dict]
    command_name: ClassVar[str] = "add many codes"

    def describe(self) -> str:
        return f"add {len(self.rows)} codes"

    def apply(self, db) -> None:
        bulk_insert(db, CodeEvent, self.rows)


def code_row(session_id, rater_id, item, utterance_id) -> dict:
    now = utcnow()
    return {"id": new_id(), "session_id": session_id, "rater_id": rater_id, "codebook_id": IND[0],
            "codebook_version": IND[1], "item_id": item, "segment_id": None, "first_utterance_id": utterance_id,
            "last_utterance_id": None, "start_s": None, "end_s": None, "count": 1, "value": None,
            "actor_id": None, "target_id": None, "level": None, "note": "", "flagged": False,
            "flag_reason": "", "created_at": now, "updated_at": now}  # fmt: skip


def project_with(tmp_path, n_utt: int):
    project = open_project(tmp_path / "scale.rcproj")
    svc = ProjectService(project, "tester")
    from rupture_coder.resources import default_codebook_path

    svc.run(RegisterCodebook(default_codebook_path().read_text(encoding="utf-8"), "cb"))
    rater = svc.run(AddRater("Coder")).result
    session, utterances, segments, _people = make_session(svc, n=n_utt, step=10.0)
    return project, svc, rater, session, utterances, segments


def test_thousands_of_warnings_stay_in_a_bounded_list_with_a_count(qtbot, tmp_path):
    project, svc, rater, session, utts, segments = project_with(tmp_path, 600)
    resolution = [f"R{i}" for i in range(1, 11)]  # strategies, and never a rupture before them
    rows = [code_row(session.id, rater.id, item, u.id) for u in utts for item in resolution[:5]]
    svc.run(ManyCodes(rows))  # 3,000 codes, a warning on each
    window = MainWindow(project, "tester", rater_id=rater.id)
    qtbot.addWidget(window)
    window.resize(1360, 860)
    window.show()
    qtbot.waitExposed(window)
    panel = window.warnings
    qtbot.waitUntil(lambda: panel.count() == 3000)  # computed on a worker, listed when ready
    assert panel.isVisible()
    assert panel.count_label.text().startswith("<b>⚠ 3,000 consistency warnings</b>")
    assert panel.view.height() <= panel.view.maximumHeight() < 250  # bounded, whatever the count
    assert window.height() <= 1000  # the window keeps its size (it used to grow with every line)
    rows_shown = panel.view.viewport().height() / panel.view.sizeHintForRow(0)
    assert rows_shown >= 3.5, rows_shown  # enough to read, and a scroll bar with a track to drag
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    panel.view.setFocus()
    QTest.keyClick(panel.view, Qt.Key.Key_PageDown)
    assert panel.view.currentIndex().row() >= 3  # a page, not one row
    panel.view.scrollToBottom()  # and every warning can be reached
    last = panel.model.index(2999, 0)
    qtbot.waitUntil(lambda: panel.view.viewport().rect().intersects(panel.view.visualRect(last)))
    assert "no rupture coded before it" in panel.model.data(last)
    # double-clicking a warning shows its segment in the transcript
    target = next(r for r in range(3000) if panel.model.warning(r).startswith("R1 in segment 3"))
    panel.view.scrollTo(panel.model.index(target, 0))
    rect = panel.view.visualRect(panel.model.index(target, 0))
    QTest.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    first_of_segment_3 = segments[2].first_position
    qtbot.waitUntil(lambda: window.view.current_row() == first_of_segment_3)
    # a rupture coded on the first utterance (by its key) answers every strategy: the later ones and,
    # markers first at one moment (docs/ratings.md section 1), the five on that utterance too
    window.view.select_rows(0)
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus)
    QTest.keyClick(window.view, Qt.Key.Key_1)  # W1
    qtbot.waitUntil(lambda: "W1" in [c.item_id for c in window.model.codes_at(0)])
    qtbot.waitUntil(lambda: panel.count() == 0, timeout=5000)  # the slower views follow
    assert not panel.isVisible()


def full_view(project, session_id, rater_id):
    """What a window opened afresh shows: every code by transcript position, and the warnings."""
    state = SessionState()
    state.load(project, session_id)
    state.load_codes(project, rater_id)
    by_position = queries.codes_by_position(state.codes)
    ticks = state.timeline_data()[0]
    return (
        {p: sorted(c.id for c in cs) for p, cs in by_position.items() if cs},
        [c.id for c in state.codes],
        queries.warnings(project, session_id, rater_id),
        {lane: sorted(ticks.get(lane, ())) for lane in LANES},
    )


def shown_view(qtbot, window):
    model = window.model
    by_row = {
        model.utterance(r).position: sorted(c.id for c in model.codes_at(r))
        for r in range(model.rowCount())
        if model.codes_at(r)
    }
    window._refresh_slow_views()
    qtbot.waitUntil(window.slow_views_current)  # the warnings are computed on a worker
    plotted = {lane: window.timeline.ticks[lane].getData()[0] for lane in LANES}
    drawn = {  # the timeline's ticks as plotted: a line (two points) per code
        lane: [] if xs is None else sorted(xs[::2].tolist()) for lane, xs in plotted.items()
    }
    return by_row, [c.id for c in window.state.codes], list(window.state.warnings), drawn


ITEMS = ["W1", "W2", "C1", "C3", "R1", "R4"]
step = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 11), st.sampled_from(ITEMS), st.integers(0, 2)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 11)),
    st.tuples(st.just("retag"), st.integers(0, 50), st.sampled_from(ITEMS)),
    st.tuples(st.just("flag"), st.integers(0, 50)),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_codes_updated_in_place_show_what_a_full_reload_shows(qtbot, tmp_path_factory, steps):
    project, svc, rater, session, utts, _segs = project_with(tmp_path_factory.mktemp("p"), 12)
    window = MainWindow(project, "tester", rater_id=rater.id)  # one per example, torn down below
    window.service._undo.clear()
    for op in steps:
        codes = window.state.codes
        try:
            if op[0] == "add":
                _, pos, item, span = op
                last = utts[min(pos + span, 11)].id if span else None
                window.service.run(
                    AddCode(session.id, rater.id, IND, CodeSpec(item, utts[pos].id, last))
                )
            elif op[0] in ("delete", "move", "retag", "flag") and codes:
                code = codes[op[1] % len(codes)]
                if op[0] == "delete":
                    window.service.run(DeleteCode(code.id))
                elif op[0] == "move":
                    window.service.run(UpdateCode(code.id, {"first_utterance_id": utts[op[2]].id,
                                                             "last_utterance_id": None}))  # fmt: skip
                elif op[0] == "retag":
                    window.service.run(UpdateCode(code.id, {"item_id": op[2]}))
                else:
                    window.service.run(FlagCode(code.id, not code.flagged, "check this"))
            elif op[0] == "undo" and window.service.can_undo:
                window.service.undo()
            elif op[0] == "redo" and window.service.can_redo:
                window.service.redo()
        except CommandError:  # a refused command (a duplicate...) changes nothing: go on
            pass
        qtbot.waitUntil(lambda: window.bus._pending is None)
        QTest.qWait(1)  # the notice's turn of the event loop
        assert shown_view(qtbot, window) == full_view(project, session.id, rater.id), op
    window.close()
    window.deleteLater()
    QTest.qWait(1)
    project.close()


def test_a_rows_codes_read_in_number_order(qtbot, tmp_path):
    """R1, R2, R10 as a person reads them (as text R10 came before R2), on opening and after a
    change alike."""
    project, svc, rater, session, utts, _segs = project_with(tmp_path, 4)
    for item in ("R10", "R2"):
        svc.run(AddCode(session.id, rater.id, IND, CodeSpec(item, utts[1].id)))
    window = MainWindow(project, "tester", rater_id=rater.id)
    qtbot.addWidget(window)
    col = window.model.index(1, 0).siblingAtColumn(4)
    assert [c.item_id for c in window.model.codes_at(1)] == ["R2", "R10"]
    window.service.run(AddCode(session.id, rater.id, IND, CodeSpec("R1", utts[1].id)))
    qtbot.waitUntil(lambda: len(window.model.codes_at(1)) == 3)
    assert [c.item_id for c in window.model.codes_at(1)] == ["R1", "R2", "R10"]
    assert [c.item_id for c in window.state.codes] == ["R1", "R2", "R10"]
    text = window.model.data(col)
    assert text.index("R1") < text.index("R2") < text.index("R10"), text
    project.close()
