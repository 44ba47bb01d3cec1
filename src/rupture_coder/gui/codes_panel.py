"""The codes on the current utterance (or media moment): pick one to delete, move, annotate, flag."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from rupture_coder.codebook import Codebook
from rupture_coder.services.queries import CodeRow
from rupture_coder.timestamps import format_timestamp


class CodesPanel(QListWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("codesHere")

    def show_codes(self, codes: list[CodeRow], codebook: Codebook | None) -> None:
        keep = self.selected_code()
        self.clear()
        for c in codes:
            label = codebook.item(c.item_id).label if codebook else ""
            text = f"{c.item_id}  {label}"
            if c.actor:
                text += f"  — {c.actor} → {c.target or 'group'} ({c.level})"
            if c.start_s is not None and c.first_position is None:
                text += f"  at {format_timestamp(c.start_s)}"
                if c.end_s is not None and c.end_s > c.start_s:
                    text += f"–{format_timestamp(c.end_s)}"
            if c.note:
                text += f"  · {c.note}"
            if c.flagged:
                text = "⚑ " + text
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setToolTip(f"flagged for review: {c.flag_reason}" if c.flagged else text)
            self.addItem(item)
            if c.id == keep:
                self.setCurrentItem(item)
        if self.currentItem() is None and self.count():
            self.setCurrentRow(0)

    def selected_code(self) -> str | None:
        item = self.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None
