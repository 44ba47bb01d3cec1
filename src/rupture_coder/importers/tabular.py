"""CSV, TSV and XLSX transcripts: one row per utterance, columns mapped to fields.

Fields: session, order, speaker, start, end, text. Columns are found from the header by name
(``speaker``, ``interlocutor``, ``timestamp``, ``utterance_text``...) or given by the user as
``FIELD=COLUMN``. One file may hold many sessions, one per value of the session column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession, ParsedUtterance
from rupture_coder.importers.base import (
    ImportError_,
    ImportResult,
    as_import_error,
    count_utterance,
    file_hash,
    read_source,
    read_text,
)
from rupture_coder.importers.checks import (
    Problems,
    check_times,
    in_file_order,
    no_utterances,
    parse_time_field,
)
from rupture_coder.limits import (
    MAX_COLUMNS,
    MAX_LINES,
    MAX_SHEET_CELLS,
    MiB,
    Refused,
    ZipCaps,
    capped_lines,
    check_count,
    check_length,
    check_xml,
    open_zip,
)

FIELDS = ("session", "title", "order", "speaker", "start", "end", "text")
SYNONYMS = {
    "session": ("session", "session_id", "transcript_id", "transcript", "file", "recording"),
    "title": ("title", "session_title", "video_title"),  # the session's title (first row's)
    "order": ("order", "utterance_id", "index", "seq", "sequence", "turn", "turn_id", "line"),
    "speaker": ("speaker", "interlocutor", "role", "participant", "name", "who"),
    "start": ("start", "timestamp", "time", "begin", "start_time", "onset", "start_s"),
    "end": ("end", "stop", "end_time", "offset", "end_s"),
    "text": ("text", "utterance_text", "utterance", "transcript_text", "content", "words"),
}
REQUIRED = ("speaker", "text")


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def map_columns(header: list[str], overrides: dict[str, str], src: str) -> dict[str, int]:
    """Column index per field; ImportError_ names unknown or missing columns."""
    problems = []
    normalised = [_norm(h) for h in header]
    mapping: dict[str, int] = {}
    for fld, column in overrides.items():
        if fld not in FIELDS:
            problems.append(
                ImportProblem(
                    src,
                    "--map",
                    f"{fld}={column}",
                    f"unknown field {fld!r}; fields are {', '.join(FIELDS)}",
                )
            )
        elif _norm(column) not in normalised:
            problems.append(
                ImportProblem(
                    src,
                    "header",
                    column,
                    f"no column {column!r} for {fld}; the columns are {', '.join(header)}",
                )
            )
        else:
            mapping[fld] = normalised.index(_norm(column))
    for fld in FIELDS:
        if fld not in mapping and fld not in overrides:
            hit = next((normalised.index(s) for s in SYNONYMS[fld] if s in normalised), None)
            if hit is not None and hit not in mapping.values():
                mapping[fld] = hit
    for fld in REQUIRED:
        if fld not in mapping and not any(p.value.startswith(f"{fld}=") for p in problems):
            problems.append(ImportProblem(src, "header", ", ".join(header),
                                          f"no {fld} column found; name one with --map {fld}=COLUMN"))  # fmt: skip
    if problems:
        raise ImportError_(problems)
    return mapping


@dataclass
class _Block:
    key: str
    first_where: str
    rows: list[tuple[float | None, int, ParsedUtterance]] = field(default_factory=list)
    title: str = ""


def build_sessions(
    rows: Iterable[tuple[str, list[str]]],
    mapping: dict[str, int],
    src: str,
    stem: str,
    digest: str,
    kind: str,
) -> ImportResult:
    """Turn (where, cells) rows into sessions, collecting every problem."""
    problems: list[ImportProblem] = Problems(src)
    blocks: dict[str, _Block] = {}
    last_key: str | None = None
    seen_orders: dict[tuple[str, float], str] = {}
    last_order: dict[str, float] = {}  # a row with a bad order value stays after the row before it
    utterances = 0

    def cell(cells: list[str], fld: str) -> str:
        i = mapping.get(fld)
        return cells[i].strip() if i is not None and i < len(cells) and cells[i] is not None else ""

    for n, (where, cells) in enumerate(rows):
        if not any(c.strip() for c in cells if c):
            continue
        key = cell(cells, "session") if "session" in mapping else ""
        if "session" in mapping and not key:
            problems.append(
                ImportProblem(src, where, "", "no session value", repair="skip the row")
            )
            continue
        text, speaker = cell(cells, "text"), cell(cells, "speaker")
        if not text:
            problems.append(
                ImportProblem(src, where, "", "no utterance text", repair="skip the row")
            )
            continue
        if not speaker:
            problems.append(ImportProblem(src, where, "", "no speaker", repair="speaker 'Unknown'"))
            speaker = "Unknown"
        order: float | None = None
        if "order" in mapping:
            raw = cell(cells, "order")
            try:
                order = float(raw)
            except ValueError:
                problems.append(
                    ImportProblem(
                        src, where, raw, "order: not a number", repair="use the file order"
                    )
                )
                order = last_order.get(key, float("-inf"))
            else:
                last_order[key] = order
                dup = seen_orders.get((key, order))
                if dup:
                    problems.append(ImportProblem(src, where, raw, f"order {raw} repeats {dup} in session {key!r}",
                                                  repair="keep both, in file order"))  # fmt: skip
                seen_orders[(key, order)] = where
        start = parse_time_field(cell(cells, "start"), src, where, "start", problems)
        end = parse_time_field(cell(cells, "end"), src, where, "end", problems)
        if key not in blocks:
            blocks[key] = _Block(key, where)
            blocks[key].title = cell(cells, "title")
        elif key != last_key and "order" not in mapping:
            problems.append(ImportProblem(src, where, key, f"session {key!r} continues here after other sessions "
                                          f"(it started at {blocks[key].first_where})", repair="join it in file order"))  # fmt: skip
        last_key = key
        blocks[key].rows.append((order, n, ParsedUtterance(speaker, text, start, end, where=where)))
        utterances += 1
        count_utterance(utterances, src, where)
    sessions = []
    for block in blocks.values():
        block.rows.sort(key=lambda r: (r[0] if r[0] is not None else float("inf"), r[1]))
        named = any(ch.isalpha() for ch in block.key)  # "Skills group, session 3" vs "38"
        title = block.key if named else f"{stem} {block.key}".strip()
        if block.title:  # a title column (AnnoMI's video_title): the same title twice keeps the key
            shared = sum(1 for b in blocks.values() if b.title == block.title) > 1
            title = f"{block.title} ({block.key})" if shared and block.key else block.title
        session = ParsedSession(
            title, [u for _o, _n, u in block.rows], Path(src).name, digest, kind
        )
        session.source_key = block.key
        check_times(session, src, problems)
        sessions.append(session)
    if not sessions:
        problems.append(no_utterances(src, "no row has both a speaker and a text"))
    return ImportResult(sessions, in_file_order(problems))


def _csv_rows(text: str, delimiter: str, src: str) -> Iterator[tuple[str, list[str]]]:
    """(where, cells) per record, within the caps: field length (the csv module's own limit,
    131,072 characters), record length, columns, and records per file."""
    lines, record_done = capped_lines(io.StringIO(text, newline=""), src)
    reader = csv.reader(lines, delimiter=delimiter)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                message = f"a field may hold at most {csv.field_size_limit():,} characters"
            raise Refused(src, f"line {line}", "", f"not readable as CSV: {message}") from None
        record_done()
        check_count(reader.line_num, MAX_LINES, src, f"line {line}", "lines")
        if len(cells) > MAX_COLUMNS:
            raise Refused(src, f"line {line}", f"{len(cells):,} cells",
                          f"a row may hold at most {MAX_COLUMNS:,} cells")  # fmt: skip
        yield f"line {line}", cells
        line = reader.line_num + 1


def parse_delimited(
    path: Path, data: bytes | None = None, kind: str = "individual", overrides: dict[str, str] | None = None,
    delimiter: str | None = None,
) -> ImportResult:  # fmt: skip
    raw = read_source(path, data)
    text, _enc = read_text(path, raw)
    if not text.strip():
        raise ImportError_([ImportProblem(str(path), "whole file", "", "the file is empty")])
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    rows = _csv_rows(text, delimiter, str(path))
    _where, header = next(rows, ("line 1", []))
    mapping = map_columns(header, overrides or {}, str(path))
    return build_sessions(rows, mapping, str(path), path.stem, file_hash(raw), kind)


def parse_xlsx(
    path: Path,
    data: bytes | None = None,
    kind: str = "individual",
    overrides: dict[str, str] | None = None,
) -> ImportResult:
    """The first sheet. The archive and every XML member pass the guards of rupture_coder.limits
    before openpyxl sees them; what openpyxl then raises on a damaged workbook is reported as
    "not a readable .xlsx workbook" (at the row where reading stopped)."""
    raw = read_source(path, data)
    src = str(path)
    book, sheet, n_rows = _open_workbook(raw, src)
    try:
        values = _sheet_values(sheet, src, 1, None)
        header = [str(v) if v is not None else "" for v in next(values, ())]
        if not any(header):
            raise ImportError_(
                [ImportProblem(src, "row 1", "", "the first sheet has no header row")]
            )
        mapping = map_columns(header, overrides or {}, src)
        width = max(mapping.values()) + 1
        if n_rows * width > MAX_SHEET_CELLS:
            raise Refused(src, "first sheet", f"{n_rows:,} rows x {width} columns",
                          f"a sheet may have at most {MAX_SHEET_CELLS:,} cells to read")  # fmt: skip
        rows = (
            (f"row {n}", ["" if v is None else _cell_text(v) for v in cells])
            for n, cells in enumerate(_sheet_values(sheet, src, 2, width), start=2)
        )
        return build_sessions(rows, mapping, src, path.stem, file_hash(raw), kind)
    finally:
        book.close()


XLSX_ZIP_CAPS = ZipCaps(max_member_bytes=128 * MiB, max_total_bytes=256 * MiB)
_COLUMN = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


class _SheetShape:
    """Checks a worksheet's cell and row references while the XML guard streams it: openpyxl
    fills every gap up to a referenced row or column, so a far reference is a time bomb."""

    def __init__(self) -> None:
        self.rows = 0

    def check(self, name: str, attrs: dict[str, str]) -> tuple[str, str] | None:
        local = name.rpartition(":")[2]
        ref = attrs.get("r")
        if local == "row":
            self.rows += 1
            if ref is not None and not (ref.isascii() and ref.isdigit() and int(ref) <= MAX_LINES):
                return f"row {ref[:20]}", f"row numbers go up to {MAX_LINES:,}"
        elif local == "c" and ref is not None:
            m = _COLUMN.match(ref)
            if m is None or _column_number(m.group(1)) > MAX_COLUMNS:
                return f"cell {ref[:20]}", f"cells go up to column {MAX_COLUMNS:,} (ALL)"
        return None


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def guard_xlsx(raw: bytes, src: str) -> int:
    """Check a workbook's archive and every XML member before a library parses it (Refused when
    a guard fails); returns the most rows a sheet holds."""
    rows = 0
    with open_zip(raw, src, XLSX_ZIP_CAPS) as archive:
        for name in archive.members:
            if name.lower().endswith((".xml", ".rels", ".vml")):
                shape = _SheetShape() if name.startswith("xl/worksheets/") else None
                check_xml(archive.open(name), src, f"member {name}",
                          on_element=shape.check if shape else None)  # fmt: skip
                rows = max(rows, shape.rows if shape else 0)
    return rows


def _open_workbook(raw: bytes, src: str):
    """(workbook, its first sheet, the most rows a sheet holds), once the archive and every XML
    member passed the guards."""
    from openpyxl import load_workbook

    rows = guard_xlsx(raw, src)
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure of the library on a damaged file
        raise _unreadable(src, "whole file", exc) from None
    if not book.worksheets:
        book.close()
        raise ImportError_([ImportProblem(src, "whole file", "", "the workbook has no sheet")])
    sheet = book.worksheets[0]
    sheet.reset_dimensions()  # never trust the declared size: rows are padded to it
    return book, sheet, rows


def _sheet_values(sheet, src: str, first: int, width: int | None) -> Iterator[tuple]:
    """Rows of values; a failure of openpyxl inside the sheet names the row it stopped at."""
    rows = sheet.iter_rows(min_row=first, max_col=width, values_only=True)
    n = first
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - any failure of the library on a damaged file
            raise _unreadable(src, f"row {n}", exc) from None
        for v in values:
            if isinstance(v, str):
                check_length(len(v), src, f"row {n}", "cell")
        yield values
        n += 1


def _unreadable(src: str, where: str, exc: Exception) -> ImportError_:
    return ImportError_([ImportProblem(src, where, type(exc).__name__,
                                       f"not a readable .xlsx workbook ({str(exc)[:200] or type(exc).__name__})")])  # fmt: skip


def _cell_text(value: object) -> str:
    """Spreadsheet cells: times become hh:mm:ss.mmm, whole floats lose their '.0'."""
    import datetime as dt

    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond // 1000:03d}"
    if isinstance(value, dt.timedelta):
        return f"{value.total_seconds():.3f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table_columns(path: Path, fmt: str) -> tuple[list[str], dict[str, str]]:
    """The header of a CSV/TSV/XLSX file and the columns guessed for each field (for a mapping UI).
    ImportError_ when the file cannot be read (the plan then lists why)."""
    src = str(path)
    try:
        if fmt == "xlsx":
            book, sheet, _rows = _open_workbook(read_source(path), src)
            try:
                first = next(_sheet_values(sheet, src, 1, None), ())
            finally:
                book.close()
            header = [str(v) for v in first if v is not None]
        else:
            text, _enc = read_text(path)
            header = next(_csv_rows(text, "\t" if fmt == "tsv" else ",", src), ("", []))[1]
    except Refused as refusal:
        raise as_import_error(refusal) from None
    try:
        guessed = map_columns(header, {}, str(path))
    except ImportError_:
        normalised = [_norm(h) for h in header]
        guessed = {
            f: normalised.index(s) for f in FIELDS for s in SYNONYMS[f][:1] if s in normalised
        }
    return header, {fld: header[i] for fld, i in guessed.items()}
