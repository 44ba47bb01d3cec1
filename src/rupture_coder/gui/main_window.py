"""The coding workspace: sessions, transcript (or media), codebook, ratings, codes, timeline."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from rupture_coder.errors import InputError, RuptureCoderError
from rupture_coder.gui.bus import ChangeBus
from rupture_coder.gui.buttons import on_click
from rupture_coder.gui.codebook_panel import CodebookPanel
from rupture_coder.gui.codes_panel import CodesPanel
from rupture_coder.gui.coding import CodingContext, CodingController
from rupture_coder.gui.coding_actions import CodingActions
from rupture_coder.gui.identity_actions import IdentityActions
from rupture_coder.gui.navigation_actions import NavigationActions
from rupture_coder.gui.project_actions import ProjectActions
from rupture_coder.gui.rating_forms import RatingForm
from rupture_coder.gui.session_list import SessionList
from rupture_coder.gui.study_actions import StudyActions
from rupture_coder.gui.summary_panel import SummaryPanel
from rupture_coder.gui.tasks import Task, run_in_background
from rupture_coder.gui.timeline import Timeline
from rupture_coder.gui.transcript_model import TranscriptModel
from rupture_coder.gui.transcript_view import TranscriptView
from rupture_coder.gui.warnings_panel import WarningsPanel
from rupture_coder.gui.workspace_state import SessionState
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.identity import copy_rater
from rupture_coder.services.notices import Notice, Topic
from rupture_coder.shortcuts import keys
from rupture_coder.store.db import Project
from rupture_coder.timestamps import format_timestamp

SAVED = "✓ every change saved"


class MainWindow(
    CodingActions, StudyActions, ProjectActions, IdentityActions, NavigationActions, QMainWindow
):
    def __init__(self, project: Project, actor: str, rater_id: str | None = None):
        super().__init__()
        self.setObjectName("MainWindow")
        self.project = project
        self.service = ProjectService(project, actor)
        self.bus = ChangeBus(self.service, self)
        self.bus.changed.connect(self._on_changed)
        self.bus.failed.connect(self._on_failed)
        self.state = SessionState()
        self.picked_code: str | None = None  # a code picked up (Ctrl+M in the codes list) to move
        self.identity: str | None = rater_id
        self._slow_timer = QTimer(self, singleShot=True, interval=250)
        self._slow_timer.timeout.connect(self._refresh_slow_views)
        self._warnings_task: Task | None = None
        self._warnings_asked = 0
        self._warnings_of: tuple[str | None, str] | None = None  # the session and rater shown
        self.media = None
        self._following = False
        self.ask_text = self._ask_text
        self._build_ui()
        self._build_actions()
        self.coding = CodingController(
            self.view, lambda: self.service, self._context, self._media_position, self
        )
        self.coding.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.reload()
        self._restore_state()
        self.remember_recent()

    def _ask_text(self, title: str, label: str, text: str = "") -> tuple[str, bool]:
        answer = QInputDialog.getText(self, title, label, text=text)
        self.back_to_transcript()  # the keyboard goes back where the coder works
        return answer

    # -- layout ------------------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_ui(self) -> None:
        self.resize(1360, 860)
        self.session_list = SessionList()
        self.sessions = self.session_list.tree
        self.session_list.chosen.connect(self._show_session)
        left = self._dock(
            "Sessions", "sessionsDock", self.session_list, Qt.DockWidgetArea.LeftDockWidgetArea
        )

        self.codebook_panel = CodebookPanel()
        self.codebook_panel.setObjectName("codebook")
        self.codebook_panel.itemDoubleClicked.connect(lambda item, _c: self._code_from_panel(item))
        right = self._dock(
            "Codebook", "codebookDock", self.codebook_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.segment_form = RatingForm("segment")
        self.segment_form.rated.connect(lambda rid, v, na: self._rate(rid, v, na, segment=True))
        self.session_form = RatingForm("session")
        self.session_form.rated.connect(lambda rid, v, na: self._rate(rid, v, na, segment=False))
        self.warnings = WarningsPanel()
        self.warnings.segment_chosen.connect(self._go_to_segment)
        self.complete_button = QPushButton("Mark session complete (Ctrl+Return)")
        on_click(self.complete_button, self.mark_complete)
        ratings = QWidget()
        rl = QVBoxLayout(ratings)
        for widget in (self.segment_form, self.session_form, self.warnings, self.complete_button):
            rl.addWidget(widget)
        rl.addStretch()
        self.ratings_dock = self._dock(
            "Ratings", "ratingsDock", ratings, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.codes_panel = CodesPanel()
        self.codes_dock = self._dock(
            "Codes here", "codesDock", self.codes_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.summary = SummaryPanel()
        self.summary_dock = self._dock(
            "Session summary", "summaryDock", self.summary, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.tabifyDockWidget(right, self.summary_dock)
        self.summary_dock.visibilityChanged.connect(
            lambda visible: visible and self._show_summary()
        )
        right.raise_()
        self.resizeDocks([left, right], [300, 420], Qt.Orientation.Horizontal)

        self.header = QLabel()
        self.header.setObjectName("sessionHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setMargin(6)
        self.model = TranscriptModel(self)
        self.view = TranscriptView(self.model)
        self.view.current_changed.connect(self._on_current_row)
        self.view.doubleClicked.connect(lambda index: self._seek_to_row(index.row()))
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("search the transcript (Enter: next hit)")
        self.search.returnPressed.connect(lambda: self._find())
        self.search.hide()
        self.timeline = Timeline()
        self.timeline.position_clicked.connect(self._on_timeline_click)
        self.media_holder = QWidget()
        self.media_holder.setLayout(QVBoxLayout())
        self.media_holder.layout().setContentsMargins(0, 0, 0, 0)
        self.media_holder.hide()
        self.central = QWidget()
        self.central.setObjectName("workspace")
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        for widget in (self.media_holder, self.header, self.search, self.view):
            tl.addWidget(widget)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.timeline)
        split.setSizes([640, 190])
        layout = QVBoxLayout(self.central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.setCentralWidget(self.central)

        bar = QToolBar("Rater", self)
        bar.setObjectName("raterBar")
        bar.addWidget(QLabel(" Coding as: "))
        self.rater_box = QComboBox()
        self.rater_box.setObjectName("rater")
        self.rater_box.setMinimumWidth(200)
        self.rater_box.currentIndexChanged.connect(lambda _i: self._load_codes())
        bar.addWidget(self.rater_box)
        self.blind_label = QLabel()
        bar.addWidget(self.blind_label)
        self.addToolBar(bar)
        self.save_state = QLabel(SAVED)
        self.save_state.setObjectName("saveState")
        self.statusBar().addPermanentWidget(self.save_state)
        self.statusBar().showMessage(
            "Every change is saved the moment you make it. F1 lists the keys."
        )

    def _action(
        self, menu, text: str, shortcut_id: str | None, slot, shortcut: str | None = None
    ) -> QAction:
        action = QAction(text, self)
        seq = shortcut or (keys(shortcut_id) if shortcut_id else None)
        if seq:
            action.setShortcut(QKeySequence(seq))
        on_click(action, slot)
        menu.addAction(action)
        self.addAction(action)  # live even when the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        m = self.menuBar().addMenu("&File")
        self.new_action = self._action(m, "&New project…", "new_project", self._new_dialog)
        self.open_action = self._action(m, "&Open project…", "open", self._open_dialog)
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.import_action = self._action(
            m, "&Import sessions…", "import", lambda: self.import_files([])
        )
        m.addSeparator()
        self.code_as_action = self._action(m, "&Code as…", None, self.choose_identity)
        self._action(m, "Save a cop&y…", None, self.save_copy)
        self.settings_action = self._action(m, "Project &settings…", None, self.open_settings)
        self.restore_action = self._action(m, "Restore from &backup…", None, self.open_restore)
        m.addSeparator()
        self._action(m, "&Quit", None, self.close, "Ctrl+Q")
        m = self.menuBar().addMenu("&Edit")
        self.undo_action = self._action(m, "&Undo", "undo", self.undo_last)
        self.redo_action = self._action(m, "&Redo", "redo", self.redo_last)
        m.addSeparator()
        self._action(m, "&Search transcript", "search", self._start_search)
        self._action(m, "Find &next", "search_next", self._find)
        m = self.menuBar().addMenu("Sess&ion")
        self._action(m, "&Next session", "next_session", lambda: self.step_session(1))
        self._action(m, "&Previous session", "previous_session", lambda: self.step_session(-1))
        self._action(m, "&Filter the session list", "filter_sessions", self._focus_filter)
        m.addSeparator()
        self.attach_action = self._action(m, "&Attach a transcript…", None, self.attach_transcript)
        self.resegment_action = self._action(m, "Re-cut &segments…", None, self.resegment_session)
        self.delete_session_action = self._action(
            m, "&Delete this session…", None, self.delete_session
        )
        m = self.menuBar().addMenu("&Coding")
        self._action(m, "Next segment", "next_segment", lambda: self.view.goto_segment(1))
        self._action(m, "Previous segment", "previous_segment", lambda: self.view.goto_segment(-1))
        self._action(m, "Rate the current segment", "rate_segment", self._focus_segment_form)
        self._action(m, "Session ratings", "rate_session", self._focus_session_form)
        self._action(m, "Mark session complete", "mark_complete", self.mark_complete)
        self._action(m, "Back to the transcript", "back_to_transcript", self._back_to_transcript)
        m.addSeparator()
        self._action(m, "Codes on this utterance", "codes_here", self._focus_codes)
        self.delete_action = self._action(m, "Delete the selected code", None, self.delete_code)
        self.delete_action.setShortcut(QKeySequence(keys("delete_code")))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.codes_panel.addAction(self.delete_action)
        self._action(m, "Pick up / move the code to the selection", "move_code", self.move_code)
        self._action(m, "Note on the code…", "note_code", self.note_code)
        self._action(m, "Flag the code for review…", "flag_code", self.flag_code)
        m = self.menuBar().addMenu("&Media")
        self._action(m, "Play / pause", "play_pause", lambda: self.media and self.media.toggle())
        self.spans_action = self._action(
            m, "Code &spans (start and end)", "spans", self._toggle_spans
        )
        self.spans_action.setCheckable(True)
        self._action(m, "Jump back", "jump_back", lambda: self._jump(-1))
        self._action(m, "Jump forward", "jump_forward", lambda: self._jump(1))
        self._action(m, "Slower", "slower", lambda: self.media and self.media.step_speed(-1))
        self._action(m, "Faster", "faster", lambda: self.media and self.media.step_speed(1))
        m = self.menuBar().addMenu("&Study")
        self.reconcile_action = self._action(
            m, "&Reconcile this session…", None, self.open_reconcile
        )
        self.review_action = self._action(m, "Supervisor re&view…", None, self.open_review)
        self.calibration_action = self._action(
            m, "&Calibration and drift…", None, self.open_calibration
        )
        m.addSeparator()
        self.add_file_actions(m)
        self.session_report_action = self._action(
            m, "Session report (&DOCX)…", None, self._session_report
        )
        self.study_report_action = self._action(
            m, "Stud&y report (DOCX)…", None, self._study_report
        )
        m.addSeparator()
        self.raters_action = self._action(m, "R&aters…", None, self.open_raters)
        m = self.menuBar().addMenu("&Analysis")
        self.agreement_action = self._action(
            m, "Inter-rater &agreement…", "agreement", self.open_agreement
        )
        m.addAction(self.summary_dock.toggleViewAction())
        m = self.menuBar().addMenu("&Help")
        self._action(m, "&User guide", None, self.open_user_guide)
        self._action(m, "&Keyboard", "help", self.show_help)
        self._action(m, "&About rupture-coder", None, self._about)
        self._update_undo_actions()

    # -- identity, sessions, codes ----------------------------------------------------------------
    def _context(self) -> CodingContext:
        return CodingContext(
            self.state.session_id, self.rater_box.currentData(), self.state.codebook
        )

    def set_identity(self, rater_id: str) -> None:
        """Code as this rater; a coder is blind (sees only their own codes), a lead may view others."""
        self.identity = rater_id
        if self.project.path is not None:
            QSettings().setValue(f"identity/{self.project.path}", rater_id)
        if self.state.session_id is None:
            self.reload()  # the empty window's header no longer asks for a name
        else:
            self._reload_raters()
            self._load_codes()
            self._refresh_status()

    def choose_identity(self) -> None:
        """Ask who codes (a new project starts with nobody): choose a rater or type a name."""
        from rupture_coder.gui.dialogs import ask_identity

        rater_id = ask_identity(self.project, self, force=True)
        if rater_id is not None:
            self.set_identity(rater_id)
        self.back_to_transcript()

    def reload(self) -> None:
        current = self.state.session_id
        self.setWindowTitle(
            f"rupture-coder - {self.project.path.name if self.project.path else self.project.url}"
        )
        self._reload_raters()
        selected = self.session_list.fill(queries.list_sessions(self.project), current)
        self._refresh_status()
        if selected is not None:
            self._show_session(selected)
        else:
            self.state = SessionState()
            self.model.set_session([], [], {})
            nobody = (
                ""
                if self.rater_box.count()
                else " Nobody codes here yet: File › Code as… (type your name)."
            )
            self.header.setText(
                "<b>No sessions yet.</b> Import a transcript or a video (Ctrl+I) to start coding."
                + nobody
            )
        self._update_session_actions()

    def _reload_raters(self) -> None:
        raters = queries.raters(self.project)
        copy_of = copy_rater(self.project)  # a coder copy is its rater's, whoever asks
        if copy_of is not None:
            self.identity = copy_of
        elif self.identity is None and self.project.path is not None:
            self.identity = QSettings().value(f"identity/{self.project.path}")
        me = next((r for r in raters if r.id == self.identity), None)
        if me is None:
            me = next((r for r in raters if r.role == "coder"), raters[0] if raters else None)
            self.identity = me.id if me else None
        blind = me is not None and (me.role == "coder" or copy_of is not None)
        if me is not None:
            self.service.actor = me.name  # audit, comments and decisions name the rater
        self.service.rater_id = me.id if me is not None else None  # the core checks its role
        self.rater_box.blockSignals(True)
        self.rater_box.clear()
        for r in raters:
            if r.role in ("coder", "lead", "consensus", "supervisor") and (
                not blind or r.id == me.id
            ):
                self.rater_box.addItem(r.name, r.id)
        self.rater_box.setCurrentIndex(max(self.rater_box.findData(self.identity), 0))
        self.rater_box.setEnabled(not blind)
        self.blind_label.setText("  blind: you see only your own codes" if blind else "")
        role = me.role if me is not None else None
        if hasattr(self, "reconcile_action"):
            lead_exists = any(r.role == "lead" for r in raters)
            self.show_role_tools(role, copy_of is not None, lead_exists)
        self.rater_box.blockSignals(False)

    def _refresh_status(self, session_ids: set[str] | None = None) -> None:
        """The status column, of every session or (after a change) of the sessions it touched."""
        rater_id = self.rater_box.currentData()
        status = queries.session_status(self.project, rater_id, session_ids) if rater_id else {}
        self.session_list.set_status(status, self.rater_box.currentText() or None, session_ids)

    def step_session(self, direction: int) -> None:
        """The next or previous session of the (filtered) list, the keyboard in its transcript."""
        if not self.session_list.step(direction):
            self.statusBar().showMessage(
                "this is the last session" if direction > 0 else "this is the first session", 3000
            )
        self.view.setFocus()

    def _focus_filter(self) -> None:
        self.session_list.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.session_list.filter.selectAll()

    def _show_session(self, session_id: str) -> None:
        if queries.session_row(self.project, session_id) is None:
            return
        previous = self.state.codebook.key if self.state.codebook else None
        same = session_id == self.state.session_id
        keep_row, keep_span = self.view.current_row(), self.view.selected_span()
        self.state.load(self.project, session_id)
        st = self.state
        self.model.set_session(st.rows, st.segment_of, st.category_of)
        if previous != st.codebook.key:
            self.coding.bind(st.codebook, self.central)
        self.codebook_panel.set_codebook(st.codebook)
        self.segment_form.set_codebook(st.codebook)
        self.session_form.set_codebook(st.codebook)
        self.session_form.title.setText("<b>Session</b>")
        self.picked_code = None
        self._set_media(st.session.media_path)
        minutes = (
            f"{st.session.segment_length_s / 60:g}-minute"
            if st.session.segment_length_s
            else f"{st.session.segment_utterances}-utterance"
            if st.session.segment_utterances
            else "manual"
        )
        self.header.setText(
            f"<b style='font-size:14pt'>{st.session.title}</b><br>{st.session.kind} session · {len(st.rows)} utterances · "
            f"{len(st.segments)} {minutes} segments · codebook {st.codebook.id} {st.codebook.version}"
        )
        self._load_codes()
        if st.rows and same and keep_span and keep_span[1] < len(st.rows):
            self.view.select_rows(
                *keep_span
            )  # a reload of the same session keeps the coder's place
        elif st.rows:
            self.view.select_rows(0 if not same else min(keep_row, len(st.rows) - 1))
        else:
            self.show_segment(self.current_segment())
        self._update_session_actions()
        self.view.setFocus()

    def _set_media(self, path: str | None) -> None:
        if path and self.media is None:
            from rupture_coder.gui.media_panel import MediaPanel

            self.media = MediaPanel()
            self.media.position_changed.connect(self._on_media_position)
            self.media_holder.layout().addWidget(self.media)
        if self.media is not None:
            self.media.load(path)
        self.media_holder.setVisible(bool(path))

    def _load_codes(self) -> None:
        rater_id = self.rater_box.currentData()
        if not (self.state.session_id and rater_id):
            return
        self.state.load_codes(self.project, rater_id)
        self.model.set_codes(self.state.codes)
        self._show_codes()
        self._refresh_slow_views()

    def _show_codes(self) -> None:
        """What a coder must see at once: the codes here and the ratings (the transcript's codes
        column is the model's, updated by the caller)."""
        self._on_current_row(self.view.current_row())
        self.session_form.show_values(self.state.session_ratings)

    def _refresh_slow_views(self) -> None:
        """Views computed from all the codes: the timeline, the warnings, the summary."""
        rater_id = self.rater_box.currentData()
        if not (self.state.session_id and rater_id):
            return
        self.timeline.show(*self.state.timeline_data())
        self._on_current_row(self.view.current_row())
        self._refresh_warnings(rater_id)
        self._show_summary()

    def _refresh_warnings(self, rater_id: str) -> None:
        """On a worker, from the codes in hand: at 50,000 codes they take a moment, and the coder
        goes on typing meanwhile. The newest request wins."""
        self._warnings_asked += 1
        asked, project, session_id = self._warnings_asked, self.project, self.state.session_id
        codes = list(self.state.codes)  # a snapshot: the rows themselves never change
        if self._warnings_of != (session_id, rater_id):  # another session's must not linger
            self.state.warnings = []
            self.warnings.show_warnings([])

        def done(warnings: list[str]) -> None:
            if asked == self._warnings_asked:
                self.state.warnings, self._warnings_of = warnings, (session_id, rater_id)
                self.warnings.show_warnings(warnings)

        self._warnings_task = run_in_background(
            self,
            "Consistency warnings",
            lambda _progress: queries.warnings(project, session_id, rater_id, codes),
            done,
        )

    def slow_views_current(self) -> bool:
        """True once the timeline, the warnings and the summary show the latest change."""
        return not self._slow_timer.isActive() and not (
            self._warnings_task is not None and self._warnings_task.running
        )

    def _show_summary(self) -> None:
        """Only while the summary is on screen: it is recomputed from all the codes."""
        if self.summary_dock.isVisible() and not self.summary_dock.visibleRegion().isEmpty():
            self.summary.show_summary(
                self.project, self.state.session_id, self.rater_box.currentData()
            )

    def _on_changed(self, notice: Notice) -> None:
        rater_id = self.rater_box.currentData()
        sid = self.state.session_id
        if notice.touches(Topic.SESSIONS, Topic.RATERS, Topic.CODEBOOKS):
            self.reload()
        elif sid and rater_id and notice.touches_session(sid, Topic.CODES, Topic.RATINGS):
            if Topic.CODES in notice.topics:
                self.model.update_codes(
                    *self.state.update_codes(self.project, rater_id, notice.code_ids)
                )
            if Topic.RATINGS in notice.topics:
                self.state.load_ratings(self.project, rater_id)
            self._show_codes()
            self._slow_timer.start()  # timeline, warnings and summary follow a moment later
        elif notice.touches(Topic.SETTINGS):
            self._slow_timer.start()  # thresholds and windows change the summary
        if notice.touches(Topic.CODES, Topic.RATINGS, Topic.COMPLETION):
            known = not (notice.everything or notice.some_sessions_unknown)
            self._refresh_status(notice.session_ids if known and notice.session_ids else None)
        self.save_state.setText(SAVED)
        self.save_state.setStyleSheet("")
        self.save_state.setToolTip("every change is committed to the project file at once")
        self._update_undo_actions()

    def show_segment(self, seg) -> None:
        """The segment ratings form shows this segment (title, span, the rater's values)."""
        st = self.state
        if seg is None:
            self.segment_form.title.setText("<b>Segment</b>")
            return
        span = (
            format_timestamp(seg.start_s) + "–" + format_timestamp(seg.end_s)
            if seg.start_s is not None
            else ""
        )
        notes = " (partial)" if seg.partial else ""
        if st.rows and seg.first_position is None:
            notes += " · no utterances: nothing to rate"
        self.segment_form.title.setText(
            f"<b>Segment {seg.index + 1} of {len(st.segments)}</b> {span}{notes}"
        )
        self.segment_form.show_values(st.segment_ratings.get(seg.id, {}))

    def _on_current_row(self, row: int) -> None:
        st = self.state
        if not st.rows or row < 0:
            self.codes_panel.show_codes(
                [c for c in st.codes if c.first_position is None], st.codebook
            )
            self.show_segment(self.current_segment())
            return
        self.show_segment(st.segment_at_row(row))
        span = self.view.selected_span() or (row, row)
        # the codes where the selection starts: extending it (Shift+Down) keeps them in view
        self.codes_panel.show_codes(self.model.codes_at(span[0]), st.codebook)
        u = st.rows[row]
        x0 = st.rows[span[0]].start_s if st.timed else float(span[0])
        x1 = st.rows[span[1]].start_s if st.timed else float(span[1])
        x = u.start_s if st.timed and u.start_s is not None else float(row)
        self.timeline.set_position(
            x, (x0, x1) if x0 is not None and x1 is not None and span[1] > span[0] else None
        )
        if self.media is not None and not self._following and u.start_s is not None:
            self.media.seek(u.start_s)

    # -- status, window state ----------------------------------------------------------------------
    def _on_failed(self, error: RuptureCoderError) -> None:
        """The status line never claims a save that failed."""
        refused = isinstance(error, InputError)  # a refusal: nothing was meant to be written
        self.save_state.setText(
            "✗ refused: nothing changed" if refused else "✗ last change NOT saved"
        )
        self.save_state.setStyleSheet("color: #b00020; font-weight: bold;")
        self.save_state.setToolTip(str(error))
        self.statusBar().showMessage(f"Not saved: {error}", 15000)

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
        if self.media is not None:
            self.media.player.stop()
        super().closeEvent(event)
