"""The fast XLSX writer (study.tabular.fast_xlsx) writes the worksheet xlsxwriter writes, byte for
byte, for tidy tables and for hostile text; a value it does not know goes to xlsxwriter."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from rupture_coder.study.tabular import atomic_write_table, fast_xlsx, xlsxwriter_bytes

HOSTILE = ["=HYPERLINK(\"http://example.invalid\",\"x\")", "+1", "-2+3", "@SUM(A1)", " lead", "trail ",
           "a & b < c > d", "ctl\x01\x1f", "_x0041_ literal", "\ufffe", "line\nbreak", "tab\tin", "",
           "http://example.invalid/", "ünïcödé ✓", "\"quoted\""]  # fmt: skip


def _sheet(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode("utf-8")


def _frames() -> list[pd.DataFrame]:
    n = len(HOSTILE)
    mixed = pd.DataFrame({
        "text": HOSTILE, "int": range(n), "float": np.linspace(-1.5, 1e17, n),
        "nullable": pd.array([None if i % 3 == 0 else i for i in range(n)], dtype="Int64"),
        "flag": [i % 2 == 0 for i in range(n)], "maybe": [None if i % 2 else 0.1 * i for i in range(n)],
        "objects": [1, 1.0, True, "1", None, 2.5, "", 0, False, "x", 3, None, 7, 8.25, "y", None],
    })  # fmt: skip
    blank_tail = pd.DataFrame({"a": ["x", None, None], "b": [None, None, None]})
    return [mixed, blank_tail, mixed.iloc[:0], pd.DataFrame({"only": [None, None]})]


def test_the_fast_sheet_is_xlsxwriters():
    for df in _frames():
        assert _sheet(fast_xlsx(df)) == _sheet(xlsxwriter_bytes(df))


def test_the_written_file_reads_back_with_text_as_text(tmp_path):
    df = _frames()[0]
    path = atomic_write_table(df, tmp_path / "t.xlsx")
    sheet = load_workbook(path)["data"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f" or c.hyperlink is not None]
    back = pd.read_excel(path)
    assert back["int"].tolist() == list(range(len(HOSTILE)))
    assert back["text"].fillna("").tolist()[:3] == HOSTILE[:3]


def test_an_unknown_value_goes_to_xlsxwriter(tmp_path):
    df = pd.DataFrame({"when": [pd.Timestamp("2026-01-02")], "inf": [float("inf")]})
    path = atomic_write_table(df, tmp_path / "t.xlsx")
    assert load_workbook(path)["data"]["A2"].value is not None
