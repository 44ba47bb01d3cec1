"""Small dialogs: who is coding (the rater identity), and the list of shortcuts (F1)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
)

from rupture_coder.codebook import Codebook
from rupture_coder.shortcuts import SHORTCUTS


class IdentityDialog(QDialog):
    """Choose the rater you code as, or add yourself. Coders then see only their own codes."""

    def __init__(self, raters: list, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Who is coding?")
        self.list = QListWidget()
        for r in raters:
            item = QListWidgetItem(f"{r.name} ({r.role})")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("or type a new rater name")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Code as (blind: coders see only their own codes):"))
        layout.addWidget(self.list)
        layout.addWidget(self.new_name)
        layout.addWidget(buttons)

    def choice(self) -> tuple[str | None, str]:
        """(existing rater id, or None with the new name)."""
        if self.new_name.text().strip():
            return None, self.new_name.text().strip()
        item = self.list.currentItem()
        return (item.data(Qt.ItemDataRole.UserRole) if item else None), ""


class HelpOverlay(QDialog):
    def __init__(self, codebook: Codebook | None, parent=None):
        super().__init__(parent)
        self.setObjectName("helpOverlay")
        self.setWindowTitle("Keyboard")
        self.resize(640, 720)
        groups: dict[str, list] = {}
        for s in SHORTCUTS:
            groups.setdefault(s.group, []).append(s)
        html = "<h3>Keyboard</h3><p>Select utterances with the arrow keys (Shift extends), then press an item's key to code it.</p>"
        for group, items in groups.items():
            html += (
                f"<h4>{group}</h4><table cellpadding=2>"
                + "".join(
                    f"<tr><td><b>{s.keys}</b></td><td>{s.description}</td></tr>" for s in items
                )
                + "</table>"
            )
        if codebook is not None:
            html += f"<h4>Codebook {codebook.id} {codebook.version}</h4><table cellpadding=2>"
            html += "".join(
                f"<tr><td><b>{i.hotkey}</b></td><td>{i.id} {i.label}</td></tr>"
                for i in codebook.items()
                if i.hotkey
            )
            html += "</table>"
        view = QTextBrowser()
        view.setHtml(html)
        layout = QVBoxLayout(self)
        layout.addWidget(view)
        self.text = view
