"""Study > Raters: a lead adds raters, sets their roles and hands out coder copies.

Each change is one service command (audited, undoable with Edit > Undo, announced to every view);
a refusal (a name already taken, demoting the project's only lead) is shown and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from rupture_coder.gui.bus import ChangeBus
from rupture_coder.gui.buttons import on_click
from rupture_coder.gui.failures import guarded, run_command
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.identity import ROLES, SetRaterRole
from rupture_coder.services.notices import Notice, Topic
from rupture_coder.services.project import AddRater


class RatersDialog(QDialog):
    """The raters of the project with their roles; add one, change a role, hand out a copy."""

    def __init__(self, service: ProjectService, bus: ChangeBus, parent=None):
        super().__init__(parent)
        self.setObjectName("ratersDialog")
        self.setWindowTitle("Raters")
        self.service = service
        self.resize(560, 420)
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName("raters")
        self.table.setHorizontalHeaderLabels(["Name", "Role"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.new_name = QLineEdit()
        self.new_name.setAccessibleName("new rater name")
        self.new_name.setPlaceholderText("name of the rater to add")
        self.new_role = QComboBox()
        self.new_role.setAccessibleName("new rater role")
        self.new_role.addItems(list(ROLES))
        self.add_button = QPushButton("&Add rater")
        on_click(self.add_button, self.add_rater)
        self.role_box = QComboBox()
        self.role_box.setAccessibleName("role of the selected rater")
        self.role_box.addItems(list(ROLES))
        self.role_button = QPushButton("&Set role")
        on_click(self.role_button, self.set_role)
        self.handout_button = QPushButton("&Hand out a coder copy…")
        on_click(self.handout_button, self.hand_out)
        close = QPushButton("Close")
        on_click(close, self.accept)
        for b in (self.role_button, self.handout_button, close):
            b.setAutoDefault(False)
        self.add_button.setDefault(True)  # Enter in the name field adds the rater
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "A lead adds the raters and gives each a role. Coders code in their own "
                "<b>coder copy</b> (blind: it holds only their codes) and send packages back."
            )
        )
        layout.addWidget(self.table)
        row = QHBoxLayout()
        row.addWidget(self.new_name, 1)
        row.addWidget(self.new_role)
        row.addWidget(self.add_button)
        layout.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(QLabel("Selected rater:"))
        row.addWidget(self.role_box)
        row.addWidget(self.role_button)
        row.addWidget(self.handout_button)
        row.addStretch()
        layout.addLayout(row)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
        self.table.currentCellChanged.connect(lambda *_a: self._selected_changed())
        bus.changed.connect(self._on_changed)
        self.fill()
        self.new_name.setFocus()

    def fill(self, select_id: str | None = None) -> None:
        current = select_id or self.selected_id()
        people = [r for r in queries.raters(self.service.project) if r.role in ROLES]
        self.table.setRowCount(len(people))
        for row, r in enumerate(people):
            name = QTableWidgetItem(r.name)
            name.setData(Qt.ItemDataRole.UserRole, r.id)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(r.role))
            if r.id == current:
                self.table.setCurrentCell(row, 0)
        self._selected_changed()

    def selected_id(self) -> str | None:
        item = self.table.item(self.table.currentRow(), 0) if self.table.currentRow() >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _selected_changed(self) -> None:
        row = self.table.currentRow()
        chosen = row >= 0 and self.table.item(row, 1) is not None
        if chosen:
            self.role_box.setCurrentText(self.table.item(row, 1).text())
        for widget in (self.role_box, self.role_button, self.handout_button):
            widget.setEnabled(chosen)

    def _on_changed(self, notice: Notice) -> None:
        if notice.touches(Topic.RATERS):
            self.fill()

    def add_rater(self) -> None:
        name = self.new_name.text().strip()
        if not name:
            self.new_name.setFocus()
            return
        change = run_command(self, self.service, AddRater(name, self.new_role.currentText()))
        if change is not None:
            self.new_name.clear()
            self.fill(change.result.id)

    def set_role(self) -> None:
        rater_id = self.selected_id()
        if rater_id is not None:
            name = self.table.item(self.table.currentRow(), 0).text()  # names are unique
            run_command(self, self.service, SetRaterRole(name, self.role_box.currentText()))
            self.fill(rater_id)

    def hand_out(self) -> Path | None:
        """Ask where to save the selected coder's copy, and make it."""
        from rupture_coder.study.handout import hand_out

        rater_id = self.selected_id()
        if rater_id is None:
            return None
        name = self.table.item(self.table.currentRow(), 0).text()
        path, _ = QFileDialog.getSaveFileName(
            self,
            f"Hand out {name}'s coder copy",
            f"{name}.rcproj",
            "rupture-coder projects (*.rcproj)",
        )
        if not path:
            return None
        out = Path(path if path.endswith(".rcproj") else f"{path}.rcproj")
        made = guarded(self, lambda: hand_out(self.service, rater_id, out), "No coder copy")
        if made is None:
            return None
        parent = self.parent()
        if parent is not None and hasattr(parent, "statusBar"):
            parent.statusBar().showMessage(
                f"wrote {made.path}: {made.rater}'s coder copy ({made.sessions} session(s))", 10000
            )
        return made.path
