"""Actions on codes and ratings from the main window: rate, complete, delete, move, note, flag.
A mixin of MainWindow (it uses its service, state, transcript view and codes panel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QStatusBar

from rupture_coder.errors import RuptureCoderError
from rupture_coder.gui.codes_panel import CodesPanel
from rupture_coder.gui.coding import CodingController
from rupture_coder.gui.transcript_model import TranscriptModel
from rupture_coder.gui.transcript_view import TranscriptView
from rupture_coder.gui.workspace_state import SessionState
from rupture_coder.services import ProjectService
from rupture_coder.services.coding import DeleteCode, FlagCode, SetRating, UpdateCode
from rupture_coder.services.progress import MarkComplete


class CodingActions:
    """Actions on codes and ratings. What they use of the window they are mixed into:"""

    service: ProjectService
    state: SessionState
    view: TranscriptView
    model: TranscriptModel
    codes_panel: CodesPanel
    coding: CodingController
    rater_box: QComboBox
    ask_text: Callable[..., tuple[str, bool]]

    if TYPE_CHECKING:  # QMainWindow's, for the type checker

        def statusBar(self) -> QStatusBar: ...  # noqa: N802

    # -- coding actions ---------------------------------------------------------------------------
    def _code_from_panel(self, item) -> None:
        if item.parent() is not None:
            self.coding.code(item.text(0))

    def _run(self, command) -> bool:
        try:
            self.service.run(command)
        except RuptureCoderError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return False
        return True

    def _rate(self, rating_id: str, value, is_na: bool, segment: bool) -> None:
        st = self.state
        rater_id = self.rater_box.currentData()
        if not (st.session_id and rater_id):
            return
        if segment:
            seg = st.segment_at_row(self.view.current_row())
            if seg is None:
                return
            self._run(
                SetRating(rater_id, st.codebook.key, rating_id, value, is_na, segment_id=seg.id)
            )
        else:
            self._run(
                SetRating(
                    rater_id, st.codebook.key, rating_id, value, is_na, session_id=st.session_id
                )
            )

    def mark_complete(self) -> None:
        rater_id = self.rater_box.currentData()
        if (
            self.state.session_id
            and rater_id
            and self._run(MarkComplete(self.state.session_id, rater_id))
        ):
            self.statusBar().showMessage("session marked complete", 5000)

    def delete_code(self) -> None:
        code_id = self.codes_panel.selected_code()
        if code_id:
            self._run(DeleteCode(code_id))

    def move_code(self) -> None:
        code_id, span = self.codes_panel.selected_code(), self.view.selected_span()
        if code_id and span:
            first, last = self.model.utterance(span[0]), self.model.utterance(span[1])
            self._run(
                UpdateCode(
                    code_id,
                    {
                        "first_utterance_id": first.id,
                        "last_utterance_id": last.id if span[1] > span[0] else None,
                    },
                )
            )

    def note_code(self) -> None:
        code_id = self.codes_panel.selected_code()
        code = next((c for c in self.state.codes if c.id == code_id), None)
        if code is not None:
            text, ok = self.ask_text("Note", f"Note on {code.item_id}:", code.note)
            if ok:
                self._run(UpdateCode(code_id, {"note": text}))

    def flag_code(self) -> None:
        code_id = self.codes_panel.selected_code()
        code = next((c for c in self.state.codes if c.id == code_id), None)
        if code is None:
            return
        if code.flagged:
            self._run(FlagCode(code_id, False))
            return
        reason, ok = self.ask_text(
            "Flag for supervisor review", f"Why should a supervisor look at {code.item_id}?"
        )
        if ok:
            self._run(FlagCode(code_id, True, reason))
