"""Reconciling with real clicks: the consensus names the rater whose button was pressed, values
and N/A are recorded as clicked, the dialog closes with Close and with Escape, labels not ids."""

from __future__ import annotations

import ast
from pathlib import Path

from gui_helpers import button, choose_menu, click, top_level, wait_window
from PySide6.QtCore import Qt
from test_consensus import merged  # noqa: F401  (fixture)
from test_gui_study import lead_window
from test_packages import study  # noqa: F401  (fixture)

from rupture_coder.services import queries
from rupture_coder.services.coding import SetRating
from rupture_coder.services.consensus import decisions

IND = ("3rs-individual", "1.0.0")


def pick_unit(qtbot, dialog, text: str) -> None:
    """Click the disagreement whose line contains ``text``."""
    for row in range(dialog.unit_list.count()):
        item = dialog.unit_list.item(row)
        if text in item.text():
            rect = dialog.unit_list.visualItemRect(item)
            qtbot.mouseClick(
                dialog.unit_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
            )
            qtbot.waitUntil(lambda r=row: dialog.unit_list.currentRow() == r)
            return
    raise AssertionError(f"no unit {text!r}")


def open_reconcile(qtbot, window):
    choose_menu(qtbot, window, "Study", "Reconcile this session")
    return wait_window(qtbot, "reconcileDialog")


def test_every_decision_kind_by_clicking_records_the_rater_and_value_pressed(qtbot, merged):  # noqa: F811
    window, session, ids = lead_window(qtbot, merged)
    seg = queries.segments(window.project, session.id)[0]
    for name, value in (("Ann", 3), ("Bob", 2)):  # a disagreement on a scale with N/A
        window.service.run(
            SetRating(ids[name], IND, "segment_resolution", value, segment_id=seg.id)
        )
    dialog = open_reconcile(qtbot, window)
    lines = [dialog.unit_list.item(i).text() for i in range(dialog.unit_list.count())]
    assert any("segment 1: Withdrawal impact" in line for line in lines), lines
    assert any("segment 2: R5 " in line for line in lines), lines
    assert not any("withdrawal_impact" in line or "segment_resolution" in line for line in lines)

    click(qtbot, button(dialog, "Accept every agreement", qtbot))  # W2: both coded it
    pick_unit(qtbot, dialog, "R5 ")  # Bob coded R5, Ann did not
    click(qtbot, button(dialog, "Keep Bob", qtbot))
    pick_unit(qtbot, dialog, "C5 ")  # Ann coded C5
    click(qtbot, button(dialog, "Keep Ann", qtbot))
    pick_unit(qtbot, dialog, "Withdrawal impact")  # Ann 4, Bob 3
    click(qtbot, button(dialog, "Keep Bob", qtbot))
    pick_unit(qtbot, dialog, "C3 ")
    click(qtbot, button(dialog, "Absent", qtbot))
    pick_unit(qtbot, dialog, "R4 ")
    click(qtbot, button(dialog, "Keep Ann", qtbot))
    pick_unit(qtbot, dialog, "Resolution")
    click(qtbot, button(dialog, "N/A", qtbot))

    made = {(d.unit_kind, d.key): d for d in decisions(window.project, session.id).values()}
    assert made[("presence", "R5")].decision == "kept"
    assert made[("presence", "R5")].chosen_rater_id == ids["Bob"]
    assert made[("presence", "C5")].chosen_rater_id == ids["Ann"]
    assert made[("segment-rating", "withdrawal_impact")].chosen_rater_id == ids["Bob"]
    assert made[("presence", "C3")].decision == "absent"
    assert made[("segment-rating", "segment_resolution")].decision == "value"
    consensus = next(r for r in queries.raters(window.project) if r.role == "consensus")
    codes = sorted(c.item_id for c in queries.codes(window.project, session.id, consensus.id))
    assert codes == ["C5", "R4", "R5", "W2"]
    seg_ratings, _ = queries.ratings(window.project, session.id, consensus.id)
    assert seg_ratings[(seg.id, "withdrawal_impact")] == (3, False)  # Bob's value
    assert seg_ratings[(seg.id, "segment_resolution")] == (None, True)  # N/A as clicked
    assert "6 of 6" in dialog.progress_label.text()

    # a value clicked on a scale: change the decision on the withdrawal impact to 5
    pick_unit(qtbot, dialog, "Withdrawal impact")
    click(qtbot, button(dialog, "5", qtbot))
    seg_ratings, _ = queries.ratings(window.project, session.id, consensus.id)
    assert seg_ratings[(seg.id, "withdrawal_impact")] == (5, False)

    # Escape closes it (the QDialog.done override no longer breaks)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.unit_list, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    again = open_reconcile(qtbot, window)
    click(qtbot, button(again, "Close", qtbot))
    qtbot.waitUntil(lambda: top_level("reconcileDialog") is None)


def test_no_button_signal_reaches_a_lambda_default_argument():
    """The hole that let "Keep Bob" store Ann's code: ``clicked(checked)`` filling ``r=...``.
    Buttons and actions are connected only through gui.buttons.on_click, and no lambda with
    default arguments is connected to any signal directly."""
    gui = Path(__file__).resolve().parents[1] / "src" / "rupture_coder" / "gui"
    offences = []
    for path in gui.glob("*.py"):
        if path.name == "buttons.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "connect":
                continue
            signal = node.func.value
            if isinstance(signal, ast.Attribute) and signal.attr in ("clicked", "triggered"):
                offences.append(f"{path.name}:{node.lineno}: {signal.attr}.connect (use on_click)")
            for arg in node.args:
                if isinstance(arg, ast.Lambda) and (arg.args.defaults or arg.args.kw_defaults):
                    offences.append(f"{path.name}:{node.lineno}: lambda with defaults connected")
    assert offences == []
