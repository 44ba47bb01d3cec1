"""The agreement dashboard and the session summary panel, with real widgets."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt

from rupture_coder.gui.app import open_main_window
from rupture_coder.services import queries


def test_dashboard_computes_filters_and_exports(qtbot, demo_path, tmp_path):
    window = open_main_window(demo_path)
    qtbot.addWidget(window)
    dash = window.open_agreement()
    dash.codebook_box.setCurrentIndex(dash.codebook_box.findData("3rs-individual@1.0.0"))
    assert dash.result is not None and dash.table.rowCount() == 28
    assert dash.table.item(1, 0).text() == "W2 Minimal response" and dash.table.item(
        1, 3
    ).text().startswith("1.00")
    dash.unit_box.setCurrentText("segment-rating")
    assert dash.table.rowCount() == 3 and dash.table.item(0, 8).text() == "excellent"
    assert "Few units" in dash.status.text()
    # one rater unchecked: nothing to compare, every statistic explains itself
    dash.rater_list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert (
        dash.table.item(0, 3).text() == "—"
        and "fewer than two raters" in dash.table.item(0, 4).toolTip()
    )
    dash.rater_list.item(1).setCheckState(Qt.CheckState.Checked)
    for name in ("agreement.csv", "agreement.xlsx"):
        dash.export(str(tmp_path / name))
    csv = pd.read_csv(tmp_path / "agreement.csv")
    xlsx = pd.read_excel(tmp_path / "agreement.xlsx")
    assert len(csv) == len(xlsx) == 3 * 11  # 3 ratings x (5 statistics + 6 ICCs)
    row = csv[(csv.item == "withdrawal_impact") & (csv.statistic == "icc ICC(2,1)")].iloc[0]
    assert row.value == 1.0 and row.band == "excellent" and row.n_units == 3


def test_summary_panel_follows_session_and_rater(qtbot, demo_path):
    window = open_main_window(demo_path)
    qtbot.addWidget(window)
    window.show()
    window.summary_dock.raise_()  # computed while it is on screen
    qtbot.waitUntil(lambda: "Individual session 7 — Demo coder" in window.summary.toPlainText())
    assert "4 of 4" in window.summary.toPlainText()  # rupture episodes repaired
    assert not window.rater_box.isEnabled()  # a coder is blind: only their own codes
    second = next(r for r in queries.raters(window.project) if r.name == "Second coder")
    window.set_identity(second.id)
    qtbot.waitUntil(lambda: "Second coder" in window.summary.toPlainText())
