"""Import dialog: choose files and settings, preview, see every problem, map speakers, confirm."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
)

from rupture_coder.domain import ParticipantPlan
from rupture_coder.errors import Cancelled, ImportRefused
from rupture_coder.gui.buttons import on_click
from rupture_coder.gui.tasks import Task, run_task
from rupture_coder.importers import FORMATS, ImportError_, detect_format
from rupture_coder.importers.tabular import FIELDS, table_columns
from rupture_coder.services import ProjectService
from rupture_coder.services.imports import ImportPlan, plan_import, run_import
from rupture_coder.timestamps import format_timestamp

ROLES = {"individual": ["therapist", "client"], "group": ["therapist", "member"]}
PREVIEW_ROWS = 300


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return table


class ImportDialog(QDialog):
    def __init__(self, service: ProjectService, files: list[Path] | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import sessions")
        self.resize(1100, 720)
        self.service = service
        self.files: list[Path] = []
        self.plan: ImportPlan | None = None
        self.imported: list[str] = []
        self.plan_task: Task | None = None  # reading the files
        self.import_task: Task | None = None  # writing the sessions
        self._generation = 0
        self._build()
        if files:
            self.add_files(files)

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.file_list = QListWidget()
        self.file_list.setMaximumHeight(80)
        add = QPushButton("Add files…")
        on_click(add, self._choose_files)
        clear = QPushButton("Clear")
        on_click(clear, lambda: (self.files.clear(), self.file_list.clear(), self.refresh()))
        files_box = QGroupBox("Files")
        fl = QHBoxLayout(files_box)
        fl.addWidget(self.file_list, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(clear)
        buttons.addStretch()
        fl.addLayout(buttons)

        self.format_box = QComboBox()
        self.format_box.addItem("from the file extension", None)
        for fmt in FORMATS:
            self.format_box.addItem(fmt, fmt)
        self.kind_box = QComboBox()
        self.kind_box.addItems(["individual", "group"])
        self.length_radio = QRadioButton("Fixed segments of")
        self.length_radio.setChecked(True)
        self.length_spin = QDoubleSpinBox()
        self.length_spin.setRange(0.25, 120)
        self.length_spin.setValue(5)
        self.length_spin.setSuffix(" min")
        self.count_radio = QRadioButton("Untimed: every")
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 1000)
        self.count_spin.setValue(20)
        self.count_spin.setSuffix(" utterances")
        settings = QGroupBox("Settings")
        form = QFormLayout(settings)
        form.addRow("Format", self.format_box)
        form.addRow("Session kind", self.kind_box)
        seg = QGridLayout()
        seg.addWidget(self.length_radio, 0, 0)
        seg.addWidget(self.length_spin, 0, 1)
        seg.addWidget(self.count_radio, 1, 0)
        seg.addWidget(self.count_spin, 1, 1)
        form.addRow("Segments", seg)

        self.map_boxes: dict[str, QComboBox] = {}
        mapping = QGroupBox("Columns (CSV, TSV, XLSX)")
        mg = QGridLayout(mapping)
        for i, fld in enumerate(FIELDS):
            box = QComboBox()
            box.setObjectName(f"map_{fld}")
            self.map_boxes[fld] = box
            mg.addWidget(QLabel(fld), i // 3 * 2, i % 3)
            mg.addWidget(box, i // 3 * 2 + 1, i % 3)
        self.mapping_box = mapping

        top = QHBoxLayout()
        top.addWidget(files_box, 3)
        top.addWidget(settings, 2)
        top.addWidget(mapping, 3)

        self.sessions_table = _table(["Session", "Utterances", "Length"])
        self.sessions_table.currentCellChanged.connect(lambda row, *_: self._show_session(row))
        self.preview = _table(["Where", "Time", "Speaker", "Text"])
        self.problems = _table(["File", "Where", "Found", "Problem", "Repair"])
        self.problems.setObjectName("problems")
        self.problems.setWordWrap(True)
        self.speakers = _table(["Speaker label", "Pseudonym", "Role"])
        self.speakers.setObjectName("speakers")
        self.speakers.itemChanged.connect(self._pseudonym_edited)
        tabs = QTabWidget()
        tabs.addTab(self.preview, "Preview")
        tabs.addTab(self.problems, "Problems")
        tabs.addTab(self.speakers, "Speakers")
        self.tabs = tabs
        split = QSplitter()
        split.addWidget(self.sessions_table)
        split.addWidget(tabs)
        split.setSizes([300, 800])

        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.repair_button = self.buttons.addButton(
            "Import with the listed repairs", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        on_click(self.import_button, lambda: self._run("fail"))
        on_click(self.repair_button, lambda: self._run("repair"))
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        for widget in (self.format_box, self.kind_box):
            widget.currentIndexChanged.connect(lambda _i: self.refresh())
        for box in self.map_boxes.values():
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    # -- behaviour -------------------------------------------------------------------------
    def _choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self,
            "Transcripts to import",
            "",
            "Transcripts (*.txt *.docx *.srt *.vtt *.csv *.tsv *.xlsx *.eaf);;All files (*)",
        )
        self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> None:
        for path in paths:
            if path not in self.files:
                self.files.append(path)
                self.file_list.addItem(str(path))
        self._load_columns()
        self.refresh()

    def _load_columns(self) -> None:
        table = next(
            (
                p
                for p in self.files
                if (self.format_box.currentData() or detect_format(p)) in ("csv", "tsv", "xlsx")
            ),
            None,
        )
        self.mapping_box.setEnabled(table is not None)
        if table is None:
            return
        try:
            header, guessed = table_columns(
                table, self.format_box.currentData() or detect_format(table)
            )
        except ImportError_:  # the problems tab reports what is wrong with the file
            return
        for fld, box in self.map_boxes.items():
            box.blockSignals(True)
            box.clear()
            box.addItem("(none)", None)
            for col in header:
                box.addItem(col, col)
            box.setCurrentIndex(max(box.findData(guessed.get(fld)), 0))
            box.blockSignals(False)

    def _overrides(self) -> dict[str, str]:
        if not self.mapping_box.isEnabled():
            return {}
        return {fld: box.currentData() for fld, box in self.map_boxes.items() if box.currentData()}

    def refresh(self) -> None:
        kind = self.kind_box.currentText()
        if not self.files:
            self._generation += 1  # a read still running is out of date
            self.plan = None
            self._fill([], [])
            self.summary.setText("Add transcript files to import.")
            self.import_button.setEnabled(False)
            self.repair_button.setEnabled(False)
            return
        if self.plan_task is not None and self.plan_task.running:
            self.plan_task.cancel()  # newer settings replace it
        self._generation += 1
        generation, project = self._generation, self.service.project
        files, fmt, overrides = list(self.files), self.format_box.currentData(), self._overrides()
        self.plan = None
        self.import_button.setEnabled(False)
        self.repair_button.setEnabled(False)
        self.summary.setText(f"Reading {len(files)} file(s)…")

        def done(plan: ImportPlan) -> None:
            if generation == self._generation:
                self._show_plan(plan)

        # on a worker: many files, or big ones, take seconds to read and check
        self.plan_task = run_task(
            self,
            "Reading the files",
            lambda progress: plan_import(project, files, fmt, kind, overrides, progress=progress),
            done,
            lambda _exc: generation != self._generation,  # an older read's failure: replaced
        )

    def _show_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        self._fill(self.plan.sessions, self.plan.problems)
        n, u, p = len(self.plan.sessions), self.plan.utterances, len(self.plan.problems)
        text = f"{n} session(s), {u} utterances."
        if p:
            fixable = (
                "every one can be repaired" if self.plan.repairable else "some cannot be repaired"
            )
            text += f" <b>{p} problem(s)</b>: {fixable}. Cancel changes nothing."
            self.tabs.setCurrentWidget(self.problems)
        self.summary.setText(text)
        self.import_button.setEnabled(n > 0 and p == 0)
        self.repair_button.setEnabled(
            p > 0 and self.plan.repairable and (n > 0 or bool(self.plan.skipped))
        )

    def _fill(self, sessions, problems) -> None:
        self.sessions_table.setRowCount(len(sessions))
        for row, planned in enumerate(sessions):
            s = planned.parsed
            end = max((u.end_s or u.start_s or 0 for u in s.utterances), default=s.duration_s)
            for col, value in enumerate(
                [s.title, str(len(s.utterances)), format_timestamp(end or None)]
            ):
                self.sessions_table.setItem(row, col, QTableWidgetItem(value))
        self.problems.setRowCount(len(problems))
        for row, p in enumerate(problems):
            for col, value in enumerate(
                [Path(p.source).name, p.where, p.value, p.message, p.repair or "cannot be repaired"]
            ):
                item = QTableWidgetItem(value)
                item.setToolTip(str(p))
                self.problems.setItem(row, col, item)
        for col in range(3):
            self.problems.resizeColumnToContents(col)
        self.problems.setColumnWidth(3, 470)
        self.problems.resizeRowsToContents()
        if sessions:
            self.sessions_table.setCurrentCell(0, 0)
            self._show_session(0)
        else:
            self.preview.setRowCount(0)
            self.speakers.setRowCount(0)

    def _show_session(self, row: int) -> None:
        if self.plan is None or not 0 <= row < len(self.plan.sessions):
            return
        planned = self.plan.sessions[row]
        utts = planned.parsed.utterances[:PREVIEW_ROWS]
        self.preview.setRowCount(len(utts))
        for r, u in enumerate(utts):
            for col, value in enumerate([u.where, format_timestamp(u.start_s), u.speaker, u.text]):
                self.preview.setItem(r, col, QTableWidgetItem(value))
        self.preview.resizeColumnsToContents()
        self.speakers.blockSignals(True)
        self.speakers.setRowCount(len(planned.participants))
        for r, part in enumerate(planned.participants):
            label = QTableWidgetItem(part.label)
            label.setFlags(label.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.speakers.setItem(r, 0, label)
            self.speakers.setItem(r, 1, QTableWidgetItem(part.pseudonym))
            roles = QComboBox()
            roles.addItems(ROLES[planned.parsed.kind])
            roles.setCurrentText(part.role)
            roles.currentTextChanged.connect(partial(self._set_role, r))
            self.speakers.setCellWidget(r, 2, roles)
        self.speakers.blockSignals(False)

    def _current(self):
        row = self.sessions_table.currentRow()
        return self.plan.sessions[row] if self.plan and 0 <= row < len(self.plan.sessions) else None

    def _set_role(self, index: int, role: str) -> None:
        planned = self._current()
        if planned is not None:
            part = planned.participants[index]
            planned.participants[index] = ParticipantPlan(part.label, part.pseudonym, role)

    def _pseudonym_edited(self, item: QTableWidgetItem) -> None:
        planned = self._current()
        if planned is not None and item.column() == 1:
            part = planned.participants[item.row()]
            planned.participants[item.row()] = ParticipantPlan(
                part.label, item.text().strip() or part.label, part.role
            )

    def _run(self, on_problem: str) -> None:
        if self.plan is None:
            return
        if self.length_radio.isChecked():
            self.plan.segment_length_s = self.length_spin.value() * 60
        else:
            self.plan.segment_length_s, self.plan.segment_utterances = 0.0, self.count_spin.value()
        service, plan = self.service, self.plan

        def done(change) -> None:
            self.imported = list(change.result) if change is not None else []
            self.accept()

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ImportRefused | Cancelled):
                self.summary.setText(f"<b>Not imported:</b> {exc}")
                return True
            return False

        # one command on a worker: Cancel rolls the whole import back
        self.import_task = run_task(
            self,
            "Importing",
            lambda progress: run_import(service, plan, on_problem, progress),
            done,
            failed,
        )
