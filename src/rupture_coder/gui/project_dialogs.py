"""Dialogs of the File and Session menus: project settings, restore from a backup, re-cut a
session's segments, and the user guide (the Markdown docs shipped with the app)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
)

from rupture_coder.gui.failures import run_command
from rupture_coder.resources import docs_dir
from rupture_coder.services import ProjectService
from rupture_coder.services.project import SetSetting
from rupture_coder.services.settings import all_settings
from rupture_coder.store.backups import Backup

GUIDE_PAGES = (
    ("Coding a session", "coding.md"),
    ("Importing sessions", "import.md"),
    ("The study workflow", "study.md"),
    ("How each number is computed", "ratings.md"),
    ("Codebook format", "codebook-format.md"),
    ("Data model, backups and recovery", "data-model.md"),
    ("Architecture", "architecture.md"),
)


class SettingsDialog(QDialog):
    """One field per documented project setting; OK applies each change as an undoable command."""

    def __init__(self, service: ProjectService, parent=None):
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Project settings")
        self.service = service
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {}
        self.values: dict[str, float] = {}
        form = QFormLayout()
        for spec, value, _default in all_settings(service.project):
            if spec.kind is int:
                box: QSpinBox | QDoubleSpinBox = QSpinBox()
            else:
                box = QDoubleSpinBox()
                box.setDecimals(2)
                box.setSingleStep(0.05 if spec.maximum <= 1 else 0.5)
            box.setRange(spec.minimum, spec.maximum)  # type: ignore[arg-type]
            box.setValue(value)
            box.setSuffix(f" {spec.unit}" if spec.unit else "")
            box.setToolTip(f"{spec.description}; default {spec.default:g}")
            box.setAccessibleName(spec.label)
            box.setObjectName(spec.key)
            label = QLabel(f"{spec.label}:")
            label.setBuddy(box)
            form.addRow(label, box)
            hint = QLabel(f"<small>{spec.description} (default {spec.default:g})</small>")
            hint.setWordWrap(True)
            form.addRow("", hint)
            self.fields[spec.key] = box
            self.values[spec.key] = value
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def apply(self) -> None:
        for key, box in self.fields.items():
            changed = abs(box.value() - self.values[key]) > 1e-9
            if changed and run_command(self, self.service, SetSetting(key, box.value())) is None:
                return  # the dialog stays open on the refused value
        self.accept()


class RestoreDialog(QDialog):
    """The project's backups with their dates; Restore replaces the project with the one chosen."""

    def __init__(self, backups: list[Backup], parent=None):
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Restore from backup")
        self.resize(620, 380)
        self.list = QListWidget()
        self.list.setObjectName("backups")
        for b in backups:
            when = b.taken.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            item = QListWidgetItem(f"{when} · {b.why} · {b.size / 1024:,.0f} KiB · {b.path.name}")
            item.setData(Qt.ItemDataRole.UserRole, str(b.path))
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _i: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(bool(backups))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Backups are kept beside the project file. Restoring first saves a copy of the "
                "project as it is now (listed here afterwards), so a restore can be undone by "
                "restoring that copy."
                if backups
                else "This project has no backups yet (they are made before upgrades and merges)."
            )
        )
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def chosen(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None


class ResegmentDialog(QDialog):
    """Segments of N minutes (timed sessions) or of N utterances; says what would be dropped."""

    def __init__(self, timed: bool, minutes: float, ratings: int, parent=None):
        super().__init__(parent)
        self.setObjectName("resegmentDialog")
        self.setWindowTitle("Re-cut the session's segments")
        self.by_time = QRadioButton("segments of")
        self.minutes = QDoubleSpinBox()
        self.minutes.setRange(0.5, 240)
        self.minutes.setSuffix(" minutes")
        self.minutes.setValue(minutes)
        self.minutes.setAccessibleName("segment length in minutes")
        self.by_count = QRadioButton("segments of")
        self.count = QSpinBox()
        self.count.setRange(1, 10_000)
        self.count.setValue(20)
        self.count.setSuffix(" utterances")
        self.count.setAccessibleName("utterances per segment")
        (self.by_time if timed else self.by_count).setChecked(True)
        self.by_time.setEnabled(timed)
        self.minutes.setEnabled(timed)
        self.drop = QCheckBox(
            f"delete the {ratings} segment rating(s) and segment codes (undo brings them back)"
        )
        self.drop.setVisible(ratings > 0)
        form = QFormLayout()
        form.addRow(self.by_time, self.minutes)
        form.addRow(self.by_count, self.count)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(ratings == 0)  # re-cutting rated segments needs the box ticked
        self.drop.toggled.connect(self.ok.setEnabled)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Codes on utterances and times stay where they are."))
        layout.addLayout(form)
        layout.addWidget(self.drop)
        layout.addWidget(buttons)

    def choice(self) -> dict:
        if self.by_time.isChecked():
            return {
                "length_s": self.minutes.value() * 60,
                "drop_segment_data": self.drop.isChecked(),
            }
        return {"per_utterances": self.count.value(), "drop_segment_data": self.drop.isChecked()}


class UserGuide(QDialog):
    """The docs, rendered from the Markdown shipped with the app; links between pages work."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("userGuide")
        self.setWindowTitle("rupture-coder user guide")
        self.resize(1000, 760)
        self.folder = docs_dir()
        self.pages = QListWidget()
        self.pages.setObjectName("guidePages")
        for title, name in GUIDE_PAGES:
            if (self.folder / name).exists():
                item = QListWidgetItem(title)
                item.setData(Qt.ItemDataRole.UserRole, name)
                self.pages.addItem(item)
        self.text = QTextBrowser()
        self.text.setObjectName("guideText")
        self.text.setOpenLinks(False)
        self.text.anchorClicked.connect(self._link)
        self.text.setSearchPaths([str(self.folder)])
        self.pages.currentItemChanged.connect(
            lambda item, _p: (
                item is not None and self.show_page(item.data(Qt.ItemDataRole.UserRole))
            )
        )
        split = QSplitter()
        split.addWidget(self.pages)
        split.addWidget(self.text)
        split.setSizes([220, 780])
        QVBoxLayout(self).addWidget(split)
        self.pages.setCurrentRow(0)

    def show_page(self, name: str) -> None:
        path = self.folder / name
        self.text.document().setBaseUrl(QUrl.fromLocalFile(str(path)))
        self.text.setMarkdown(path.read_text(encoding="utf-8"))

    def _link(self, url: QUrl) -> None:
        name = Path(url.path()).name
        if url.isRelative() or url.isLocalFile():
            for i in range(self.pages.count()):
                if self.pages.item(i).data(Qt.ItemDataRole.UserRole) == name:
                    self.pages.setCurrentRow(i)
                    return
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(url)
