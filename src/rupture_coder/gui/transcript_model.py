"""The transcript as a Qt table model: virtualised, so long sessions scroll smoothly."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from rupture_coder.gui.workspace_state import code_key
from rupture_coder.services.queries import CodeRow, UtteranceRow, codes_by_position
from rupture_coder.timestamps import format_timestamp

COLUMNS = ("Seg", "Time", "Speaker", "Utterance", "Codes")
CATEGORY_COLOURS = {"withdrawal": "#2f6db5", "confrontation": "#c0392b", "resolution": "#1e8449"}
ROLE_COLOURS = {"therapist": QColor("#f3f6fb")}


class TranscriptModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[UtteranceRow] = []
        self._segment_of: list[int] = []
        self._codes: dict[int, list[CodeRow]] = {}  # utterance position -> its codes
        self._row_of: dict[int, int] = {}  # utterance position -> row
        self._category_of: dict[str, str] = {}

    def set_session(
        self, rows: list[UtteranceRow], segment_of: list[int], category_of: dict[str, str]
    ) -> None:
        self.beginResetModel()
        self._rows, self._segment_of, self._category_of = rows, segment_of, category_of
        self._codes = {}
        self._row_of = {u.position: row for row, u in enumerate(rows)}
        self.endResetModel()

    def set_codes(self, codes: list[CodeRow]) -> None:
        """Every code of the session (on opening it, or changing the rater)."""
        self._codes = codes_by_position(codes)
        if self._rows:
            col = COLUMNS.index("Codes")
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col))

    def update_codes(self, removed: list[CodeRow], added: list[CodeRow]) -> None:
        """Some codes changed (a key press, an undo): only their rows are touched and repainted."""
        touched = set()
        for code in removed:
            here = self._codes.get(code.first_position) if code.first_position is not None else None
            if here is not None:
                here[:] = [c for c in here if c.id != code.id]
                touched.add(code.first_position)
        for code in added:
            if code.first_position is not None:
                here = self._codes.setdefault(code.first_position, [])
                here.append(code)
                here.sort(key=code_key)  # as the codes of a session are kept: R2 before R10
                touched.add(code.first_position)
        col = COLUMNS.index("Codes")
        for position in touched:
            row = self._row_of.get(position)
            if row is not None:
                self.dataChanged.emit(self.index(row, col), self.index(row, col))

    def utterance(self, row: int) -> UtteranceRow:
        return self._rows[row]

    @property
    def segment_of(self) -> list[int]:
        return self._segment_of

    def codes_at(self, row: int) -> list[CodeRow]:
        return self._codes.get(self._rows[row].position, []) if 0 <= row < len(self._rows) else []

    def row_at_time(self, seconds: float) -> int | None:
        """The utterance being spoken at ``seconds`` (the last one started by then)."""
        best = None
        for i, u in enumerate(self._rows):
            if u.start_s is not None and u.start_s <= seconds:
                best = i
            elif u.start_s is not None and u.start_s > seconds:
                break
        return best

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if not index.isValid():
            return None
        u = self._rows[index.row()]
        column = COLUMNS[index.column()]
        codes = self._codes.get(u.position, [])
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "Seg":
                seg = self._segment_of[index.row()] if self._segment_of else None
                first = index.row() == 0 or self._segment_of[index.row() - 1] != seg
                return str(seg + 1) if seg is not None and first else ""
            if column == "Time":
                return format_timestamp(u.start_s)
            if column == "Speaker":
                return u.pseudonym
            if column == "Utterance":
                return u.text
            if column == "Codes":
                return "  ".join(_code_label(c) for c in codes)
        if role == Qt.ItemDataRole.ToolTipRole and column == "Codes" and codes:
            return "\n".join(_code_tooltip(c) for c in codes)
        if role == Qt.ItemDataRole.ForegroundRole and column == "Codes" and codes:
            category = self._category_of.get(codes[0].item_id, "")
            return QBrush(QColor(CATEGORY_COLOURS.get(category, "#333333")))
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = ROLE_COLOURS.get(u.role)
            return QBrush(colour) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("Seg", "Time"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return None


def _code_label(c: CodeRow) -> str:
    """W2, or for a group event C1 Mia→Ravi; a flag mark when flagged for review."""
    label = ("⚑" if c.flagged else "") + c.item_id
    return f"{label} {c.actor}→{c.target or 'group'}" if c.actor else label


def _code_tooltip(c: CodeRow) -> str:
    parts = [c.item_id]
    if c.actor:
        parts.append(f"{c.actor} -> {c.target or 'group'} ({c.level})")
    if c.note:
        parts.append(f"note: {c.note}")
    if c.flagged:
        parts.append(f"flagged for review: {c.flag_reason}")
    return " | ".join(parts)
