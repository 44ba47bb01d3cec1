"""DOCX transcripts: paragraphs shaped like text transcripts, or a table with a header row
naming speaker, time and text columns in any order.

The archive and every XML member pass the guards of rupture_coder.limits first. python-docx then
reads what we need into plain strings, and any failure of it on a damaged document becomes one
named refusal; our own parsing runs on those strings, outside that net.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession
from rupture_coder.importers.base import ImportError_, ImportResult, file_hash, read_source
from rupture_coder.importers.tabular import FIELDS, SYNONYMS, _norm, build_sessions, map_columns
from rupture_coder.importers.text import parse_lines
from rupture_coder.limits import (
    MAX_COLUMNS,
    MAX_LINES,
    Refused,
    ZipCaps,
    check_count,
    check_length,
    check_xml,
    open_zip,
)

DOCX_ZIP_CAPS = ZipCaps()


@dataclass
class _Content:
    """What a transcript needs from a document, as plain strings."""

    title: str = ""
    table_index: int | None = None  # the first table whose header names a speaker and a text
    table_rows: list[list[str]] = field(default_factory=list)
    paragraphs: list[tuple[str, bool]] = field(default_factory=list)  # (text, is a heading)


def _row_texts(tr, table, src: str, where: str) -> list[str]:
    """Cell texts of one row, a horizontally merged cell repeated over the columns it spans
    (as Word shows it); vertically merged continuation cells are empty."""
    from docx.table import _Cell

    cells: list[str] = []
    for tc in tr.tc_lst:
        span = tc.grid_span
        if len(cells) + span > MAX_COLUMNS:
            raise Refused(src, where, f"more than {MAX_COLUMNS:,} cells",
                          f"a table row may span at most {MAX_COLUMNS:,} columns")  # fmt: skip
        text = _Cell(tc, table).text
        check_length(len(text), src, where, "cell")
        cells.extend([text] * span)
    return cells


def _header_index(document, src: str) -> int | None:
    for index, table in enumerate(document.tables):
        rows = table._tbl.tr_lst
        if not rows:
            continue
        header = [_norm(c) for c in _row_texts(rows[0], table, src, f"table {index + 1} row 1")]
        has = {f for f in ("speaker", "text") if any(s in header for s in SYNONYMS[f])}
        if has == {"speaker", "text"}:
            return index
    return None


def _read(raw: bytes, src: str) -> _Content:
    from docx import Document

    with open_zip(raw, src, DOCX_ZIP_CAPS) as archive:
        for name in archive.members:
            if name.lower().endswith((".xml", ".rels")):
                check_xml(archive.open(name), src, f"member {name}")
    try:
        document = Document(io.BytesIO(raw))
        content = _Content(title=(document.core_properties.title or "").strip()[:200])
        content.table_index = _header_index(document, src)
        if content.table_index is not None:
            table = document.tables[content.table_index]
            for n, tr in enumerate(table._tbl.tr_lst, start=1):
                check_count(n, MAX_LINES, src, f"table {content.table_index + 1} row {n}", "rows")
                content.table_rows.append(
                    _row_texts(tr, table, src, f"table {content.table_index + 1} row {n}")
                )
            return content
        style_names = {s.style_id: (s.name or "") for s in document.styles}
        for n, paragraph in enumerate(document.paragraphs, start=1):
            check_count(n, MAX_LINES, src, f"paragraph {n}", "paragraphs")
            text = paragraph.text
            check_length(len(text), src, f"paragraph {n}", "paragraph")
            name = style_names.get(paragraph._p.style or "", "").lower()
            content.paragraphs.append((text, name.startswith(("heading", "title"))))
        return content
    except (Refused, ImportError_):
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of python-docx on a damaged document
        detail = str(exc)[:200] or type(exc).__name__
        raise ImportError_([ImportProblem(src, "whole file", type(exc).__name__,
                                          f"not a readable .docx document ({detail})")]) from None  # fmt: skip


def parse_docx(
    path: Path,
    data: bytes | None = None,
    kind: str = "individual",
    overrides: dict[str, str] | None = None,
) -> ImportResult:
    raw = read_source(path, data)
    src = str(path)
    content = _read(raw, src)
    if content.table_index is not None:
        header = [c.strip() for c in content.table_rows[0]]
        mapping = map_columns(
            header, {k: v for k, v in (overrides or {}).items() if k in FIELDS}, src
        )
        rows = (
            (f"table {content.table_index + 1} row {n}", cells)
            for n, cells in enumerate(content.table_rows[1:], start=2)
        )
        return build_sessions(rows, mapping, src, content.title or path.stem, file_hash(raw), kind)
    session = ParsedSession(
        content.title or path.stem, source_file=path.name, source_hash=file_hash(raw), kind=kind
    )
    lines: list[tuple[str, str]] = []
    for n, (text, heading) in enumerate(content.paragraphs, start=1):
        if heading and text.strip():
            text = f"# {text}"
        lines.extend((f"paragraph {n}", part) for part in text.split("\n"))
    problems = parse_lines(session, lines, src)
    return ImportResult([session] if session.utterances else [], problems)
