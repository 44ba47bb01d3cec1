"""The transcript table: selection as utterance positions, segment and search navigation, and row
heights computed only for the rows on screen (a 5,000-utterance session opens at once)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from rupture_coder.gui.transcript_model import COLUMNS, TranscriptModel


class TranscriptView(QTableView):
    current_changed = Signal(int)  # utterance position

    def __init__(self, model: TranscriptModel, parent=None):
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setTabKeyNavigation(False)  # Tab leaves the transcript for the next panel
        self.setWordWrap(True)
        self.setShowGrid(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(22)
        hh = self.horizontalHeader()
        metrics = self.fontMetrics()
        # fixed widths: ResizeToContents would read every row of a long session
        for col, sample in enumerate(("888", "00:00:00", "Participant 12")):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            hh.resizeSection(col, metrics.horizontalAdvance(sample) + 18)
        hh.setSectionResizeMode(COLUMNS.index("Utterance"), QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(COLUMNS.index("Codes"), QHeaderView.ResizeMode.Interactive)
        hh.resizeSection(COLUMNS.index("Codes"), 190)
        self._sized: set[int] = set()
        self._resize_timer = QTimer(self, singleShot=True, interval=0)
        self._resize_timer.timeout.connect(self._size_visible_rows)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._resize_timer.start())
        model.modelReset.connect(self._on_reset)
        self.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.current_changed.emit(cur.row())
        )

    @property
    def transcript(self) -> TranscriptModel:
        return self.model()  # type: ignore[return-value]

    def _on_reset(self) -> None:
        self._sized.clear()
        self._resize_timer.start()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._sized.clear()
        self._resize_timer.start()

    def _size_visible_rows(self) -> None:
        first = self.rowAt(0)
        if first < 0:
            first = 0
        last = self.rowAt(self.viewport().height())
        if last < 0:
            last = min(first + 60, self.model().rowCount() - 1)
        self._size_rows(first - 5, last + 20)

    def _size_rows(self, first: int, last: int) -> None:
        """Rows get their wrapped height when they come near the screen (sizing every row of a
        long session would read all of them)."""
        for row in range(max(first, 0), min(last + 1, self.model().rowCount())):
            if row not in self._sized:
                self.resizeRowToContents(row)
                self._sized.add(row)

    # -- selection -----------------------------------------------------------------------------
    def selected_span(self) -> tuple[int, int] | None:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        if not rows:
            cur = self.currentIndex().row()
            return (cur, cur) if cur >= 0 else None
        return rows[0], rows[-1]

    def select_rows(self, first: int, last: int | None = None) -> None:
        last = first if last is None else last
        model = self.model()
        if not 0 <= first < model.rowCount():
            return
        selection = QItemSelection(
            model.index(first, 0), model.index(last, model.columnCount() - 1)
        )
        sm = self.selectionModel()
        sm.setCurrentIndex(model.index(first, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        sm.select(
            selection,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        # the rows around it sized first: sized after the jump, the rows above it grew and pushed
        # it off the screen (a warning's segment, Ctrl+Down, a timeline click far away)
        around = max(self.viewport().height() // self.verticalHeader().defaultSectionSize(), 40)
        self._size_rows(first - around, last + around)
        self.scrollTo(model.index(first, 0), QAbstractItemView.ScrollHint.PositionAtCenter)

    def current_row(self) -> int:
        return max(self.currentIndex().row(), 0)

    # -- navigation --------------------------------------------------------------------------------
    def goto_segment(self, step: int) -> None:
        seg_of = self.transcript.segment_of
        if not seg_of:
            return
        current = seg_of[self.current_row()]
        target = current + step
        rows = [i for i, s in enumerate(seg_of) if s == target]
        if rows:
            self.select_rows(rows[0])

    def find(self, text: str, forward_from: int | None = None) -> bool:
        text = text.strip().lower()
        if not text:
            return False
        n = self.model().rowCount()
        start = self.current_row() + 1 if forward_from is None else forward_from
        for k in range(n):
            row = (start + k) % n
            u = self.transcript.utterance(row)
            if text in u.text.lower() or text in u.pseudonym.lower():
                self.select_rows(row)
                return True
        return False

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        # Ctrl+Up/Down are the registry's segment keys; the view would otherwise move the cursor
        if event.modifiers() == Qt.KeyboardModifier.ControlModifier and event.key() in (
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
        ):
            event.ignore()
            return
        super().keyPressEvent(event)
