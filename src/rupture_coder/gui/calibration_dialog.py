"""Calibration: gold-standard sessions, every rater scored against them, drift over time."""

from __future__ import annotations

from datetime import datetime

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from rupture_coder.gui.buttons import on_click
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.gold import MarkGold
from rupture_coder.services.notices import Notice, Topic
from rupture_coder.study.calibration import SCORE_COLUMNS, calibration_table

COLOURS = ("#2f6db5", "#c0392b", "#1e8449", "#8e44ad", "#d35400", "#16a085")


class CalibrationDialog(QDialog):
    def __init__(self, service: ProjectService, session_id: str | None, bus=None, parent=None):
        super().__init__(parent)
        self.setObjectName("calibrationDialog")
        self.setWindowTitle("Calibration and drift")
        self.resize(1000, 680)
        self.service, self.session_id = service, session_id
        self.gold_rater = QComboBox()
        self.gold_rater.setAccessibleName("gold coder")
        self._fill_raters()
        mark = QPushButton("Mark the current session as gold, coded by")
        on_click(mark, self.mark_gold)
        unmark = QPushButton("Unmark")
        on_click(unmark, lambda: self._gold(None))
        top = QHBoxLayout()
        for w in (mark, self.gold_rater, unmark):
            top.addWidget(w)
        top.addStretch()
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("scores")
        self.table.setHorizontalHeaderLabels(SCORE_COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.plot = pg.PlotWidget(background="w", axisItems={"bottom": pg.DateAxisItem()})
        self.plot.setObjectName("driftPlot")
        self.plot.addLegend()
        self.plot.setLabel("left", "ICC(2,1) against gold")
        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)
        self.refresh()
        if bus is not None:
            bus.follow(self, self._on_notice)

    def _fill_raters(self) -> None:
        """The raters who can code a gold session (followed: a rater added later appears)."""
        keep = self.gold_rater.currentData()
        self.gold_rater.clear()
        for r in queries.raters(self.service.project):
            if r.role in ("coder", "lead", "consensus"):
                self.gold_rater.addItem(r.name, r.id)
        if keep is not None and self.gold_rater.findData(keep) >= 0:
            self.gold_rater.setCurrentIndex(self.gold_rater.findData(keep))

    def _on_notice(self, notice: Notice) -> None:
        if notice.touches(Topic.RATERS):
            self._fill_raters()
        if notice.touches(
            Topic.SESSIONS, Topic.RATERS, Topic.CODES, Topic.RATINGS, Topic.COMPLETION,
            Topic.GOLD, Topic.SETTINGS,
        ):  # fmt: skip
            self.refresh()

    def mark_gold(self) -> None:
        self._gold(self.gold_rater.currentData())

    def _gold(self, rater_id: str | None) -> None:
        if self.session_id:
            self.service.run(MarkGold(self.session_id, rater_id))
            self.refresh()

    def refresh(self) -> None:
        rows, table, criteria = calibration_table(self.service.project)
        criterion = criteria["ratings"]
        self.table.setRowCount(len(table))
        for i, values in enumerate(table):
            for col, v in enumerate(values):
                item = QTableWidgetItem(
                    "–" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v)
                )
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(i, col, item)
        self.plot.clear()
        by_rater: dict[str, list] = {}
        for s in rows:
            if s.lowest_icc is not None and s.when is not None:
                by_rater.setdefault(s.rater, []).append((s.when.timestamp(), s.lowest_icc))
        for k, (name, points) in enumerate(sorted(by_rater.items())):
            xs, ys = zip(*sorted(points), strict=True)
            colour = COLOURS[k % len(COLOURS)]  # each rater's line and points in one colour
            self.plot.plot(list(xs), list(ys), pen=pg.mkPen(colour, width=2), symbol="o",
                           symbolBrush=colour, symbolPen=colour, name=name)  # fmt: skip
        self.plot.addItem(pg.InfiniteLine(pos=criterion, angle=0, pen=pg.mkPen("#888888", style=Qt.PenStyle.DashLine),
                                          label=f"criterion: each rating's ICC(2,1) ≥ {criterion:.2f}", labelOpts={"position": 0.1}))  # fmt: skip
        times = [x for points in by_rater.values() for x, _y in points]
        if times:
            pad = max((max(times) - min(times)) * 0.05, 3600.0)
            self.plot.setXRange(min(times) - pad, max(times) + pad, padding=0)
        else:  # nothing scored yet: the last four weeks, with dates, not "00.100 ... 00.900"
            now = datetime.now().timestamp()
            self.plot.setXRange(now - 28 * 86400, now, padding=0)
        self.plot.setYRange(-0.2, 1.05)
        self.scores = rows
        self.status.setText(
            f"{len(rows)} score(s) against gold sessions. Criteria: each segment rating's ICC(2,1) ≥ {criterion:.2f} "
            f"(calibration.criterion) and each coded item's presence kappa ≥ {criteria['presence']:.2f} "
            "(calibration.presence_criterion). The chart shows each rater's lowest ICC(2,1)."
        )
