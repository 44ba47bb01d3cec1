"""Agreement dashboard: choose unit, codebook, raters and sessions; per-item table, chart, export.

The unit "events" compares two raters' time-coded events session by session (aligned in order,
with an onset tolerance). Every cell shows the session bootstrap CI when there is one; the
methods sentence of the selected row can be copied for a manuscript."""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rupture_coder.agreement.results import clipped_ci
from rupture_coder.domain import EVENT_METHODS as METHODS
from rupture_coder.errors import Cancelled, RuptureCoderError
from rupture_coder.gui.buttons import on_click
from rupture_coder.gui.tasks import Task, run_task
from rupture_coder.services import queries
from rupture_coder.services.notices import Notice, Topic
from rupture_coder.store.db import Project
from rupture_coder.study.agreement import (
    ProjectAgreement,
    ProjectAgreementQuery,
    Statistic,
    project_agreement,
    result_rows,
)
from rupture_coder.study.events import EventAgreement, EventAgreementQuery, project_events
from rupture_coder.study.tabular import atomic_write_table
from rupture_coder.study.units import UNITS
from rupture_coder.tasks import Progress

COLUMNS = [
    "Item",
    "Units",
    "% agree",
    "Cohen κ",
    "Fleiss κ",
    "Krippendorff α",
    "Gwet AC",
    "ICC",
    "Band",
]
EVENT_COLUMNS = ["Session", "Events A", "Events B", "Event κ", "Time κ", "Band"]
BAND_COLOURS = {
    "poor": "#f6d5d1",
    "fair": "#fbe9c6",
    "moderate": "#fbe9c6",
    "good": "#dff0d8",
    "excellent": "#c9e7c0",
}


def _band(label: str, stat: Statistic) -> QTableWidgetItem:
    text = stat.band or ""
    if stat.band_ci and stat.band_ci != stat.band:
        text += f" (CI: {stat.band_ci})"
    band = QTableWidgetItem(text)
    band.setToolTip(f"band of {label}; judge it on the CI: {stat.band_ci or 'no CI'}")
    if stat.band:
        band.setBackground(QBrush(QColor(BAND_COLOURS[stat.band])))
    return band


def _cell(stat: Statistic | None) -> QTableWidgetItem:
    if stat is None:
        return QTableWidgetItem("")
    if stat.value is None:
        item = QTableWidgetItem("—")
        item.setToolTip(stat.reason or "")
        item.setForeground(QBrush(QColor("#888888")))
        return item
    text = f"{stat.value:.2f}"
    ci = stat.best_ci
    clipped = False
    if ci is not None:
        shown, clipped = clipped_ci(*ci)
        text += " " + shown
    item = QTableWidgetItem(text)
    source = "session bootstrap" if stat.ci95_bootstrap is not None else "analytic"
    tip = stat.name + (f"\n95% CI: {source}" if ci is not None else "")
    if clipped:
        tip += (
            f"\n† the interval computed ran to [{ci[0]:.2f}, {ci[1]:.2f}], past the coefficient's"
            " range with this few units; shown clipped to [-1, 1]"
        )
    item.setToolTip(tip + (f"\n{stat.note}" if stat.note else ""))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class AgreementDashboard(QDialog):
    def __init__(self, project: Project, bus=None, parent=None):
        super().__init__(parent)
        self.setObjectName("agreementDashboard")
        self.setWindowTitle("Inter-rater agreement")
        self.resize(1200, 760)
        self.project = project
        self.result: ProjectAgreement | EventAgreement | None = None
        self.task: Task | None = None
        self._generation = 0
        self._stale = False  # the data changed since the statistics shown were computed
        self._after_change = QTimer(self)  # a burst of key presses: one refresh, after it
        self._after_change.setSingleShot(True)
        self._after_change.setInterval(1000)
        self._after_change.timeout.connect(self._refresh_after_change)
        self._build()
        self.refresh()
        if bus is not None:
            bus.follow(self, self._on_notice)

    def _on_notice(self, notice: Notice) -> None:
        if notice.touches(Topic.SESSIONS, Topic.CODEBOOKS):
            self._fill_sessions()
        if notice.touches(
            Topic.SESSIONS, Topic.RATERS, Topic.CODEBOOKS, Topic.CODES, Topic.RATINGS
        ):
            # never at once, never with a progress dialog: a coder typing in the main window
            # must not be stopped by statistics recomputed behind it (nor by a hidden dashboard)
            self._stale = True
            if self.isVisible():
                self._after_change.start()

    def _refresh_after_change(self) -> None:
        if self._stale and self.isVisible():
            self.refresh(quiet=True)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:  # changed while hidden: brought up to date now
            self._after_change.start(0)

    def _build(self) -> None:
        self.unit_box = QComboBox()
        self.unit_box.addItems([*UNITS, "events"])
        self.method_box = QComboBox()
        self.method_box.addItems(METHODS)
        self.tolerance_box = QDoubleSpinBox()
        self.tolerance_box.setRange(0.0, 600.0)
        self.tolerance_box.setDecimals(1)
        self.tolerance_box.setSuffix(" s")
        self.tolerance_box.setValue(2.0)
        self.codebook_box = QComboBox()
        keys = sorted({s.codebook for s in queries.list_sessions(self.project) if s.codebook})
        for cb in keys:
            self.codebook_box.addItem(f"{cb[0]} {cb[1]}", f"{cb[0]}@{cb[1]}")
        self.rater_list = QListWidget()
        for r in queries.raters(self.project):
            item = QListWidgetItem(r.name)
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            # compared by default: the raters who coded; the consensus and raters who coded
            # nothing are listed, unchecked (a lead who only reconciled is not a second rater)
            coded = any(
                s != "not started" for s in queries.session_status(self.project, r.id).values()
            )
            if r.role == "consensus":
                item.setToolTip("the reconciled consensus: check it to compare raters with it")
            elif not coded:
                item.setToolTip(f"{r.name} has coded nothing yet")
            compared = coded and r.role != "consensus"
            item.setCheckState(Qt.CheckState.Checked if compared else Qt.CheckState.Unchecked)
            self.rater_list.addItem(item)
        self.session_list = QListWidget()
        self._fill_sessions()
        form = QFormLayout()
        form.addRow("Unit", self.unit_box)
        self.method_label, self.tolerance_label = (
            QLabel("Event &matching"),
            QLabel("Onset &tolerance"),
        )
        self.method_label.setBuddy(self.method_box)
        self.tolerance_label.setBuddy(self.tolerance_box)
        form.addRow(self.method_label, self.method_box)
        form.addRow(self.tolerance_label, self.tolerance_box)
        form.addRow("Codebook", self.codebook_box)
        form.addRow("Raters", self.rater_list)
        form.addRow("Sessions", self.session_list)
        export = QPushButton("Export CSV/XLSX…")
        on_click(export, self._export)
        self.export_button = export
        self.copy_button = QPushButton("&Copy methods sentence")
        self.copy_button.setToolTip(
            "The APA-style sentence of the selected row, for a methods section"
        )
        on_click(self.copy_button, self.copy_sentence)
        for button in (export, self.copy_button):  # Enter in a field must not open a file dialog
            button.setAutoDefault(False)
            button.setDefault(False)
        side = QWidget()
        sl = QVBoxLayout(side)
        sl.addLayout(form)
        sl.addWidget(export)
        sl.addWidget(self.copy_button)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("agreementTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("agreementPlot")
        self.plot.setMinimumHeight(220)
        self.status = QLabel()
        self.status.setWordWrap(True)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.table)
        right.addWidget(self.plot)
        right.setSizes([480, 240])
        split = QSplitter()
        split.addWidget(side)
        split.addWidget(right)
        split.setSizes([280, 920])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        self.unit_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.method_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.tolerance_box.valueChanged.connect(lambda _v: self.refresh())
        self.codebook_box.currentIndexChanged.connect(
            lambda _i: (self._fill_sessions(), self.refresh())
        )
        self.rater_list.itemChanged.connect(lambda _i: self.refresh())
        self.session_list.itemChanged.connect(lambda _i: self.refresh())

    def _fill_sessions(self) -> None:
        self.session_list.blockSignals(True)
        self.session_list.clear()
        wanted = self.codebook_box.currentData()
        for s in queries.list_sessions(self.project):
            if s.codebook and "@".join(s.codebook) == wanted:
                item = QListWidgetItem(s.title)
                item.setData(Qt.ItemDataRole.UserRole, s.id)
                item.setCheckState(Qt.CheckState.Checked)
                self.session_list.addItem(item)
        self.session_list.blockSignals(False)

    def _checked(self, widget: QListWidget) -> list[str]:
        return [
            widget.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        ]

    @property
    def events_mode(self) -> bool:
        return self.unit_box.currentText() == "events"

    def refresh(self, quiet: bool = False) -> None:
        """Compute the statistics of the selection on a worker: with a progress dialog when the
        person changed the selection, without one (``quiet``) when the data changed."""
        self._stale = False
        codebook = self.codebook_box.currentData()
        for widget in (
            self.method_box,
            self.method_label,
            self.tolerance_box,
            self.tolerance_label,
        ):
            widget.setVisible(self.events_mode)
        raters = tuple(self._checked(self.rater_list)) or None
        sessions = tuple(self._checked(self.session_list)) or None
        cb = tuple(codebook.split("@", 1)) if codebook else None
        project = self.project
        compute: Callable[[Progress], ProjectAgreement | EventAgreement]
        if self.events_mode:
            events_query = EventAgreementQuery(
                raters=raters, sessions=sessions, codebook=cb,  # type: ignore[arg-type]
                method=self.method_box.currentText(), tolerance_s=self.tolerance_box.value())  # fmt: skip
            compute = lambda _progress: project_events(project, events_query)  # noqa: E731
        else:
            query = ProjectAgreementQuery(
                unit=self.unit_box.currentText(), raters=raters, sessions=sessions, codebook=cb)  # type: ignore[arg-type]  # fmt: skip
            compute = lambda progress: project_agreement(project, query, progress)  # noqa: E731
        if self.task is not None and self.task.running:
            self.task.cancel()  # a newer selection replaces it
        self._generation += 1
        generation = self._generation
        self.status.setText("Computing…" if not quiet else "Computing… (the codes changed)")

        def done(result: ProjectAgreement | EventAgreement) -> None:
            if generation == self._generation:
                self._show(result)

        def failed(exc: BaseException) -> bool:
            if generation != self._generation:
                return True  # an older selection's, replaced by a newer one
            if not isinstance(exc, RuptureCoderError):
                return False  # a defect: the message box says so
            self.result = None
            self.table.setRowCount(0)
            self.plot.clear()
            shown = "Cancelled" if isinstance(exc, Cancelled) else "Not computed"
            self.status.setText(f"<b>{shown}:</b> {exc}")
            return True

        # on a worker: thousands of sessions take seconds, and the window must not freeze
        self.task = run_task(self, "Computing agreement", compute, done, failed, dialog=not quiet)

    def busy(self) -> bool:
        """True while the newest selection's statistics are being computed."""
        return self.task is not None and self.task.running

    def _show(self, result: ProjectAgreement | EventAgreement) -> None:
        self.result = result
        if isinstance(result, EventAgreement):
            self._show_events(result)
            return
        self.table.setColumnCount(len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self._fill_table()
        self._draw()
        out = self.result
        self.status.setText(
            f"{out.n_sessions} session(s), raters {', '.join(out.raters)}; unit {out.query.unit}; "
            f"codebook {'@'.join(out.codebook)}. CIs: session bootstrap where there are 5 or more sessions, "
            "else analytic. Bands: Cicchetti for kappa, alpha and AC; Koo & Li for ICC; in brackets the "
            "bands the CI spans. Hover a dash to see why a statistic is not defined."
            + (
                " <b>Few units:</b> the asymptotic CIs are unreliable below about 30 units."
                if out.n_units < 30
                else ""
            )
        )

    def _fill_table(self) -> None:
        results = self.result.results
        self.table.setRowCount(len(results))
        for row, res in enumerate(results):
            name = QTableWidgetItem(res.label)
            if res.kind != "item":
                font = name.font()
                font.setBold(True)
                name.setFont(font)
            if res.apa:
                name.setToolTip(res.apa)
            label, stat = res.primary()
            icc = _cell(stat if label.startswith("ICC") else res.icc.get("ICC(2,1)"))
            if label.startswith("ICC"):
                icc.setToolTip(f"{label}: {icc.toolTip()}")
            cells = [name, QTableWidgetItem(str(res.n_units)), _cell(res["percent_agreement"]),
                     _cell(res["cohen_kappa"]), _cell(res["fleiss_kappa"]), _cell(res["krippendorff_alpha"]),
                     _cell(res["gwet_ac1"]), icc]  # fmt: skip
            for col, cell in enumerate([*cells, _band(label, stat)]):
                self.table.setItem(row, col, cell)

    def _show_events(self, result: EventAgreement) -> None:
        """One row for all sessions pooled, then one per session."""
        self.table.setColumnCount(len(EVENT_COLUMNS))
        self.table.setHorizontalHeaderLabels(EVENT_COLUMNS)
        rows = [
            (
                "All sessions",
                sum(s["events_a"] for s in result.sessions),
                sum(s["events_b"] for s in result.sessions),
                result.event_kappa,
                result.time_kappa,
            )
        ]
        rows += [(s["session"], s["events_a"], s["events_b"], Statistic.from_json(s["event_kappa"]),
                  Statistic.from_json(s["time_kappa"])) for s in result.sessions]  # fmt: skip
        self.table.setRowCount(len(rows))
        for row, (name, n_a, n_b, ek, tk) in enumerate(rows):
            cells = [QTableWidgetItem(name), QTableWidgetItem(str(n_a)), QTableWidgetItem(str(n_b)),
                     _cell(ek), _cell(tk), _band("event κ", ek)]  # fmt: skip
            for col, cell in enumerate(cells):
                self.table.setItem(row, col, cell)
        self.plot.clear()
        values = [(i, r[3].value) for i, r in enumerate(rows) if r[3].value is not None]
        self.plot.setTitle("event-based kappa per session (0: all sessions)", color="#333333")
        if values:
            self.plot.addItem(pg.BarGraphItem(x=[v[0] for v in values], height=[v[1] for v in values],
                                              width=0.6, brush="#7aa6d6"))  # fmt: skip
        self.plot.getAxis("bottom").setTicks([[(i, str(i)) for i in range(len(rows))]])
        self.plot.setYRange(-0.2, 1.05)
        a, b = result.raters
        skipped = f" Left out: {'; '.join(result.skipped)}." if result.skipped else ""
        self.status.setText(
            f"Events of {a} (A) and {b} (B): {len(result.sessions)} time-coded session(s), "
            f"{result.result['method']} matching, tolerance {result.result['tolerance_s']:g} s. Events are "
            f"paired in order (no crossing pairs), same code first; time-based kappa compares 1 s ticks.{skipped}"
        )

    def sentence(self) -> str | None:
        """The methods sentence of the selected row (the first row when none is selected)."""
        if not isinstance(self.result, ProjectAgreement) or not self.result.results:
            return None
        row = max(self.table.currentRow(), 0)
        return self.result.results[min(row, len(self.result.results) - 1)].apa

    def copy_sentence(self) -> None:
        text = self.sentence()
        if text:
            QApplication.clipboard().setText(text)
            self.status.setText(f"Copied: {text}")
        else:
            self.status.setText(
                "No methods sentence for this view (choose a unit other than events)."
            )

    def _draw(self) -> None:
        self.plot.clear()
        results = self.result.results
        xs, ys, lo, hi = [], [], [], []
        for i, res in enumerate(results):
            _label, stat = res.primary()
            if stat.value is not None:
                xs.append(i)
                ys.append(stat.value)
                low, high = stat.best_ci or (stat.value, stat.value)
                lo.append(stat.value - low)
                hi.append(high - stat.value)
        label = results[0].primary()[0] if results else ""
        self.plot.setTitle(f"{label} per item, with 95% CI", color="#333333")
        self.plot.addItem(pg.BarGraphItem(x=xs, height=ys, width=0.6, brush="#7aa6d6"))
        if xs:
            import numpy as np

            self.plot.addItem(
                pg.ErrorBarItem(
                    x=np.array(xs), y=np.array(ys), top=np.array(hi), bottom=np.array(lo), beam=0.2
                )
            )
        lines = (
            (0.50, 0.75, 0.90) if label.startswith("ICC") else (0.40, 0.60, 0.75)
        )  # Koo & Li / Cicchetti
        for y, colour in zip(lines, ("#c0392b", "#d4ac0d", "#1e8449"), strict=True):
            self.plot.addItem(
                pg.InfiniteLine(pos=y, angle=0, pen=pg.mkPen(colour, style=Qt.PenStyle.DashLine))
            )
        axis = self.plot.getAxis("bottom")
        axis.setTicks(
            [
                [
                    (i, r.key if r.kind in ("item", "rating") else f"({r.label[0]})")
                    for i, r in enumerate(results)
                ]
            ]
        )
        self.plot.setYRange(min(-0.2, min(ys, default=0) - 0.1), 1.05)

    def export(self, path: str) -> None:
        if isinstance(self.result, EventAgreement):
            import pandas as pd

            rows = [{"session": x["session"], "events_a": x["events_a"], "events_b": x["events_b"],
                     "event_kappa": x["event_kappa"]["value"], "time_kappa": x["time_kappa"]["value"]}
                    for x in self.result.sessions]  # fmt: skip
            atomic_write_table(pd.DataFrame(rows), path)
        elif self.result is not None:
            atomic_write_table(result_rows(self.result), path)

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export agreement", "agreement.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
        )
        if path:
            try:
                self.export(path)
            except (OSError, ValueError) as exc:
                self.status.setText(f"<b>Export failed:</b> {exc}")
            else:
                self.status.setText(f"Exported to {path}")
