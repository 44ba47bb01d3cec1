"""Actions on codes and ratings from the main window: rate, complete, delete, move, note, flag.
A mixin of MainWindow (it uses its service, state, transcript view and codes panel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QDockWidget, QStatusBar

from rupture_coder.errors import NotComplete, NothingToUndo, RuptureCoderError
from rupture_coder.gui.codes_panel import CodesPanel
from rupture_coder.gui.coding import CodingController
from rupture_coder.gui.failures import show_failure
from rupture_coder.gui.focus import give_back_focus_after, present
from rupture_coder.gui.media_panel import MediaPanel
from rupture_coder.gui.missing_dialog import MissingDialog
from rupture_coder.gui.rating_forms import RatingForm
from rupture_coder.gui.transcript_model import TranscriptModel
from rupture_coder.gui.transcript_view import TranscriptView
from rupture_coder.gui.workspace_state import SessionState
from rupture_coder.services import ProjectService
from rupture_coder.services.coding import DeleteCode, FlagCode, SetRating, UpdateCode
from rupture_coder.services.progress import MarkComplete, MissingRating
from rupture_coder.services.segmentation import locate_segment


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
    media: MediaPanel | None
    segment_form: RatingForm
    session_form: RatingForm
    ratings_dock: QDockWidget
    picked_code: str | None
    undo_action: QAction
    redo_action: QAction

    if TYPE_CHECKING:  # QMainWindow's and the window's, for the type checker

        def statusBar(self) -> QStatusBar: ...  # noqa: N802

        def show_segment(self, seg) -> None: ...

        def activateWindow(self) -> None: ...  # noqa: N802

    # -- coding actions ---------------------------------------------------------------------------
    def _code_from_panel(self, item) -> None:
        if item.parent() is not None:
            self.coding.code(item.text(0))

    def _run(self, command) -> bool:
        """Run a command; a refusal or failure is shown in a dialog (and in the status line)."""
        try:
            self.service.run(command)
        except NotComplete as exc:
            self.show_missing(exc)
            return False
        except RuptureCoderError as exc:
            show_failure(self, exc)  # type: ignore[arg-type]
            return False
        return True

    def show_missing(self, exc: NotComplete) -> MissingDialog:
        """The list of what is missing; each entry jumps there."""
        n = len(exc.problems)  # the list is in the window: the status line is not cut mid-list
        self.statusBar().showMessage(
            f"not complete yet: {n} required rating{'s' if n != 1 else ''} missing (listed)", 8000
        )
        dialog = MissingDialog(exc.problems, self.jump_to_missing, self)  # type: ignore[arg-type]
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        give_back_focus_after(dialog)  # Escape: back where the coder was; a jump moves it on
        present(dialog, modal=True)
        return dialog

    def jump_to_missing(self, missing: MissingRating) -> None:
        """Show the segment (or the session ratings) and put the keyboard on the missing rating."""
        if missing.segment_index is not None:
            seg = next((s for s in self.state.segments if s.id == missing.segment_id), None)
            if seg is not None and seg.first_position is not None and self.state.rows:
                self.view.select_rows(seg.first_position)
            elif seg is not None and self.media is not None and seg.start_s is not None:
                self.media.seek(seg.start_s)
                self.show_segment(seg)
            form = self.segment_form
        else:
            form = self.session_form
        self.ratings_dock.raise_()
        self.activateWindow()
        row = form.rows.get(missing.rating_id)
        if row is not None:
            row.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def current_segment(self):
        """The segment of the current utterance, or (a session without transcript) of the playhead."""
        st = self.state
        if st.rows:
            return st.segment_at_row(self.view.current_row())
        if self.media is not None and st.segments:
            seg = locate_segment(st.segments, None, None, self.media.position())
            if seg is not None:
                return seg
        return st.segments[0] if st.segments else None

    def _rate(self, rating_id: str, value, is_na: bool, segment: bool) -> None:
        st = self.state
        rater_id = self.rater_box.currentData()
        if not (st.session_id and rater_id):
            return
        if segment:
            seg = self.current_segment()
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
        """Ctrl+M. In the codes list: pick the selected code up (then select where it goes in the
        transcript and press Ctrl+M again). In the transcript: move the picked-up code, or the
        code selected in the codes list, onto the selected utterances."""
        if self.codes_panel.hasFocus() and self.codes_panel.selected_code():
            self.picked_code = self.codes_panel.selected_code()
            code = next((c for c in self.state.codes if c.id == self.picked_code), None)
            self.statusBar().showMessage(
                f"{code.item_id if code else 'code'} picked up: select the utterances it belongs "
                "to and press Ctrl+M (Escape cancels)",
                15000,
            )
            self.view.setFocus()
            return
        code_id, span = (
            self.picked_code or self.codes_panel.selected_code(),
            self.view.selected_span(),
        )
        if not (code_id and span):
            self.statusBar().showMessage("choose a code first (Ctrl+K, then Ctrl+M)", 5000)
            return
        first, last = self.model.utterance(span[0]), self.model.utterance(span[1])
        if self._run(
            UpdateCode(
                code_id,
                {
                    "first_utterance_id": first.id,
                    "last_utterance_id": last.id if span[1] > span[0] else None,
                },
            )
        ):
            self.picked_code = None
            self.statusBar().showMessage("code moved", 4000)

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

    # -- undo and redo ---------------------------------------------------------------------------
    def _replay(self, step) -> None:
        try:
            change = step()
        except NothingToUndo as exc:
            self.statusBar().showMessage(str(exc), 4000)
            return
        except RuptureCoderError as exc:
            show_failure(self, exc)
            return
        self.statusBar().showMessage(change.summary, 5000)

    def _update_undo_actions(self) -> None:
        undo, redo = self.service.undo_summary(), self.service.redo_summary()
        self.undo_action.setEnabled(undo is not None)
        self.undo_action.setText(f"&Undo {undo}" if undo else "&Undo")
        self.redo_action.setEnabled(redo is not None)
        self.redo_action.setText(f"&Redo {redo}" if redo else "&Redo")
