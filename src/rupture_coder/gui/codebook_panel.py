"""The codebook as a tree: categories, items with their hotkeys, definitions on hover."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from rupture_coder.codebook import Codebook
from rupture_coder.gui.transcript_model import CATEGORY_COLOURS


class CodebookPanel(QTreeWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setColumnCount(3)
        self.setHeaderLabels(["Item", "Key", "Label"])
        self.setRootIsDecorated(True)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.codebook: Codebook | None = None

    def set_codebook(self, cb: Codebook) -> None:
        if self.codebook is not None and self.codebook.key == cb.key:
            return
        self.codebook = cb
        self.clear()
        for cat in cb.categories:
            top = QTreeWidgetItem([cat.label, "", ""])
            top.setFirstColumnSpanned(True)
            top.setForeground(0, QColor(CATEGORY_COLOURS.get(cat.rupture_type, "#333333")))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setToolTip(0, cat.description)
            for item in cat.items:
                child = QTreeWidgetItem([item.id, item.hotkey or "", item.label])
                tip = f"<b>{item.id} {item.label}</b><p>{item.definition}</p>"
                if item.examples:
                    tip += "<p><i>" + "<br>".join(item.examples) + "</i></p>"
                for col in range(3):
                    child.setToolTip(col, tip)
                top.addChild(child)
            self.addTopLevelItem(top)
        self.expandAll()
        for col in range(2):
            self.resizeColumnToContents(col)
