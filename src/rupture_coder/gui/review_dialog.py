"""Supervisor review: flagged codes and moments matching filters; jump there; comment; set status."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from rupture_coder.errors import RuptureCoderError
from rupture_coder.gui.buttons import on_click
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.notices import Notice, Topic
from rupture_coder.services.review import AddComment, SetCommentStatus, comments_for_session
from rupture_coder.study.review import Filters, Moment, moments
from rupture_coder.timestamps import format_timestamp


class ReviewDialog(QDialog):
    def __init__(
        self, service: ProjectService, go_to: Callable[[Moment], None], bus=None, parent=None
    ):
        super().__init__(parent)
        self.setObjectName("reviewDialog")
        self.setWindowTitle("Supervisor review")
        self.resize(1100, 680)
        self.service, self.go_to = service, go_to
        self.flagged = QCheckBox("flagged codes")
        self.flagged.setChecked(True)
        self.impact = QSpinBox()
        self.impact.setRange(0, 5)
        self.impact.setSpecialValueText("off")
        self.unresolved = QCheckBox("ruptures not repaired")
        self.category = QComboBox()
        self.category.addItem("any category", None)
        for c in ("withdrawal", "confrontation", "resolution"):
            self.category.addItem(c, c)
        self.rater = QComboBox()
        self.rater.addItem("any rater", None)
        for r in queries.raters(service.project):
            self.rater.addItem(r.name, r.id)
        self.consensus = QCheckBox("consensus only")
        filters = QFormLayout()
        filters.addRow(self.flagged)
        filters.addRow("impact ≥", self.impact)
        filters.addRow(self.unresolved)
        filters.addRow("category", self.category)
        filters.addRow("rater", self.rater)
        filters.addRow(self.consensus)
        for w in (self.flagged, self.unresolved, self.consensus):
            w.toggled.connect(lambda _c: self.refresh())
        for w in (self.category, self.rater):
            w.currentIndexChanged.connect(lambda _i: self.refresh())
        self.impact.valueChanged.connect(lambda _v: self.refresh())
        self.list = QListWidget()
        self.list.setObjectName("moments")
        self.list.setWordWrap(True)  # a moment is read whole: never cut at the list's edge
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setAlternatingRowColors(True)
        self.list.currentRowChanged.connect(lambda _r: self._show_comments())
        self.list.itemDoubleClicked.connect(lambda _i: self.open_current())
        self.comments = QListWidget()
        self.comments.setObjectName("comments")
        self.comment_text = QLineEdit()
        self.comment_text.setPlaceholderText("comment for the coder or the team")
        self.comment_text.setAccessibleName("comment")
        add = QPushButton("Add comment")
        on_click(add, self.add_comment)
        reviewed = QPushButton("Mark reviewed / open")
        on_click(reviewed, self.toggle_status)
        go = QPushButton("Go to the moment")
        on_click(go, self.open_current)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.comments, 1)
        rl.addWidget(self.comment_text)
        row = QHBoxLayout()
        for b in (add, reviewed, go):
            row.addWidget(b)
        rl.addLayout(row)
        side = QWidget()
        side.setLayout(filters)
        split = QSplitter()
        split.addWidget(side)
        split.addWidget(self.list)
        split.addWidget(right)
        split.setSizes([220, 520, 360])
        QVBoxLayout(self).addWidget(split)
        self.refresh()
        if bus is not None:
            bus.follow(self, self._on_notice)

    def _on_notice(self, notice: Notice) -> None:
        topics = (Topic.SESSIONS, Topic.RATERS, Topic.CODES, Topic.RATINGS, Topic.COMMENTS)
        if notice.touches(*topics, Topic.SETTINGS):
            self.refresh()

    def filters(self) -> Filters:
        return Filters(self.flagged.isChecked(), self.impact.value() or None, self.unresolved.isChecked(),
                       self.category.currentData(), self.rater.currentData(), self.consensus.isChecked())  # fmt: skip

    def refresh(self) -> None:
        self.moments = moments(self.service.project, self.filters())
        self.list.clear()
        for m in self.moments:
            status = (
                "reviewed"
                if m.comments and all(s == "reviewed" for _a, s, _t in m.comments)
                else ("open" if m.comments else "")
            )
            text = (
                f"{m.session} · segment {m.segment or '-'} · {format_timestamp(m.start_s)} · "
                f"{m.rater}\n{m.label or m.item} — {m.why}"
            )
            item = QListWidgetItem(text + (f"  [{status}]" if status else ""))
            item.setToolTip(text)
            self.list.addItem(item)
        if self.moments:
            self.list.setCurrentRow(0)

    def current(self) -> Moment | None:
        row = self.list.currentRow()
        return self.moments[row] if 0 <= row < len(self.moments) else None

    def _show_comments(self) -> None:
        self.comments.clear()
        m = self.current()
        if m is None:
            return
        for c in comments_for_session(self.service.project, m.session_id):
            if (m.code_id and c.code_id == m.code_id) or (
                not m.code_id and m.segment_id and c.segment_id == m.segment_id
            ):
                item = QListWidgetItem(f"[{c.status}] {c.author}: {c.text}")
                item.setData(Qt.ItemDataRole.UserRole, c.id)
                item.setData(Qt.ItemDataRole.UserRole + 1, c.status)
                self.comments.addItem(item)

    def add_comment(self) -> None:
        m = self.current()
        if m is None:
            return
        try:
            self.service.run(AddComment(m.session_id, self.comment_text.text(), self.service.actor, m.code_id,
                                        None if m.code_id else m.segment_id))  # fmt: skip
        except RuptureCoderError as exc:
            self.comment_text.setPlaceholderText(str(exc))
            return
        self.comment_text.clear()
        row = self.list.currentRow()
        self.refresh()
        self.list.setCurrentRow(row)

    def toggle_status(self) -> None:
        item = self.comments.currentItem() or (
            self.comments.item(0) if self.comments.count() else None
        )
        if item is None:
            return
        status = "open" if item.data(Qt.ItemDataRole.UserRole + 1) == "reviewed" else "reviewed"
        self.service.run(SetCommentStatus(item.data(Qt.ItemDataRole.UserRole), status))
        row = self.list.currentRow()
        self.refresh()
        self.list.setCurrentRow(row)

    def open_current(self) -> None:
        m = self.current()
        if m is not None:
            self.go_to(m)
