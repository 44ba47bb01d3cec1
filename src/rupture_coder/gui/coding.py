"""Codebook hotkeys -> code events: the selected utterances (or, without a transcript, the media
position) become one AddCode command; group codebooks ask who, toward whom, at which level."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QWidget

from rupture_coder.codebook import Codebook
from rupture_coder.errors import RuptureCoderError
from rupture_coder.gui.failures import show_failure
from rupture_coder.gui.group_popup import GroupEventDialog
from rupture_coder.gui.transcript_view import TranscriptView
from rupture_coder.services import ChangeSet, ProjectService, queries
from rupture_coder.services.coding import AddCode, CodeSpec
from rupture_coder.services.settings import get_setting
from rupture_coder.timestamps import format_timestamp


@dataclass
class CodingContext:
    session_id: str | None
    rater_id: str | None
    codebook: Codebook | None


class CodingController(QObject):
    """Owns the codebook hotkeys of the transcript and runs the coding commands."""

    message = Signal(str)

    def __init__(self, view: TranscriptView, service: Callable[[], ProjectService], context: Callable[[], CodingContext],
                 media_position: Callable[[], float | None], parent: QWidget):  # fmt: skip
        super().__init__(parent)
        self.view = view
        self.service = service
        self.context = context
        self.media_position = media_position
        self._shortcuts: list[QShortcut] = []
        self.span_mode = False  # media without transcript: item keys start and end spans
        self.running: dict[str, float] = {}  # item id -> start of a span not ended yet
        self.group_dialog: Callable[[GroupEventDialog], int] = lambda d: (
            d.exec()
        )  # replaced in tests

    def bind(self, codebook: Codebook | None, host: QWidget) -> None:
        """One shortcut per item hotkey, live while the transcript (or the media panel) has focus."""
        for sc in self._shortcuts:
            sc.setEnabled(False)
            sc.deleteLater()
        self._shortcuts = []
        if codebook is None:
            return
        for item in codebook.items():
            if item.hotkey:
                sc = QShortcut(QKeySequence(item.hotkey), host)
                sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                sc.activated.connect(partial(self.code, item.id))
                self._shortcuts.append(sc)

    def code(self, item_id: str) -> ChangeSet | None:
        ctx = self.context()
        if ctx.rater_id is None:
            self.message.emit("nobody to code as yet: File › Code as… (type your name)")
            return None
        if ctx.session_id is None or ctx.codebook is None:
            self.message.emit("no session to code: import one (Ctrl+I)")
            return None
        spec = self._spec(item_id, ctx)
        if spec is None:
            return None
        if ctx.codebook.group is not None:
            asked = self._ask_group(spec, ctx)
            self._refocus()
            if not asked:
                self.message.emit(f"{item_id} not coded")
                return None
        try:
            change = self.service().run(
                AddCode(ctx.session_id, ctx.rater_id, ctx.codebook.key, spec)
            )
        except RuptureCoderError as exc:
            show_failure(self.view.window(), exc)
            return None
        self.message.emit(f"coded {item_id}")
        return change

    def toggle_spans(self) -> bool:
        """Switch between instants (one press, one moment) and spans (press to start, press the
        same key again to end), for sessions coded on the media clock."""
        self.span_mode = not self.span_mode
        self.running.clear()
        self.message.emit(
            "spans: an item's key starts it, the same key again ends it"
            if self.span_mode
            else "instants: each key press codes one moment"
        )
        return self.span_mode

    def cancel_spans(self) -> bool:
        had = bool(self.running)
        self.running.clear()
        return had

    def _refocus(self) -> None:
        """Back to the transcript after the popup, so the next key press codes again."""
        self.view.window().activateWindow()
        self.view.setFocus()

    def _spec(self, item_id: str, ctx: CodingContext) -> CodeSpec | None:
        model = self.view.transcript
        if model.rowCount() == 0:
            position = self.media_position()
            if position is None:
                self.message.emit("this session has no transcript and no media position to code")
                return None
            offset = float(get_setting(self.service().project, "coding.reaction_offset_s"))
            at = max(position - offset, 0.0)
            if not self.span_mode:
                return CodeSpec(item_id, start_s=at)
            if item_id not in self.running:  # the first press starts a span (as BORIS states)
                self.running[item_id] = at
                self.message.emit(
                    f"{item_id} started at {format_timestamp(at)}: press {item_id}'s key again to "
                    "end it (Escape cancels)"
                )
                return None
            start = self.running.pop(item_id)
            start, end = sorted((start, at))
            return CodeSpec(item_id, start_s=start, end_s=end)
        span = self.view.selected_span()
        if span is None:
            self.message.emit("select an utterance first")
            return None
        first, last = model.utterance(span[0]), model.utterance(span[1])
        return CodeSpec(item_id, first.id, last.id if last.id != first.id else None)

    def _ask_group(self, spec: CodeSpec, ctx: CodingContext) -> bool:
        people = queries.participants(self.service().project, ctx.session_id)
        model = self.view.transcript
        span = self.view.selected_span() or (0, 0)
        by_label = {p.label: p.id for p in people}
        actor = by_label.get(model.utterance(span[0]).speaker) if model.rowCount() else None
        recent = []
        for row in range(span[0] - 1, max(span[0] - 12, -1), -1):
            pid = by_label.get(model.utterance(row).speaker)
            if pid and pid not in recent:
                recent.append(pid)
        dialog = GroupEventDialog(ctx.codebook, spec.item_id, people, actor, recent, self.parent())
        if self.group_dialog(dialog) != QDialog.DialogCode.Accepted:
            return False
        spec.actor_id, spec.target_id, spec.level = dialog.choice()
        return True
