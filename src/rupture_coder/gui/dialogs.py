"""Small dialogs: who is coding (the rater identity), and the list of shortcuts (F1)."""

from __future__ import annotations

import getpass

from PySide6.QtCore import QSettings, Qt
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
from rupture_coder.gui.failures import run_command
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.identity import copy_rater
from rupture_coder.services.project import AddRater
from rupture_coder.shortcuts import SHORTCUTS
from rupture_coder.store.db import Project


class IdentityDialog(QDialog):
    """Choose the rater you code as, or add yourself. Coders then see only their own codes."""

    def __init__(self, raters: list, parent=None):
        super().__init__(parent)
        self.setObjectName("identityDialog")
        self.setWindowTitle("Who is coding?")
        self.list = QListWidget()
        self.list.setAccessibleName("raters")
        for r in raters:
            item = QListWidgetItem(f"{r.name} ({r.role})")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.setVisible(bool(raters))
        self.new_name = QLineEdit()
        self.new_name.setAccessibleName("new rater name")
        self.new_name.setPlaceholderText(
            "or type a new rater name" if raters else "your name (as the project will show it)"
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.new_name.textChanged.connect(lambda _t: self._allow())
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Code as (blind: coders see only their own codes):"
                if raters
                else "<b>Nobody codes in this project yet.</b><br>Type your name to start "
                "(you will be its lead: merge, reconcile, calibration, reports):"
            )
        )
        layout.addWidget(self.list)
        layout.addWidget(self.new_name)
        layout.addWidget(buttons)
        self._allow()
        (self.list if raters else self.new_name).setFocus()

    def _allow(self) -> None:
        """OK only with somebody to code as: a rater chosen or a name typed."""
        self.ok.setEnabled(
            bool(self.new_name.text().strip()) or self.list.currentItem() is not None
        )

    def choice(self) -> tuple[str | None, str]:
        """(existing rater id, or None with the new name)."""
        if self.new_name.text().strip():
            return None, self.new_name.text().strip()
        item = self.list.currentItem()
        return (item.data(Qt.ItemDataRole.UserRole) if item else None), ""


def ask_identity(project: Project, parent=None, force: bool = False) -> str | None:
    """The rater this user codes as: remembered per project, else asked (blind coding starts here).
    A coder copy is its rater's: it opens as them, with no question and no other identity."""
    bound = copy_rater(project)
    if bound is not None:
        return bound
    raters = [r for r in queries.raters(project) if r.role in ("coder", "lead", "supervisor")]
    remembered = QSettings().value(f"identity/{project.path}")
    if not force and any(r.id == remembered for r in raters):
        return remembered
    dialog = IdentityDialog(raters, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    rater_id, new_name = dialog.choice()
    if rater_id is None and new_name:
        # the maker of a new project (nobody in it yet) is its lead; later names are coders
        role = "coder" if queries.raters(project) else "lead"
        service = ProjectService(project, getpass.getuser())
        change = run_command(dialog, service, AddRater(new_name, role))
        rater_id = change.result.id if change is not None else None
    if rater_id is not None:
        QSettings().setValue(f"identity/{project.path}", rater_id)
    return rater_id


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
