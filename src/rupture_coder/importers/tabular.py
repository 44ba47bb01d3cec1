"""CSV, TSV and XLSX transcripts: one row per utterance, columns mapped to fields.

Fields: session, order, speaker, start, end, text. Columns are found from the header by name
(``speaker``, ``interlocutor``, ``timestamp``, ``utterance_text``...) or given by the user as
``FIELD=COLUMN``. One file may hold many sessions, one per value of the session column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession, ParsedUtterance
from rupture_coder.importers.base import ImportError_, ImportResult, file_hash, read_text
from rupture_coder.importers.checks import (
    check_times,
    in_file_order,
    no_utterances,
    parse_time_field,
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
    problems: list[ImportProblem] = []
    blocks: dict[str, _Block] = {}
    last_key: str | None = None
    seen_orders: dict[tuple[str, float], str] = {}
    last_order: dict[str, float] = {}  # a row with a bad order value stays after the row before it

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


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[str, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for cells in reader:
        yield f"line {line}", cells
        line = reader.line_num + 1


def parse_delimited(
    path: Path, data: bytes | None = None, kind: str = "individual", overrides: dict[str, str] | None = None,
    delimiter: str | None = None,
) -> ImportResult:  # fmt: skip
    raw = path.read_bytes() if data is None else data
    text, _enc = read_text(path, raw)
    if not text.strip():
        raise ImportError_([ImportProblem(str(path), "whole file", "", "the file is empty")])
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    rows = _csv_rows(text, delimiter)
    _where, header = next(rows)
    mapping = map_columns(header, overrides or {}, str(path))
    return build_sessions(rows, mapping, str(path), path.stem, file_hash(raw), kind)


def parse_xlsx(
    path: Path,
    data: bytes | None = None,
    kind: str = "individual",
    overrides: dict[str, str] | None = None,
) -> ImportResult:
    import zipfile

    from openpyxl import load_workbook

    raw = path.read_bytes() if data is None else data
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportError_(
            [ImportProblem(str(path), "whole file", "", f"not a readable .xlsx workbook ({exc})")]
        ) from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = [str(v) if v is not None else "" for v in next(values, ())]
    if not any(header):
        raise ImportError_(
            [ImportProblem(str(path), "row 1", "", "the first sheet has no header row")]
        )
    mapping = map_columns(header, overrides or {}, str(path))
    rows = (
        (f"row {n}", ["" if v is None else _cell_text(v) for v in cells])
        for n, cells in enumerate(values, start=2)
    )
    result = build_sessions(rows, mapping, str(path), path.stem, file_hash(raw), kind)
    book.close()
    return result


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
    """The header of a CSV/TSV/XLSX file and the columns guessed for each field (for a mapping UI)."""
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        header = [
            str(v)
            for v in next(book.worksheets[0].iter_rows(values_only=True), ())
            if v is not None
        ]
        book.close()
    else:
        text, _enc = read_text(path)
        header = next(_csv_rows(text, "\t" if fmt == "tsv" else ","), ("", []))[1]
    try:
        guessed = map_columns(header, {}, str(path))
    except ImportError_:
        normalised = [_norm(h) for h in header]
        guessed = {
            f: normalised.index(s) for f in FIELDS for s in SYNONYMS[f][:1] if s in normalised
        }
    return header, {fld: header[i] for fld, i in guessed.items()}
