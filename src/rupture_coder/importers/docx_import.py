"""DOCX transcripts: paragraphs shaped like text transcripts, or a table with a header row
naming speaker, time and text columns in any order."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession
from rupture_coder.importers.base import ImportError_, ImportResult, file_hash
from rupture_coder.importers.tabular import FIELDS, SYNONYMS, _norm, build_sessions, map_columns
from rupture_coder.importers.text import parse_lines


def _header_table(document):
    """The first table whose first row names a speaker and a text column."""
    for index, table in enumerate(document.tables):
        if not table.rows:
            continue
        header = [_norm(c.text) for c in table.rows[0].cells]
        has = {f for f in ("speaker", "text") if any(s in header for s in SYNONYMS[f])}
        if has == {"speaker", "text"}:
            return index, table
    return None, None


def parse_docx(
    path: Path,
    data: bytes | None = None,
    kind: str = "individual",
    overrides: dict[str, str] | None = None,
) -> ImportResult:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    raw = path.read_bytes() if data is None else data
    src = str(path)
    try:
        document = Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportError_(
            [ImportProblem(src, "whole file", "", f"not a readable .docx document ({exc})")]
        ) from exc
    title = (document.core_properties.title or "").strip()
    index, table = _header_table(document)
    if table is not None:
        header = [c.text.strip() for c in table.rows[0].cells]
        mapping = map_columns(
            header, {k: v for k, v in (overrides or {}).items() if k in FIELDS}, src
        )
        rows = (
            (f"table {index + 1} row {n}", [c.text for c in row.cells])
            for n, row in enumerate(table.rows[1:], start=2)
        )
        result = build_sessions(rows, mapping, src, title or path.stem, file_hash(raw), kind)
        return result
    session = ParsedSession(
        title or path.stem, source_file=path.name, source_hash=file_hash(raw), kind=kind
    )
    lines: list[tuple[str, str]] = []
    for n, paragraph in enumerate(document.paragraphs, start=1):
        text = paragraph.text
        if paragraph.style is not None and paragraph.style.name.lower().startswith(
            ("heading", "title")
        ):
            text = f"# {text}" if text.strip() else text
        lines.extend((f"paragraph {n}", part) for part in text.split("\n"))
    problems = parse_lines(session, lines, src)
    return ImportResult([session] if session.utterances else [], problems)
