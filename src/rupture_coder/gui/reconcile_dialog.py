"""Reconciliation: raters side by side on a session, each disagreement settled into the consensus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rupture_coder.codebook import Codebook
from rupture_coder.errors import RuptureCoderError
from rupture_coder.gui.buttons import on_click
from rupture_coder.gui.failures import show_failure
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.consensus import (
    AcceptAgreements,
    Decide,
    Unit,
    decisions,
    progress,
    units,
)
from rupture_coder.services.notices import Notice, Topic
from rupture_coder.timestamps import format_timestamp

DIFF = QColor("#fde2c8")


def _shown(unit: Unit, value) -> str:
    if unit.kind == "presence":
        return "coded" if value else "–"
    v, na = value
    return "N/A" if na else ("–" if v is None else str(v))


def unit_label(unit: Unit, codebook: Codebook) -> str:
    """'segment 2: W2 Minimal response', 'segment 2: Withdrawal impact', 'session: Resolution'."""
    where = "session" if unit.segment_index is None else f"segment {unit.segment_index + 1}"
    if unit.kind == "presence":
        item = next((i for i in codebook.items() if i.id == unit.key), None)
        return f"{where}: {unit.key} {item.label}" if item else f"{where}: {unit.key}"
    rating = next((r for r in codebook.ratings if r.id == unit.key), None)
    return f"{where}: {rating.label if rating else unit.key}"


class ReconcileDialog(QDialog):
    """Esc or Close closes it; N goes to the next open disagreement; each button decides one."""

    def __init__(
        self, service: ProjectService, session_id: str, rater_ids: list[str], bus=None, parent=None
    ):
        super().__init__(parent)
        self.setObjectName("reconcileDialog")
        self.setWindowTitle("Reconcile into the consensus")
        self.resize(1250, 760)
        self.service, self.session_id, self.rater_ids = service, session_id, rater_ids
        project = service.project
        self.names = {r.id: r.name for r in queries.raters(project)}
        self.rows = queries.transcript(project, session_id)
        self.segments = queries.segments(project, session_id)
        self.codebook = queries.session_codebook(project, session_id)
        self._build()
        self.refresh()
        if bus is not None:
            bus.follow(self, self._on_notice)

    def _on_notice(self, notice: Notice) -> None:
        if notice.touches(Topic.RATERS) or notice.touches_session(
            self.session_id, Topic.SESSIONS, Topic.CODES, Topic.RATINGS, Topic.DECISIONS
        ):
            if queries.session_row(self.service.project, self.session_id) is None:
                self.close()  # the session was deleted
                return
            self.names = {r.id: r.name for r in queries.raters(self.service.project)}
            self.refresh()

    def _build(self) -> None:
        self.unit_list = QListWidget()
        self.unit_list.setObjectName("units")
        self.unit_list.setWordWrap(True)  # a unit and both raters' values read whole, not cut
        self.unit_list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.unit_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.unit_list.currentRowChanged.connect(lambda _r: self._show_unit())
        self.extract = QTableWidget(0, 3 + len(self.rater_ids) + 1)
        self.extract.setObjectName("sideBySide")
        self.extract.setHorizontalHeaderLabels(
            ["time", "speaker", "utterance", *[self.names[r] for r in self.rater_ids], "consensus"]
        )
        self.extract.verticalHeader().setVisible(False)
        self.extract.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.extract.setWordWrap(True)
        self.extract.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.unit_title = QLabel()
        self.unit_title.setWordWrap(True)
        self.buttons = QHBoxLayout()
        self.note = QLineEdit()
        self.note.setPlaceholderText("note on this decision (why)")
        self.progress_label = QLabel()
        self.progress_label.setObjectName("progress")
        accept = QPushButton("Accept every agreement")
        on_click(accept, self.accept_agreements)
        next_button = QPushButton("Next disagreement (N)")
        on_click(next_button, self.next_disagreement)
        QShortcut(QKeySequence("N"), self, activated=self.next_disagreement)
        close = QPushButton("Close")
        close.setAutoDefault(False)
        on_click(close, self.close)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.unit_title)
        rl.addWidget(self.extract, 1)
        rl.addLayout(self.buttons)
        rl.addWidget(self.note)
        split = QSplitter()
        split.addWidget(self.unit_list)
        split.addWidget(right)
        split.setSizes([430, 820])
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress_label, 1)
        bottom.addWidget(accept)
        bottom.addWidget(next_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

    def refresh(self) -> None:
        project = self.service.project
        self.units = units(project, self.session_id, self.rater_ids)
        self.decided = decisions(project, self.session_id)
        current = self.unit_list.currentRow()
        self.unit_list.blockSignals(True)
        self.unit_list.clear()
        self.shown_units = [u for u in self.units if not u.agreed]
        for u in self.shown_units:
            decided = self.decided.get((u.kind, u.segment_id, u.key))
            mark = "✓ " if decided else "● "
            values = ", ".join(f"{self.names[r]} {_shown(u, v)}" for r, v in u.values.items())
            item = QListWidgetItem(f"{mark}{unit_label(u, self.codebook)} — {values}")
            if decided:
                item.setForeground(QBrush(QColor("#1e8449")))
                item.setToolTip(f"{decided.decision} by {decided.decided_by}: {decided.note}")
            self.unit_list.addItem(item)
        self.unit_list.blockSignals(False)
        done, total = progress(project, self.session_id, self.rater_ids)
        self.progress_label.setText(
            f"<b>{done} of {total}</b> disagreements resolved · {sum(u.agreed for u in self.units)} units agree"
        )
        if self.shown_units:
            self.unit_list.setCurrentRow(min(max(current, 0), len(self.shown_units) - 1))
            self._show_unit()

    def current_unit(self) -> Unit | None:
        row = self.unit_list.currentRow()
        return self.shown_units[row] if 0 <= row < len(self.shown_units) else None

    def _show_unit(self) -> None:
        unit = self.current_unit()
        while self.buttons.count():
            widget = self.buttons.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.setParent(None)  # gone now, not when the event loop gets round to it
                widget.deleteLater()
        if unit is None:
            return
        self.unit_title.setText(f"<b>{unit_label(unit, self.codebook)}</b>")
        for rater_id in self.rater_ids:
            self._button(
                f"Keep {self.names[rater_id]}", lambda r=rater_id: self.decide("kept", chosen=r)
            )
        if unit.kind == "presence":
            self._button("New code on the selected utterance", lambda: self.decide("present"))
            self._button("Absent", lambda: self.decide("absent"))
        else:
            scale = self.codebook.scale(self.codebook.rating(unit.key).scale)
            for point in scale.points():
                self._button(str(point), lambda p=point: self.decide("value", value=p))
            if scale.allow_na:
                self._button("N/A", lambda: self.decide("value", value=None))
        self._fill_extract(unit)

    def _button(self, text: str, slot) -> None:
        button = QPushButton(text)
        button.setAutoDefault(False)  # Enter in the note field must not press a decision
        on_click(button, slot)
        self.buttons.addWidget(button)

    def _fill_extract(self, unit: Unit) -> None:
        seg = next((s for s in self.segments if s.id == unit.segment_id), None)
        first, last = (
            (seg.first_position, seg.last_position)
            if seg and seg.first_position is not None
            else (0, len(self.rows) - 1)
        )
        rows = self.rows[first : last + 1] if unit.kind != "session-rating" else []
        consensus = next(
            (r.id for r in queries.raters(self.service.project) if r.role == "consensus"), None
        )
        codes = {
            rid: queries.codes(self.service.project, self.session_id, rid)
            for rid in [*self.rater_ids, consensus]
            if rid
        }
        self.extract.setRowCount(len(rows))
        for i, u in enumerate(rows):
            cells = [format_timestamp(u.start_s), u.pseudonym, u.text]
            per_rater = []
            for rid in [*self.rater_ids, consensus]:
                here = sorted(
                    c.item_id for c in codes.get(rid, []) if c.first_position == u.position
                )
                per_rater.append(" ".join(here))
            for col, text in enumerate(cells + per_rater):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, u.id)
                self.extract.setItem(i, col, item)
            rater_sets = {frozenset(x.split()) for x in per_rater[: len(self.rater_ids)]}
            if len(rater_sets) > 1:  # the raters' codes differ here
                for col in range(self.extract.columnCount()):
                    self.extract.item(i, col).setBackground(QBrush(DIFF))
        self.extract.resizeRowsToContents()

    def decide(self, decision: str, chosen: str | None = None, value=None) -> bool:
        unit = self.current_unit()
        if unit is None:
            return False
        utterance = None
        if decision == "present":
            row = self.extract.currentRow()
            if row < 0:
                self.unit_title.setText(
                    self.unit_title.text()
                    + "<br><i>select the utterance for the new code first</i>"
                )
                return False
            utterance = self.extract.item(row, 0).data(Qt.ItemDataRole.UserRole)
        try:
            self.service.run(
                Decide(
                    self.session_id,
                    unit,
                    decision,
                    chosen,
                    value,
                    utterance,
                    self.note.text().strip(),
                    self.service.actor,
                )
            )
        except RuptureCoderError as exc:
            self.progress_label.setText(f"<b>Not recorded:</b> {exc}")
            show_failure(self, exc)
            return False
        self.note.clear()
        self.refresh()
        self.next_disagreement()  # on to the next one still open
        return True

    def accept_agreements(self) -> None:
        try:
            self.service.run(AcceptAgreements(self.session_id, self.units, self.service.actor))
        except RuptureCoderError as exc:
            show_failure(self, exc)
        self.refresh()

    def next_disagreement(self) -> None:
        """The next unit still undecided (wrapping round)."""
        n = len(self.shown_units)
        if n == 0:
            return
        start = self.unit_list.currentRow()
        for k in range(1, n + 1):
            u = self.shown_units[(start + k) % n]
            if (u.kind, u.segment_id, u.key) not in self.decided:
                self.unit_list.setCurrentRow((start + k) % n)
                return
