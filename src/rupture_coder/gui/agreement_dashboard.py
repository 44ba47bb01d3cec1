"""Agreement dashboard: choose unit, codebook, raters and sessions; per-item table, chart, export."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
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
from rupture_coder.study.tabular import atomic_write_table
from rupture_coder.study.units import UNITS

COLUMNS = [
    "Item",
    "Units",
    "% agree",
    "Cohen κ",
    "Fleiss κ",
    "Krippendorff α",
    "Gwet AC",
    "ICC(2,1)",
    "Band",
]
BAND_COLOURS = {
    "poor": "#f6d5d1",
    "fair": "#fbe9c6",
    "moderate": "#fbe9c6",
    "good": "#dff0d8",
    "excellent": "#c9e7c0",
}


def _cell(stat: Statistic | None) -> QTableWidgetItem:
    if stat is None:
        return QTableWidgetItem("")
    if stat.value is None:
        item = QTableWidgetItem("—")
        item.setToolTip(stat.reason or "")
        item.setForeground(QBrush(QColor("#888888")))
        return item
    text = f"{stat.value:.2f}"
    if stat.has_ci:
        text += f"  [{stat.ci95[0]:.2f}, {stat.ci95[1]:.2f}]"
    item = QTableWidgetItem(text)
    item.setToolTip(stat.name + (f"\n{stat.note}" if stat.note else ""))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class AgreementDashboard(QDialog):
    def __init__(self, project: Project, bus=None, parent=None):
        super().__init__(parent)
        self.setObjectName("agreementDashboard")
        self.setWindowTitle("Inter-rater agreement")
        self.resize(1200, 760)
        self.project = project
        self.result: ProjectAgreement | None = None
        self.task: Task | None = None
        self._generation = 0
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
            self.refresh()

    def _build(self) -> None:
        self.unit_box = QComboBox()
        self.unit_box.addItems(UNITS)
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
        form.addRow("Codebook", self.codebook_box)
        form.addRow("Raters", self.rater_list)
        form.addRow("Sessions", self.session_list)
        export = QPushButton("Export CSV/XLSX…")
        on_click(export, self._export)
        self.export_button = export
        side = QWidget()
        sl = QVBoxLayout(side)
        sl.addLayout(form)
        sl.addWidget(export)
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

    def refresh(self) -> None:
        codebook = self.codebook_box.currentData()
        query = ProjectAgreementQuery(
            unit=self.unit_box.currentText(), raters=tuple(self._checked(self.rater_list)) or None,
            sessions=tuple(self._checked(self.session_list)) or None,
            codebook=tuple(codebook.split("@", 1)) if codebook else None,
        )  # fmt: skip
        if self.task is not None and self.task.running:
            self.task.cancel()  # a newer selection replaces it
        self._generation += 1
        generation, project = self._generation, self.project
        self.status.setText("Computing…")

        def done(result: ProjectAgreement) -> None:
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
        self.task = run_task(
            self,
            "Computing agreement",
            lambda progress: project_agreement(project, query, progress),
            done,
            failed,
        )

    def busy(self) -> bool:
        """True while the newest selection's statistics are being computed."""
        return self.task is not None and self.task.running

    def _show(self, result: ProjectAgreement) -> None:
        self.result = result
        self._fill_table()
        self._draw()
        out = self.result
        self.status.setText(
            f"{out.n_sessions} session(s), raters {', '.join(out.raters)}; unit {out.query.unit}; "
            f"codebook {'@'.join(out.codebook)}. Bands: Cicchetti for kappa, alpha and AC; Koo & Li for ICC. "
            "Hover a dash to see why a statistic is not defined."
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
            cells = [name, QTableWidgetItem(str(res.n_units)), _cell(res["percent_agreement"]),
                     _cell(res["cohen_kappa"]), _cell(res["fleiss_kappa"]), _cell(res["krippendorff_alpha"]),
                     _cell(res["gwet_ac1"]), _cell(res.icc.get("ICC(2,1)"))]  # fmt: skip
            label, stat = res.primary()
            band = QTableWidgetItem(stat.band or "")
            band.setToolTip(f"band of {label}")
            if stat.band:
                band.setBackground(QBrush(QColor(BAND_COLOURS[stat.band])))
            for col, cell in enumerate([*cells, band]):
                self.table.setItem(row, col, cell)

    def _draw(self) -> None:
        self.plot.clear()
        results = self.result.results
        xs, ys, lo, hi = [], [], [], []
        for i, res in enumerate(results):
            _label, stat = res.primary()
            if stat.value is not None:
                xs.append(i)
                ys.append(stat.value)
                low, high = stat.ci95 if stat.has_ci else (stat.value, stat.value)  # type: ignore[misc]
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
        if self.result is not None:
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
