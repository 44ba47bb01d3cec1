"""The main window: sessions, the transcript with the current rater's codes, the codebook."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTableView,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rupture_coder import __version__, queries
from rupture_coder.gui.agreement_dashboard import AgreementDashboard
from rupture_coder.gui.bus import ChangeBus
from rupture_coder.gui.codebook_panel import CodebookPanel
from rupture_coder.gui.import_dialog import ImportDialog
from rupture_coder.gui.summary_panel import SummaryPanel
from rupture_coder.gui.transcript_model import TranscriptModel
from rupture_coder.services import NothingToUndo, ProjectService, UndoConflict
from rupture_coder.store.db import Project, ProjectError, open_project
from rupture_coder.timestamps import format_timestamp


class MainWindow(QMainWindow):
    def __init__(self, project: Project, actor: str):
        super().__init__()
        self.setObjectName("MainWindow")
        self.project = project
        self.service = ProjectService(project, actor)
        self.bus = ChangeBus(self.service, self)
        self.bus.changed.connect(self._on_changed)
        self.session_id: str | None = None
        self._build_ui()
        self._build_actions()
        self.reload()
        self._restore_state()

    # -- layout ----------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.resize(1280, 800)
        self.sessions = QTreeWidget()
        self.sessions.setObjectName("sessions")
        self.sessions.setHeaderLabels(["Session", "Kind", "Utt.", "Length"])
        self.sessions.setRootIsDecorated(False)
        self.sessions.setAlternatingRowColors(True)
        self.sessions.currentItemChanged.connect(self._on_session_selected)
        dock = QDockWidget("Sessions", self)
        dock.setObjectName("sessionsDock")
        dock.setWidget(self.sessions)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

        self.codebook_panel = CodebookPanel()
        self.codebook_panel.setObjectName("codebook")
        dock = QDockWidget("Codebook", self)
        dock.setObjectName("codebookDock")
        dock.setWidget(self.codebook_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.resizeDocks(
            [self.findChild(QDockWidget, "sessionsDock"), dock],
            [270, 360],
            Qt.Orientation.Horizontal,
        )

        self.summary = SummaryPanel()
        dock = QDockWidget("Session summary", self)
        dock.setObjectName("summaryDock")
        dock.setWidget(self.summary)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.summary_dock = dock

        self.header = QLabel()
        self.header.setObjectName("sessionHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setMargin(6)
        self.model = TranscriptModel(self)
        self.table = QTableView()
        self.table.setObjectName("transcript")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        hh = self.table.horizontalHeader()
        for col, mode in enumerate(
            [QHeaderView.ResizeMode.ResizeToContents] * 3 + [QHeaderView.ResizeMode.Stretch]
        ):
            hh.setSectionResizeMode(col, mode)
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        hh.resizeSection(4, 190)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.table)
        self.setCentralWidget(central)

        bar = QToolBar("Rater", self)
        bar.setObjectName("raterBar")
        bar.addWidget(QLabel(" Coding as: "))
        self.rater_box = QComboBox()
        self.rater_box.setObjectName("rater")
        self.rater_box.setMinimumWidth(180)
        self.rater_box.currentIndexChanged.connect(lambda _i: self._load_codes())
        bar.addWidget(self.rater_box)
        self.addToolBar(bar)
        self.statusBar().showMessage("Every change is saved the moment you make it.")

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = QAction("&Open project…", self, shortcut=QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self._open_dialog)
        file_menu.addAction(self.open_action)
        self.import_action = QAction("&Import sessions…", self, shortcut=QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(lambda: self.import_files([]))
        file_menu.addAction(self.import_action)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = QAction("&Undo", self, shortcut=QKeySequence("Ctrl+Z"))
        self.undo_action.triggered.connect(lambda: self._replay(self.service.undo))
        self.redo_action = QAction("&Redo", self, shortcut=QKeySequence("Ctrl+Shift+Z"))
        self.redo_action.triggered.connect(lambda: self._replay(self.service.redo))
        edit_menu.addActions([self.undo_action, self.redo_action])
        analysis = self.menuBar().addMenu("&Analysis")
        self.agreement_action = QAction(
            "Inter-rater &agreement…", self, shortcut=QKeySequence("Ctrl+Shift+A")
        )
        self.agreement_action.triggered.connect(self.open_agreement)
        analysis.addAction(self.agreement_action)
        analysis.addAction(self.summary_dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About rupture-coder", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)
        self._update_undo_actions()

    # -- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        current = self.session_id
        self.setWindowTitle(
            f"rupture-coder - {self.project.path.name if self.project.path else self.project.url}"
        )
        self.sessions.blockSignals(True)
        self.sessions.clear()
        selected = None
        for info in queries.list_sessions(self.project):
            item = QTreeWidgetItem(
                [info.title, info.kind, str(info.utterances), format_timestamp(info.duration_s)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, info.id)
            item.setToolTip(
                0,
                f"{info.title}\nsource: {info.source_file or '-'}\ncodebook: {' '.join(info.codebook or ())}",
            )
            self.sessions.addTopLevelItem(item)
            if info.id == current or selected is None:
                selected = item
        for col in range(4):
            self.sessions.resizeColumnToContents(col)
        self.sessions.blockSignals(False)
        self._reload_raters()
        if selected is not None:
            self.sessions.setCurrentItem(selected)
            self._show_session(selected.data(0, Qt.ItemDataRole.UserRole))
        else:
            self.header.setText("<b>No sessions yet.</b> Import a transcript to start coding.")

    def _reload_raters(self) -> None:
        keep = self.rater_box.currentData()
        self.rater_box.blockSignals(True)
        self.rater_box.clear()
        for r in queries.raters(self.project):
            if r.role in ("coder", "lead", "consensus"):
                self.rater_box.addItem(r.name, r.id)
        index = self.rater_box.findData(keep) if keep else 0
        self.rater_box.setCurrentIndex(max(index, 0))
        self.rater_box.blockSignals(False)

    def _on_session_selected(self, item: QTreeWidgetItem | None, _prev=None) -> None:
        if item is not None:
            self._show_session(item.data(0, Qt.ItemDataRole.UserRole))

    def _show_session(self, session_id: str) -> None:
        self.session_id = session_id
        cb = queries.session_codebook(self.project, session_id)
        rows = queries.transcript(self.project, session_id)
        segs = queries.segments(self.project, session_id)
        segment_of = [0] * len(rows)
        for seg in segs:
            if seg.first_position is not None:
                for pos in range(seg.first_position, seg.last_position + 1):
                    segment_of[pos] = seg.index
        category_of = {item.id: cat.rupture_type for cat in cb.categories for item in cat.items}
        self.model.set_session(rows, segment_of, category_of)
        self.codebook_panel.set_codebook(cb)
        info = next(i for i in queries.list_sessions(self.project) if i.id == session_id)
        minutes = f"{cb.segment_length_s / 60:g}-minute"
        self.header.setText(
            f"<b style='font-size:14pt'>{info.title}</b><br>"
            f"{info.kind} session · {info.utterances} utterances · {len(segs)} {minutes} segments · "
            f"codebook {cb.id} {cb.version}"
        )
        self._load_codes()
        self.table.resizeRowsToContents()

    def _load_codes(self) -> None:
        rater_id = self.rater_box.currentData()
        if self.session_id and rater_id:
            self.model.set_codes(queries.codes(self.project, self.session_id, rater_id))
        self.summary.show_summary(self.project, self.session_id, rater_id)

    def _on_changed(self, tables: frozenset) -> None:
        if tables & {"sessions", "utterances", "segments", "raters", "codebook_versions", "*"}:
            self.reload()
        elif tables & {"code_events", "segment_ratings", "session_ratings"}:
            self._load_codes()
        self._update_undo_actions()

    # -- actions ---------------------------------------------------------------------------
    def _replay(self, step) -> None:
        try:
            change = step()
        except (NothingToUndo, UndoConflict) as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self.statusBar().showMessage(change.summary, 5000)

    def _update_undo_actions(self) -> None:
        undo, redo = self.service.undo_summary(), self.service.redo_summary()
        self.undo_action.setEnabled(undo is not None)
        self.undo_action.setText(f"&Undo {undo}" if undo else "&Undo")
        self.redo_action.setEnabled(redo is not None)
        self.redo_action.setText(f"&Redo {redo}" if redo else "&Redo")

    def open_agreement(self) -> AgreementDashboard:
        dashboard = AgreementDashboard(self.project, self)
        dashboard.show()
        return dashboard

    def import_files(self, files: list) -> ImportDialog:
        dialog = ImportDialog(self.service, files, self)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", "", "rupture-coder projects (*.rcproj);;All files (*)"
        )
        if path:
            self.open_project(path)

    def open_project(self, path: str) -> None:
        try:
            project = open_project(path, create=False)
        except ProjectError as exc:
            QMessageBox.warning(self, "Cannot open project", str(exc))
            return
        self.bus.close()
        self.project.close()
        self.project = project
        self.service = ProjectService(project, self.service.actor)
        self.bus = ChangeBus(self.service, self)
        self.bus.changed.connect(self._on_changed)
        self.session_id = None
        self.reload()
        self._update_undo_actions()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About rupture-coder",
            f"<b>rupture-coder {__version__}</b><p>Coding psychotherapy sessions for alliance ruptures "
            "and repairs, 3RS-style. The bundled codebooks paraphrase the 3RS in the project's own "
            "words; see each codebook's provenance note.</p>",
        )

    # -- window state ----------------------------------------------------------------------
    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("main/state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        settings = QSettings()
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/state", self.saveState())
        self.bus.close()
        super().closeEvent(event)
