"""Keyboard-first popup for a group event: who acted (actor), at which level, toward whom."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
)

from rupture_coder.codebook import Codebook
from rupture_coder.services.queries import ParticipantRow

GROUP = "the group"


class GroupEventDialog(QDialog):
    """Up/Down choose the level, Tab moves to the target, Enter codes, Escape cancels."""

    def __init__(self, codebook: Codebook, item_id: str, people: list[ParticipantRow], actor_id: str | None,
                 recent_ids: list[str], parent=None):  # fmt: skip
        super().__init__(parent)
        self.setObjectName("groupEventDialog")
        self.setWindowTitle(f"{item_id}: who, toward whom, at which level")
        self.codebook, self.item = codebook, codebook.item(item_id)
        self.people = people
        self.recent = recent_ids
        self.actor_box = QComboBox()
        allowed = self.item.actor_roles or codebook.group.roles
        for p in people:
            if p.role in allowed:
                self.actor_box.addItem(f"{p.pseudonym} ({p.role})", p.id)
        if actor_id is not None and self.actor_box.findData(actor_id) >= 0:
            self.actor_box.setCurrentIndex(self.actor_box.findData(actor_id))
        self.levels = QListWidget()
        self.levels.setObjectName("levels")
        self.target_box = QComboBox()
        self.target_box.setObjectName("target")
        form = QFormLayout(self)
        form.addRow(QLabel(f"<b>{self.item.id} {self.item.label}</b>"))
        form.addRow("Actor", self.actor_box)
        form.addRow("Level", self.levels)
        form.addRow("Target", self.target_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.actor_box.currentIndexChanged.connect(lambda _i: self._fill_levels())
        self.levels.currentRowChanged.connect(lambda _r: self._fill_targets())
        self._fill_levels()
        self.levels.setFocus()

    def _actor(self) -> ParticipantRow | None:
        pid = self.actor_box.currentData()
        return next((p for p in self.people if p.id == pid), None)

    def _fill_levels(self) -> None:
        self.levels.clear()
        actor = self._actor()
        default = 0
        for level in self.codebook.group.levels:
            allowed = self.item.levels is None or level.id in self.item.levels
            if actor is not None and level.actor_role == actor.role and allowed:
                item = QListWidgetItem(level.label)
                item.setData(Qt.ItemDataRole.UserRole, level.id)
                self.levels.addItem(item)
                if level.target_role == actor.role and self._peers(actor):
                    default = self.levels.count() - 1
        # a member's event is, by default, toward another member (the one who spoke last), not
        # toward the leader: member-to-member is what the popup is opened for most often
        self.levels.setCurrentRow(default)
        self._fill_targets()

    def _peers(self, actor: ParticipantRow) -> list[ParticipantRow]:
        return [p for p in self.people if p.role == actor.role and p.id != actor.id]

    def _fill_targets(self) -> None:
        self.target_box.clear()
        item = self.levels.currentItem()
        if item is None:
            return
        level = next(
            lv for lv in self.codebook.group.levels if lv.id == item.data(Qt.ItemDataRole.UserRole)
        )
        if level.target_role == self.codebook.group.group_target:
            self.target_box.addItem(GROUP, None)
            return
        actor = self._actor()
        candidates = [
            p
            for p in self.people
            if p.role == level.target_role and (actor is None or p.id != actor.id)
        ]
        # the people who spoke most recently come first: usually the one the actor answers
        candidates.sort(
            key=lambda p: self.recent.index(p.id) if p.id in self.recent else len(self.recent)
        )
        for p in candidates:
            self.target_box.addItem(p.pseudonym, p.id)

    def choice(self) -> tuple[str | None, str | None, str | None]:
        """(actor id, target id or None for the group, level id)."""
        item = self.levels.currentItem()
        return (
            self.actor_box.currentData(),
            self.target_box.currentData(),
            item.data(Qt.ItemDataRole.UserRole) if item else None,
        )
