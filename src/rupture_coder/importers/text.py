"""Plain-text transcripts: ``Speaker: text`` lines, optional timestamps, continuation lines.

Accepted line shapes (timestamps in any form of rupture_coder.timestamps):
    T: How was your week?
    [00:01:05] P: Fine.
    00:01:05 Client: Fine.
    Client [00:01:05]: Fine.
    P: [00:01:05] Fine.            (a bracketed time right after the colon)
    Therapist: 00:01:05 Fine.      (a bare hh:mm:ss time right after the colon)
A first line ``# Title`` names the session. A line without a speaker continues the previous
utterance; blank lines are ignored. DOCX paragraph transcripts use the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession, ParsedUtterance
from rupture_coder.importers.base import (
    ImportResult,
    count_utterance,
    file_hash,
    numbered_lines,
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
from rupture_coder.limits import check_length

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?|\d+(?:\.\d+)?"
# possessive whitespace (\s*+) and bounded groups: no line, however long, makes the match backtrack
_LINE = re.compile(
    rf"^\s*+(?:[\[(](?P<ts1>[^\])]{{1,40}})[\])]|(?P<ts2>{_TS})(?=\s))?\s*+"
    rf"(?P<speaker>[^\W\d][\w .'-]{{0,40}}?)\s*+(?:[\[(](?P<ts3>[^\])]{{1,40}})[\])])?\s*+:\s(?P<text>.*)$"
)
_TITLE = re.compile(r"^\s*#\s*(?:title\s*:\s*)?(?P<title>.+)$", re.IGNORECASE)
# a time right after "Speaker:": bracketed (anything starting with a digit and holding a colon,
# so a malformed one is reported, not kept as words) or a bare h:mm:ss; "[laughs]" stays text
_LEADING_TIME = re.compile(
    r"^(?:[\[(](?P<bracketed>\d[\w:.,]*:[\w:.,]*)[\])]"
    r"|(?P<bare>\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?)(?=\s|$))\s*"
)


def parse_lines(
    session: ParsedSession, lines: Iterable[tuple[str, str]], src: str
) -> list[ImportProblem]:
    """Fill ``session`` from (where, line) pairs; return the problems found."""
    problems: list[ImportProblem] = Problems(src)
    current: ParsedUtterance | None = None
    parts: list[str] = []  # the current utterance's lines, joined once it is complete
    length = 0

    def finish() -> None:
        if current is not None and len(parts) > 1:
            current.text = " ".join(parts)

    for where, line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        title = _TITLE.match(line)
        if title and current is None:
            session.title = title.group("title").strip()[:200]
            continue
        m = _LINE.match(line)
        if m:
            stamp = m.group("ts1") or m.group("ts2") or m.group("ts3")
            text = m.group("text").strip()
            leading = None if stamp else _LEADING_TIME.match(text)
            if leading:
                stamp, text = (
                    leading.group("bracketed") or leading.group("bare"),
                    text[leading.end() :],
                )
            start = parse_time_field(stamp, src, where, "start", problems)
            speaker = m.group("speaker").strip()
        elif current is not None:  # a continuation line
            parts.append(stripped)
            length += len(stripped) + 1
            check_length(length, src, where, "utterance")
            continue
        else:
            problems.append(ImportProblem(src, where, stripped[:80], "text before the first 'Speaker: text' line",
                                          repair="keep it as an utterance by speaker 'Unknown'"))  # fmt: skip
            speaker, text, start = "Unknown", stripped, None
        finish()
        current = ParsedUtterance(speaker, text, start, where=where)
        parts, length = [text], len(text)
        session.utterances.append(current)
        count_utterance(len(session.utterances), src, where)
    finish()
    if not session.utterances:
        problems.append(
            no_utterances(src, "expected lines like 'T: text' or '[00:01:05] Client: text'")
        )
    check_times(session, src, problems)
    return in_file_order(problems)


def parse_text_transcript(
    path: Path, data: bytes | None = None, kind: str = "individual"
) -> ImportResult:
    raw = read_source(path, data)
    text, _enc = read_text(path, raw)
    session = ParsedSession(
        title=path.stem, source_file=path.name, source_hash=file_hash(raw), kind=kind
    )
    lines = ((f"line {n}", line) for n, line in numbered_lines(text, str(path)))
    problems = parse_lines(session, lines, str(path))
    return ImportResult([session] if session.utterances else [], problems)
