"""Segment and session rating forms, usable without a mouse: each rating is one focusable row;
a digit sets it, 0 is N/A (where the scale allows it), Backspace clears it, Tab moves on."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rupture_coder.codebook import Codebook, RatingDef
from rupture_coder.gui.buttons import on_click


class _WrappedLabel(QLabel):
    """A label that wraps in a narrow dock and asks for the height its lines need (a wrapped
    QLabel in a row layout kept one line's height and was cut at the top and bottom)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.setWordWrap(True)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        needed = self.heightForWidth(self.width())
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)


class RatingRow(QFrame):
    chosen = Signal(str, object, bool)  # rating id, value (None: cleared or N/A), is N/A

    def __init__(self, codebook: Codebook, definition: RatingDef, parent=None):
        super().__init__(parent)
        self.setObjectName(f"rating_{definition.id}")
        self.definition = definition
        self.scale = codebook.scale(definition.scale)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "RatingRow:focus { border: 2px solid #2f6db5; border-radius: 3px; }"
            # both states styled with the same box: a checked style on the native button left a
            # shrunken outlined "ghost" of the previous segment's value when it was unchecked
            "QPushButton { border: 1px solid #9aa5b1; border-radius: 3px; background: #fbfbfb;"
            " padding: 3px 0; }"
            "QPushButton:hover { border-color: #2f6db5; }"
            "QPushButton:checked { background: #2f6db5; color: white; font-weight: bold;"
            " border-color: #2f6db5; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        label = _WrappedLabel(definition.label)
        label.setMinimumWidth(170)
        layout.addWidget(label)
        self.group = QButtonGroup(self)
        self.buttons: dict[object, QPushButton] = {}
        points: list[object] = list(self.scale.points())
        if self.scale.allow_na:
            points.append("N/A")
        for point in points:
            button = QPushButton(str(point))
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setFixedWidth(38 if point != "N/A" else 44)
            tip = self.scale.na_label if point == "N/A" else self.scale.anchors[point]
            button.setToolTip(f"{point}: {tip}")
            on_click(button, lambda p=point: self._choose(p))
            self.group.addButton(button)
            self.buttons[point] = button
            layout.addWidget(button)
        layout.addStretch()
        anchors = "; ".join(f"{k} {v}" for k, v in sorted(self.scale.anchors.items()))
        self.setToolTip(
            f"{definition.label}: {anchors}"
            + (f"; 0 or N/A: {self.scale.na_label}" if self.scale.allow_na else "")
        )

    def _choose(self, point) -> None:
        if point == "N/A":
            self.chosen.emit(self.definition.id, None, True)
        else:
            self.chosen.emit(self.definition.id, point, False)

    def show_value(self, value, is_na: bool) -> None:
        self.group.setExclusive(False)
        for point, button in self.buttons.items():
            button.setChecked((is_na and point == "N/A") or (not is_na and point == value))
            button.update()
        self.group.setExclusive(True)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        text = event.text()
        if text.isdecimal():
            digit = int(text)
            if digit == 0 and self.scale.allow_na:
                self._choose("N/A")
                return
            if self.scale.min <= digit <= self.scale.max:
                self._choose(digit)
                return
        if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.chosen.emit(self.definition.id, None, False)
            return
        super().keyPressEvent(event)


class RatingForm(QWidget):
    """The ratings of one scope (segment or session)."""

    rated = Signal(str, object, bool)

    def __init__(self, scope: str, parent=None):
        super().__init__(parent)
        self.setObjectName(f"{scope}Ratings")
        self.scope = scope
        self.title = QLabel()
        self.rows: dict[str, RatingRow] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.title)
        self.codebook: Codebook | None = None

    def set_codebook(self, codebook: Codebook) -> None:
        if self.codebook is not None and self.codebook.key == codebook.key:
            return
        self.codebook = codebook
        for row in self.rows.values():
            row.setParent(None)
            row.deleteLater()
        self.rows = {}
        for definition in codebook.ratings_for(self.scope):
            row = RatingRow(codebook, definition, self)
            row.chosen.connect(self.rated)
            self._layout.addWidget(row)
            self.rows[definition.id] = row

    def show_values(self, values: dict[str, tuple]) -> None:
        for rating_id, row in self.rows.items():
            value, is_na = values.get(rating_id, (None, False))
            row.show_value(value, is_na)

    def focus_first(self) -> None:
        if self.rows:
            next(iter(self.rows.values())).setFocus(Qt.FocusReason.ShortcutFocusReason)
