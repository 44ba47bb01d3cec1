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
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from rupture_coder.errors import StudyError
from rupture_coder.store.files import atomic_write


def table_writer(df: pd.DataFrame, path: Path) -> Callable[[Path], None]:
    """What writes ``df`` as ``path``'s format (CSV, TSV or XLSX) into a (temporary) file."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".tsv", ".xlsx"):
        raise StudyError(f"{path.name}: export to .csv, .tsv or .xlsx")

    def write(tmp: Path) -> None:
        if suffix == ".xlsx":
            _write_xlsx(df, str(tmp))
        else:
            write_delimited(df, tmp, "\t" if suffix == ".tsv" else ",", as_text=True)

    return write


def atomic_write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write CSV (.csv), TSV (.tsv) or XLSX (.xlsx) to ``path`` atomically."""
    path = Path(path)
    write = table_writer(df, path)
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
    """Strings stay strings: never turned into formulas or links. The archive is assembled in
    memory (its compressed size) and written here, so a full disk is one clean OSError."""
    try:
        data = fast_xlsx(df)
    except _Unsupported:  # a value the fast writer does not know: xlsxwriter writes every cell
        data = xlsxwriter_bytes(df)
    Path(path).write_bytes(data)


_OPTIONS = {"constant_memory": True, "nan_inf_to_errors": True, "strings_to_formulas": False,
            "strings_to_urls": False}  # fmt: skip


def xlsxwriter_bytes(df: pd.DataFrame) -> bytes:
    """The workbook as xlsxwriter writes it, row by row (constant memory)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, _OPTIONS)
    sheet = book.add_worksheet("data")
    sheet.write_row(0, 0, [str(c) for c in df.columns])
    clean = df.astype(object).where(df.notna(), None)
    for i, row in enumerate(clean.itertuples(index=False, name=None), start=1):
        sheet.write_row(i, 0, row)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


class _Unsupported(Exception):
    pass


_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_ESCAPED = re.compile("(_x[0-9a-fA-F]{4}_)")
_STRMAX = 32767
MAX_XLSX_ROWS = 1_048_576


def _cell(value: object) -> str:
    """The end of a cell's XML after its reference (``<c r="A1`` + this), as xlsxwriter writes
    the value in constant-memory mode; "" for an empty cell."""
    kind = type(value)
    if value is None or (kind is str and value == ""):
        return ""
    if kind is bool:
        return f'" t="b"><v>{1 if value else 0}</v></c>'
    if kind in (int, float):
        if math.isnan(value) or math.isinf(value):  # type: ignore[arg-type]
            raise _Unsupported
        return f'"><v>{value:.16G}</v></c>'
    if kind is not str:
        raise _Unsupported
    text = str(value)
    if len(text) > _STRMAX // 2 and len(text.encode("utf-16-le")) // 2 > _STRMAX:
        raise _Unsupported  # xlsxwriter cuts it (in UTF-16 units): left to it
    text = _ESCAPED.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if re.search(r"^\s", text) or re.search(r"\s$", text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'" t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def _column_cells(column: pd.Series) -> np.ndarray:
    """Each cell's XML tail, formatted once per distinct value (1 and 1.0 and True apart)."""
    cache: dict[tuple[type, object], str] = {}
    out = np.empty(len(column), dtype=object)
    for i, value in enumerate(column.to_numpy()):
        key = (type(value), value)
        text = cache.get(key)
        if text is None:
            text = cache[key] = _cell(value)
        out[i] = text
    return out


def fast_xlsx(df: pd.DataFrame) -> bytes:
    """The bytes of ``xlsxwriter_bytes(df)``'s worksheet, its cells formatted once per distinct
    value and joined as text (a 200-session export has 3 million cells: xlsxwriter spends several
    microseconds on each). The workbook around them is xlsxwriter's own, written with the header
    row only; tests/test_exports_xlsx.py checks the sheet against xlsxwriter's."""
    from xlsxwriter.utility import xl_col_to_name

    if len(df) >= MAX_XLSX_ROWS:  # xlsxwriter leaves out the rows past the sheet's last
        raise _Unsupported
    shell = xlsxwriter_bytes(df.iloc[:0])
    clean = df.astype(object).where(df.notna(), None)
    header = [_cell(str(c)) for c in df.columns]
    columns = [_column_cells(clean[c]) for c in clean.columns]
    letters = [f'<c r="{xl_col_to_name(j)}' for j in range(len(df.columns))]
    parts = [_row(1, header, letters)]
    last_row, used = (1 if any(header) else 0), {j for j, c in enumerate(header) if c}
    for start in range(0, len(df), CHUNK_ROWS):  # short C calls: a worker lets the GUI run
        for i, cells in enumerate(
            zip(*(c[start : start + CHUNK_ROWS] for c in columns), strict=True), start + 2
        ):
            text = _row(i, cells, letters)
            if text:
                parts.append(text)
                last_row = i
                used.update(j for j, c in enumerate(cells) if c)
    with zipfile.ZipFile(io.BytesIO(shell)) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info, data)
                continue
            # as writestr writes it, in pieces: one string of the whole sheet (often 100 MB)
            # took a C call long enough to stall the window while a worker exported
            pieces = _fill(data.decode("utf-8"), parts, last_row, used)
            info.file_size = sum(len(p) for p in pieces)
            with z.open(info, mode="w") as dest:
                for piece in pieces:
                    dest.write(piece)
    return out.getvalue()


def _row(n: int, cells, letters: list[str]) -> str:
    row = str(n)
    inner = "".join(letters[j] + row + c for j, c in enumerate(cells) if c)
    return f'<row r="{row}">{inner}</row>' if inner else ""


def _fill(sheet: str, rows: list[str], last_row: int, used: set[int]) -> list[bytes]:
    """The worksheet with ``rows`` as its data, as UTF-8 pieces of CHUNK_ROWS rows."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    head, sep, tail = sheet.partition("<sheetData>")
    if not sep or not tail.startswith('<row r="1">'):
        raise _Unsupported
    tail = tail[tail.index("</sheetData>") :]
    if used:
        first, last = xl_rowcol_to_cell(0, min(used)), xl_rowcol_to_cell(last_row - 1, max(used))
        ref = first if first == last else f"{first}:{last}"
        head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', head, count=1)
    chunks = ("".join(rows[k : k + CHUNK_ROWS]) for k in range(0, len(rows), CHUNK_ROWS))
    return [
        (head + sep).encode("utf-8"),
        *(c.encode("utf-8") for c in chunks),
        tail.encode("utf-8"),
    ]


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
        values = column.to_numpy()
        out = np.full(len(column), "", dtype=object)  # None (often most of a column): empty
        present = np.flatnonzero([v is not None for v in values])
        for i, value in zip(present.tolist(), values[present].tolist(), strict=True):
            # 0.0 == -0.0 (and they hash alike), but they are written "0.0" and "-0.0"
            key = (type(value), value, isinstance(value, float) and math.copysign(1, value) < 0)
            text = cache.get(key)
            if text is None:
                text = "" if _missing(value) else _quoted(str(cell(value)), sep)
                cache[key] = text
            out[i] = text
        return out
    codes, uniques = _factorize(column)
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


def _factorize(column: pd.Series) -> tuple[np.ndarray, object]:
    """``pd.factorize(column)`` (missing values -1); a text column that repeats each value over
    many rows in a row (a rater's, a session's) is factorized by its runs."""
    if not isinstance(column.dtype, pd.StringDtype):
        return pd.factorize(column, use_na_sentinel=True)
    values = column.to_numpy(dtype=object)  # str or NaN: compared in C, never ambiguous
    if not len(values):  # an empty table (a study with no codes yet)
        return pd.factorize(values, use_na_sentinel=True)
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    if len(starts) * 4 > len(values):  # short runs: as Python objects (faster than the dtype's)
        return pd.factorize(values, use_na_sentinel=True)
    # the first of each value starts a run: the runs' codes, in order, are the values' codes
    firsts, uniques = pd.factorize(values[starts], use_na_sentinel=True)
    return np.repeat(firsts, np.diff(np.r_[starts, len(values)])), uniques


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _quoted(text: str, sep: str) -> str:
    """As the csv module quotes a field under QUOTE_MINIMAL with pandas' line terminator."""
    if not (sep in text or '"' in text or "\n" in text or "\r" in text):
        return text  # nothing to quote (the common case: skip the csv module)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerow([text])
    return buffer.getvalue()[:-1]
