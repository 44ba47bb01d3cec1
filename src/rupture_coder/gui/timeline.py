"""Timeline under the transcript (pyqtgraph): a lane per category with a tick per code, the
segments' impact and resolution ratings as step plots, the current position, click to navigate.

Every graphics item is created once and only its data changes afterwards: adding and removing
items on each change is slow, and with PySide6 it can corrupt reference counts in pyqtgraph's
itemChange path.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from rupture_coder.gui.transcript_model import CATEGORY_COLOURS

LANES = {"withdrawal": 3, "confrontation": 2, "resolution": 1}
RATING_PENS = {
    "withdrawal_impact": "#2f6db5",
    "confrontation_impact": "#c0392b",
    "segment_resolution": "#1e8449",
}


class Timeline(QWidget):
    position_clicked = Signal(float)  # x: seconds (timed sessions) or utterance index

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("timeline")
        self.lanes = pg.PlotWidget(background="w")
        self.ratings = pg.PlotWidget(background="w")
        self.ratings.setXLink(self.lanes)
        for plot, height in ((self.lanes, 90), (self.ratings, 80)):
            plot.setMaximumHeight(height + 40)
            plot.setMinimumHeight(height)
            plot.setMouseEnabled(y=False)
            plot.hideButtons()
        self.lanes.getAxis("left").setTicks([[(y, name[:13]) for name, y in LANES.items()]])
        self.lanes.setYRange(0.5, 3.5)
        self.ratings.setYRange(0.5, 5.5)
        self.ratings.getAxis("left").setTicks([[(v, str(v)) for v in range(1, 6)]])
        # the legend is a line of its own: drawn inside the plot it covered the step lines
        self.legend = QLabel(
            "ratings: "
            + " ".join(
                f"<span style='color:{colour}'>━ {rating.replace('_', ' ')}</span>&nbsp;"
                for rating, colour in RATING_PENS.items()
            )
        )
        self.legend.setObjectName("ratingLegend")
        self.legend.setContentsMargins(6, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.lanes)
        layout.addWidget(self.legend)
        layout.addWidget(self.ratings)
        for plot in (self.lanes, self.ratings):  # the ranges are set from the data, never guessed
            plot.getPlotItem().vb.disableAutoRange()
        self.lanes.setXRange(0, 300, padding=0.01)
        self.boundaries = self.lanes.plot(
            [], [], pen=pg.mkPen("#bbbbbb", style=Qt.PenStyle.DotLine), connect="pairs"
        )
        # a tick per code, all of a lane in one path: tens of thousands draw at once, where a
        # scatter item's per-point symbols would take seconds
        self.ticks = {
            category: self.lanes.plot(
                [], [], pen=pg.mkPen(CATEGORY_COLOURS[category], width=3), connect="pairs"
            )
            for category in LANES
        }
        self.steps = {
            rating: self.ratings.plot([], [], pen=pg.mkPen(colour, width=2))
            for rating, colour in RATING_PENS.items()
        }
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#ff9800", width=2))
        self.region = pg.LinearRegionItem(movable=False, brush=(255, 152, 0, 40))
        self.lanes.addItem(self.cursor)
        self.lanes.addItem(self.region)
        self.lanes.scene().sigMouseClicked.connect(self._clicked)
        self.timed = True

    def show(
        self,
        codes: Mapping[str, Collection[float]],
        segments: list[tuple[float, float, dict]],
        timed: bool,
        end: float,
    ) -> None:  # noqa: A003
        """codes: category -> the codes' x; segments: (x start, x end, {rating id: value})."""
        self.timed = timed
        for category, y in LANES.items():
            here = codes.get(category, ())
            xs = np.fromiter(here, dtype=float, count=len(here))
            self.ticks[category].setData(
                np.repeat(xs, 2), np.tile([y - 0.3, y + 0.3], xs.size), connect="pairs"
            )
        starts = [s[0] for s in segments[1:]]
        self.boundaries.setData(np.repeat(starts, 2), np.tile([0.5, 3.5], len(starts)))
        for rating, item in self.steps.items():
            edges, values = [], []
            for seg_start, seg_end, vals in segments:
                if vals.get(rating) is not None:
                    edges += [seg_start, seg_end]
                    values += [vals[rating], vals[rating]]
            item.setData(edges, values)
        start = min((s[0] for s in segments), default=0.0)  # a session may start at 25:24
        self.lanes.setXRange(start, max(end, start + 1.0), padding=0.01)
        self.lanes.getAxis("bottom").setLabel("time (s)" if timed else "utterance")

    def set_position(self, x: float, span: tuple[float, float] | None = None) -> None:
        self.cursor.setPos(x)
        if span is not None and span[1] > span[0]:
            self.region.setRegion(span)
            self.region.show()
        else:
            self.region.hide()

    def _clicked(self, event) -> None:
        point = self.lanes.getPlotItem().vb.mapSceneToView(event.scenePos())
        self.position_clicked.emit(float(point.x()))
