"""Plain-text transcripts: ``Speaker: text`` lines, optional timestamps, continuation lines.

Accepted line shapes (timestamps in any form of rupture_coder.timestamps):
    T: How was your week?
    [00:01:05] P: Fine.
    00:01:05 Client: Fine.
    Client [00:01:05]: Fine.
A first line ``# Title`` names the session. A line without a speaker continues the previous
utterance; blank lines are ignored. DOCX paragraph transcripts use the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession, ParsedUtterance
from rupture_coder.importers.base import ImportResult, file_hash, read_text
from rupture_coder.importers.checks import (
    check_times,
    in_file_order,
    no_utterances,
    parse_time_field,
)

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?|\d+(?:\.\d+)?"
_LINE = re.compile(
    rf"^\s*(?:[\[(](?P<ts1>[^\])]+)[\])]|(?P<ts2>{_TS})(?=\s))?\s*"
    rf"(?P<speaker>[^\W\d][\w .'-]{{0,40}}?)\s*(?:[\[(](?P<ts3>[^\])]+)[\])])?\s*:\s(?P<text>.*)$"
)
_TITLE = re.compile(r"^\s*#\s*(?:title\s*:\s*)?(?P<title>.+)$", re.IGNORECASE)


def parse_lines(
    session: ParsedSession, lines: Iterable[tuple[str, str]], src: str
) -> list[ImportProblem]:
    """Fill ``session`` from (where, line) pairs; return the problems found."""
    problems: list[ImportProblem] = []
    current: ParsedUtterance | None = None
    for where, line in lines:
        if not line.strip():
            continue
        title = _TITLE.match(line)
        if title and current is None:
            session.title = title.group("title").strip()
            continue
        m = _LINE.match(line)
        if not m:
            if current is None:
                problems.append(
                    ImportProblem(
                        src,
                        where,
                        line.strip()[:80],
                        "text before the first 'Speaker: text' line",
                        repair="keep it as an utterance by speaker 'Unknown'",
                    )  # fmt: skip
                )
                current = ParsedUtterance("Unknown", line.strip(), where=where)
                session.utterances.append(current)
            else:
                current.text = f"{current.text} {line.strip()}".strip()
            continue
        stamp = m.group("ts1") or m.group("ts2") or m.group("ts3")
        start = parse_time_field(stamp, src, where, "start", problems)
        current = ParsedUtterance(
            m.group("speaker").strip(), m.group("text").strip(), start, where=where
        )
        session.utterances.append(current)
    if not session.utterances:
        problems.append(
            no_utterances(src, "expected lines like 'T: text' or '[00:01:05] Client: text'")
        )
    check_times(session, src, problems)
    return in_file_order(problems)


def parse_text_transcript(
    path: Path, data: bytes | None = None, kind: str = "individual"
) -> ImportResult:
    raw = path.read_bytes() if data is None else data
    text, _enc = read_text(path, raw)
    session = ParsedSession(
        title=path.stem, source_file=path.name, source_hash=file_hash(raw), kind=kind
    )
    lines = ((f"line {n}", line) for n, line in enumerate(text.split("\n"), start=1))
    problems = parse_lines(session, lines, str(path))
    return ImportResult([session] if session.utterances else [], problems)
