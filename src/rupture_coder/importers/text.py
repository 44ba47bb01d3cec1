"""Plain-text transcripts: ``Speaker: text`` lines, optional timestamps, continuation lines.

Accepted line shapes (timestamps in any form of rupture_coder.timestamps):
    T: How was your week?
    [00:01:05] P: Fine.
    00:01:05 Client: Fine.
    Client [00:01:05]: Fine.
A line without a speaker continues the previous utterance; blank lines separate nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession, ParsedUtterance
from rupture_coder.importers.base import ImportResult, file_hash, read_text
from rupture_coder.timestamps import parse_timestamp

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?|\d+(?:\.\d+)?"
_LINE = re.compile(
    rf"^\s*(?:[\[(](?P<ts1>[^\])]+)[\])]|(?P<ts2>{_TS})(?=\s))?\s*"
    rf"(?P<speaker>[^\W\d][\w .'-]{{0,40}}?)\s*(?:[\[(](?P<ts3>[^\])]+)[\])])?\s*:\s(?P<text>.*)$"
)
_TITLE = re.compile(r"^\s*#\s*(?:title\s*:\s*)?(?P<title>.+)$", re.IGNORECASE)


def parse_text_transcript(
    path: Path, data: bytes | None = None, kind: str = "individual"
) -> ImportResult:
    raw = path.read_bytes() if data is None else data
    text, _enc = read_text(path, raw)
    src = str(path)
    problems: list[ImportProblem] = []
    session = ParsedSession(
        title=path.stem, source_file=path.name, source_hash=file_hash(raw), kind=kind
    )
    current: ParsedUtterance | None = None
    last_start: float | None = None
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        title = _TITLE.match(line)
        if title and not session.utterances and current is None:
            session.title = title.group("title").strip()
            continue
        m = _LINE.match(line)
        if not m:
            if current is None:
                problems.append(
                    ImportProblem(
                        src,
                        f"line {lineno}",
                        line.strip()[:80],
                        "text before the first 'Speaker: text' line",
                        repair="keep it as an utterance by speaker 'Unknown'",
                    )
                )
                current = ParsedUtterance("Unknown", line.strip(), line=lineno)
                session.utterances.append(current)
            else:
                current.text = f"{current.text} {line.strip()}".strip()
            continue
        stamp = m.group("ts1") or m.group("ts2") or m.group("ts3")
        start = None
        if stamp is not None:
            try:
                start = parse_timestamp(stamp)
            except ValueError as exc:
                problems.append(
                    ImportProblem(
                        src,
                        f"line {lineno}",
                        stamp,
                        str(exc),
                        repair="keep the utterance without a time",
                    )
                )
        if start is not None and last_start is not None and start < last_start:
            problems.append(
                ImportProblem(
                    src,
                    f"line {lineno}",
                    stamp or "",
                    "time goes backwards (the previous utterance starts later)",
                    repair="keep the utterance without a time",
                )
            )
            start = None
        if start is not None:
            last_start = start
        current = ParsedUtterance(
            m.group("speaker").strip(), m.group("text").strip(), start, line=lineno
        )
        session.utterances.append(current)
    if not session.utterances:
        problems.append(
            ImportProblem(
                src, "whole file", "", "no utterances found (expected lines like 'T: text')"
            )
        )
    _fill_ends(session.utterances)
    return ImportResult([session] if session.utterances else [], problems)


def _fill_ends(utterances: list[ParsedUtterance]) -> None:
    """An utterance without an end time ends where the next timed one starts."""
    next_start = None
    for u in reversed(utterances):
        if u.start_s is not None and u.end_s is None and next_start is not None:
            u.end_s = next_start
        if u.start_s is not None:
            next_start = u.start_s
