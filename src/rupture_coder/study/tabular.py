"""Tidy tables written to CSV, TSV or XLSX, atomically.

Text that a spreadsheet would run as a formula (a rater named ``=HYPERLINK(...)``, a note that
starts with ``=``, ``+``, ``-`` or ``@``) is written as text: in XLSX as a text cell (never a
formula or a link), in CSV and TSV with a leading apostrophe, which spreadsheets read as "this is
text" (the OWASP advice for CSV injection). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from rupture_coder.errors import StudyError
from rupture_coder.store.files import atomic_write


def atomic_write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write CSV (.csv), TSV (.tsv) or XLSX (.xlsx) to ``path`` atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".tsv", ".xlsx"):
        raise StudyError(f"{path.name}: export to .csv, .tsv or .xlsx")

    def write(tmp: Path) -> None:
        if suffix == ".xlsx":
            _write_xlsx(df, str(tmp))
        else:
            write_delimited(df, tmp, "\t" if suffix == ".tsv" else ",", as_text=True)

    try:
        atomic_write(path, write)
    except OSError as exc:  # a missing or read-only folder, a full disk: the old file is intact
        raise StudyError(
            f"{path}: cannot write the export ({exc.strerror or exc}); nothing was written"
        ) from None
    return path


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def text_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: text starting like a formula gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_xlsx(df: pd.DataFrame, path: str) -> None:
    """Rows straight to xlsxwriter (constant memory): much faster than pandas' cell-by-cell writer.
    Strings stay strings: never turned into formulas or links. The archive is assembled in memory
    (its compressed size) and written here, so a full disk is one clean OSError."""
    import xlsxwriter

    options = {"constant_memory": True, "nan_inf_to_errors": True, "strings_to_formulas": False,
               "strings_to_urls": False}  # fmt: skip
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, options)
    sheet = book.add_worksheet("data")
    sheet.write_row(0, 0, [str(c) for c in df.columns])
    clean = df.astype(object).where(df.notna(), None)
    for i, row in enumerate(clean.itertuples(index=False, name=None), start=1):
        sheet.write_row(i, 0, row)
    sheet.freeze_panes(1, 0)
    book.close()
    Path(path).write_bytes(buffer.getvalue())


CHUNK_ROWS = 5_000  # rows joined in one C call: short, so that a worker lets the GUI run


def write_delimited(
    df: pd.DataFrame, path: str | Path, sep: str = ",", as_text: bool = False
) -> None:
    """The bytes ``df.to_csv(path, index=False, sep=sep)`` writes, several times faster on tidy
    tables, whose columns repeat a few values over many rows: each distinct value of a column is
    formatted once (as pandas formats it, quoted as the csv module quotes), and rows are joined from
    the formatted pieces. tests/test_exports_csv.py checks the bytes against pandas'. ``as_text``:
    text a spreadsheet would run as a formula gets its apostrophe (``text_cell``), per distinct
    value too."""
    cell = text_cell if as_text else _same
    columns = [_formatted(df[c], sep, cell) for c in df.columns]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(sep.join(_quoted(str(c), sep) for c in df.columns) + "\n")
        for start in range(0, len(df), CHUNK_ROWS):
            rows = zip(*(col[start : start + CHUNK_ROWS] for col in columns), strict=True)
            fh.write("\n".join(map(sep.join, rows)) + "\n")


def _same(value: object) -> object:
    return value


def _formatted(column: pd.Series, sep: str, cell=_same) -> np.ndarray:
    """The column's cells as they appear in the file (missing values empty)."""
    mixed = column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) != "string"
    if mixed:  # 1, 1.0 and True are equal keys but not equal texts: format cell by cell
        cache: dict[tuple[type, object, bool], str] = {}
        out = np.empty(len(column), dtype=object)
        for i, value in enumerate(column.to_numpy()):
            # 0.0 == -0.0 (and they hash alike), but they are written "0.0" and "-0.0"
            key = (type(value), value, isinstance(value, float) and math.copysign(1, value) < 0)
            text = cache.get(key)
            if text is None:
                text = "" if _missing(value) else _quoted(str(cell(value)), sep)
                cache[key] = text
            out[i] = text
        return out
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    if column.dtype.kind == "f":  # pandas writes floats as numpy formats them
        texts = [_quoted(t, sep) for t in np.asarray(uniques, dtype=np.float64).astype(str)]
    else:
        texts = [_quoted(str(cell(v)), sep) for v in np.asarray(uniques, dtype=object)]
    table = np.array([*texts, ""], dtype=object)  # code -1 (missing) -> the last, empty
    out = table[codes]
    if column.dtype.kind == "f":  # factorize takes -0.0 and 0.0 for one; pandas writes both
        values = column.to_numpy(dtype=np.float64)
        zero = values == 0
        if zero.any():
            out[zero] = np.where(np.signbit(values[zero]), "-0.0", "0.0")
    return out


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _quoted(text: str, sep: str) -> str:
    """As the csv module quotes a field under QUOTE_MINIMAL with pandas' line terminator."""
    if not (sep in text or '"' in text or "\n" in text or "\r" in text):
        return text  # nothing to quote (the common case: skip the csv module)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerow([text])
    return buffer.getvalue()[:-1]
