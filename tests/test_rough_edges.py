"""The rough edges of issue 11, each pinned: rating buttons leave no ghost, the timeline's legend
sits beside the plot and its range follows the session, the empty drift chart reads dates and
each rater has a colour, the review list reads whole with labels, DOCX tables keep words whole,
the study report counts raters who coded, clips CIs it explains, and prints no warning."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import Qt
from test_consensus import merged  # noqa: F401  (fixture)
from test_gui_coding import choose_session, open_as_new_coder
from test_gui_study import lead_window
from test_packages import study  # noqa: F401  (fixture)

from rupture_coder.agreement.results import clipped_ci
from rupture_coder.gui.timeline import Timeline
from rupture_coder.services import queries
from rupture_coder.services.coding import FlagCode, SetRating
from rupture_coder.services.project import AddRater
from rupture_coder.study.reports import CM_PER_CHAR, study_report

IND = ("3rs-individual", "1.0.0")


def test_an_unrated_segment_shows_no_ghost_of_the_last_value(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    row = window.segment_form.rows["withdrawal_impact"]
    never_checked = row.buttons[4].grab().toImage()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(row.hasFocus)
    qtbot.keyClick(row, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: row.buttons[4].isChecked())
    qtbot.keyClick(row, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)  # segment 2
    qtbot.waitUntil(lambda: "Segment 2 of 3" in window.segment_form.title.text())
    assert not row.buttons[4].isChecked()
    assert row.buttons[4].grab().toImage() == never_checked  # drawn exactly as never rated


def test_timeline_legend_outside_and_ranges_follow_the_session(qtbot):
    timeline = Timeline()
    qtbot.addWidget(timeline)
    assert timeline.ratings.getPlotItem().legend is None  # nothing drawn over the step lines
    assert "withdrawal impact" in timeline.legend.text()
    (x0, x1), _ = timeline.lanes.getPlotItem().vb.viewRange()
    assert x0 <= 0 and x1 >= 290  # empty: the first five minutes, not 3.5-4.5 s
    timeline.show(
        {"withdrawal": [1600.0]}, [(1524.0, 1824.0, {}), (1824.0, 2000.0, {})], True, 2000.0
    )
    (x0, x1), _ = timeline.lanes.getPlotItem().vb.viewRange()
    assert 1500 < x0 <= 1524 and 2000 <= x1 < 2010  # a session that starts at 25:24


def test_drift_chart_reads_dates_when_empty_and_colours_each_rater(qtbot, merged):  # noqa: F811
    window, session, ids = lead_window(qtbot, merged)
    dialog = window.open_calibration()
    (x0, x1), _ = dialog.plot.getPlotItem().vb.viewRange()
    assert 27 * 86400 < x1 - x0 < 29 * 86400  # four weeks of dates, not 00.100 ... 00.900
    segs = queries.segments(window.project, session.id)
    for rater, values in ((ids["Ann"], (2, 4, 1)), (ids["Bob"], (2, 3, 1))):
        for seg, value in zip(segs, values, strict=True):
            window.service.run(
                SetRating(rater, IND, "confrontation_impact", value, segment_id=seg.id)
            )
    lena = window.service.run(AddRater("Lena gold", "lead")).result
    qtbot.waitUntil(lambda: dialog.gold_rater.findText("Lena gold") >= 0)  # the list follows
    for seg, value in zip(segs, (2, 4, 2), strict=True):
        window.service.run(
            SetRating(lena.id, IND, "confrontation_impact", value, segment_id=seg.id)
        )
    dialog.gold_rater.setCurrentIndex(dialog.gold_rater.findText("Lena gold"))
    dialog.mark_gold()
    items = dialog.plot.getPlotItem().listDataItems()
    assert len(items) == 2
    brushes = {item.opts["symbolBrush"] for item in items}
    assert len(brushes) == 2, "each rater's points in their own colour"


def test_review_list_reads_whole_with_labels(qtbot, merged):  # noqa: F811
    window, session, ids = lead_window(qtbot, merged)
    c5 = next(c for c in queries.codes(window.project, session.id, ids["Ann"]) if c.item_id == "C5")
    window.service.run(
        FlagCode(c5.id, True, "C5 or C3? the client seemed to doubt the progress itself")
    )
    dialog = window.open_review()
    assert dialog.list.wordWrap()
    text = dialog.list.item(0).text()
    assert "C5 Complaints about progress" in text and "doubt the progress itself" in text
    dialog.impact.setValue(3)
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any("Withdrawal impact 4" in t for t in texts)
    assert not any("withdrawal_impact" in t for t in texts)


def test_study_report_counts_coders_and_keeps_header_words_whole(merged, tmp_path):  # noqa: F811
    from docx import Document
    from docx.shared import Cm

    lead, svc, _session, _ids, _tmp = merged
    svc.run(AddRater("Never coded"))
    out = study_report(lead, tmp_path / "study.docx")
    doc = Document(str(out))
    intro = doc.paragraphs[1].text
    assert "2 raters who coded" in intro
    for table in doc.tables:
        for i, cell in enumerate(table.rows[0].cells):
            longest = max((len(w) for r in table.rows for w in r.cells[i].text.split()), default=1)
            assert cell.width >= Cm(longest * CM_PER_CHAR) * 0.75, (cell.text, cell.width)


def test_confidence_intervals_are_clipped_to_the_coefficients_range():
    assert clipped_ci(0.31, 1.17) == (" [0.31, 1.00]†", True)
    assert clipped_ci(-1.2, 0.4) == (" [-1.00, 0.40]†", True)
    assert clipped_ci(0.1, 0.9) == (" [0.10, 0.90]", False)


def test_report_study_prints_only_what_it_wrote(merged, tmp_path):  # noqa: F811
    lead, _svc, _session, _ids, _tmp = merged
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONWARNINGS": "default"}
    done = subprocess.run(
        [sys.executable, "-m", "rupture_coder", "report", "--study", "--out",
         str(tmp_path / "s.docx"), "--project", str(lead.path)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.strip() == f"wrote {tmp_path / 's.docx'}"
