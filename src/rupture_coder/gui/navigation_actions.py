"""Focus, search and navigation in the workspace: the docks a key brings forward, Escape back to
the transcript, find, and the transcript, media and timeline following one another. A mixin of
MainWindow (it uses its view, model, state, media and docks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QLineEdit, QMessageBox, QStatusBar, QWidget

from rupture_coder import __version__
from rupture_coder.gui.dialogs import HelpOverlay
from rupture_coder.gui.focus import present, return_focus_after
from rupture_coder.services.settings import get_setting
from rupture_coder.store.db import Project

if TYPE_CHECKING:
    from rupture_coder.gui.codes_panel import CodesPanel
    from rupture_coder.gui.coding import CodingController
    from rupture_coder.gui.media_panel import MediaPanel
    from rupture_coder.gui.rating_forms import RatingForm
    from rupture_coder.gui.transcript_model import TranscriptModel
    from rupture_coder.gui.transcript_view import TranscriptView
    from rupture_coder.gui.workspace_state import SessionState


class NavigationActions:
    """What they use of the window they are mixed into:"""

    project: Project
    state: SessionState
    view: TranscriptView
    model: TranscriptModel
    media: MediaPanel | None
    media_holder: QWidget
    search: QLineEdit
    coding: CodingController
    spans_action: QAction
    picked_code: object
    ratings_dock: QDockWidget
    codes_dock: QDockWidget
    segment_form: RatingForm
    session_form: RatingForm
    codes_panel: CodesPanel
    _following: bool

    if TYPE_CHECKING:  # QMainWindow's and the window's, for the type checker

        def statusBar(self) -> QStatusBar: ...  # noqa: N802
        def activateWindow(self) -> None: ...  # noqa: N802
        def show_segment(self, seg) -> None: ...
        def current_segment(self): ...

    def _go_to_segment(self, index: int) -> None:
        """Select the first utterance of a segment (a warning names it)."""
        row = next((r for r, s in enumerate(self.state.segment_of) if s == index), None)
        if row is not None:
            self.view.select_rows(row)
            self.view.setFocus()

    def _focus_segment_form(self) -> None:
        self.ratings_dock.raise_()
        self.segment_form.focus_first()

    def _focus_session_form(self) -> None:
        self.ratings_dock.raise_()
        self.session_form.focus_first()

    def _focus_codes(self) -> None:
        self.codes_dock.raise_()
        self.codes_panel.setFocus()

    def _toggle_spans(self) -> None:
        self.spans_action.setChecked(self.coding.toggle_spans())

    def _back_to_transcript(self) -> None:
        if self.coding.cancel_spans():
            self.statusBar().showMessage("span cancelled", 3000)
        if self.picked_code is not None:
            self.picked_code = None
            self.statusBar().showMessage("move cancelled", 3000)
        self.search.hide()
        self.back_to_transcript()

    def back_to_transcript(self) -> None:
        """The window active and the keyboard in the transcript (after a dialog or a popup)."""
        self.activateWindow()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _start_search(self) -> None:
        self.search.show()
        self.search.setFocus()
        self.search.selectAll()

    def _find(self) -> None:
        if not self.view.find(self.search.text()):
            self.statusBar().showMessage(f"{self.search.text()!r} not found", 4000)
        else:
            self.view.setFocus()

    def _media_position(self) -> float | None:
        return (
            self.media.position()
            if self.media is not None and self.media_holder.isVisible()
            else None
        )

    def _jump(self, direction: int) -> None:
        if self.media is not None:
            self.media.jump(direction * float(get_setting(self.project, "media.jump_s")))

    def _seek_to_row(self, row: int) -> None:
        u = self.model.utterance(row)
        if self.media is not None and u.start_s is not None:
            self.media.seek(u.start_s)

    def _on_media_position(self, seconds: float) -> None:
        """The transcript follows the playhead (without a transcript, the segment ratings do)."""
        if not self.state.rows:
            self.show_segment(self.current_segment())
            return
        row = self.model.row_at_time(seconds)
        if row is not None and row != self.view.current_row():
            self._following = True
            self.view.select_rows(row)
            self._following = False

    def _on_timeline_click(self, x: float) -> None:
        if self.state.timed:
            row = self.model.row_at_time(x)
            if self.media is not None:
                self.media.seek(x)
        else:
            row = int(round(x))
        if row is not None and 0 <= row < self.model.rowCount():
            self.view.select_rows(row)

    def show_help(self) -> HelpOverlay:
        overlay = HelpOverlay(self.state.codebook, self)
        return_focus_after(overlay, self.back_to_transcript)
        present(overlay)
        return overlay

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About rupture-coder",
            f"<b>rupture-coder {__version__}</b><p>Coding psychotherapy sessions for alliance ruptures "
            "and repairs, 3RS-style. The bundled codebooks paraphrase the 3RS in the project's own "
            "words; see each codebook's provenance note.</p>",
        )
