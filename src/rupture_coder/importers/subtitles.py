"""SRT and WebVTT subtitles: one utterance per cue.

The speaker comes from a ``Name:`` prefix or a WebVTT ``<v Name>`` voice tag. Both formats are
read by one small cue reader because every malformed cue must be reported with its number and
the import must be able to go on without it; the subtitle libraries stop at the first bad cue.
"""

from __future__ import annotations

import re
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession, ParsedUtterance
from rupture_coder.importers.base import (
    ImportError_,
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

# possessive whitespace and bounded groups: no cue, however long, makes a match backtrack
_TIMING = re.compile(r"^\s*+(?P<start>\S{1,40})\s++-->\s++(?P<end>\S{1,40})(?P<settings>.*)$")
_VOICE = re.compile(r"^<v(?:\.[\w.-]{1,40})?\s++(?P<name>[^>]{1,100})>(?P<rest>.*)$", re.DOTALL)
_PREFIX = re.compile(r"^(?P<name>[^\W\d][\w .'-]{0,40}?)\s*+:\s++(?P<rest>.*)$", re.DOTALL)
_TAGS = re.compile(r"</?[a-z][^<>]{0,200}>", re.IGNORECASE)


def _blocks(text: str, src: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) per blank-line separated block."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for n, line in numbered_lines(text, src):
        if line.strip():
            if not current:
                start = n
            current.append(line)
        elif current:
            out.append((start, current))
            current = []
    if current:
        out.append((start, current))
    return out


def _speaker(text: str, vtt: bool) -> tuple[str, str, bool]:
    """(speaker, text, found) from a voice tag or a 'Name:' prefix."""
    if vtt:
        m = _VOICE.match(text)
        if m:
            return m.group("name").strip(), _TAGS.sub("", m.group("rest")).strip(), True
    text = _TAGS.sub("", text).strip()
    m = _PREFIX.match(text)
    if m:
        return m.group("name").strip(), m.group("rest").strip(), True
    return "Unknown", text, False


def parse_subtitles(
    path: Path, data: bytes | None = None, kind: str = "individual", vtt: bool | None = None
) -> ImportResult:
    raw = read_source(path, data)
    text, _enc = read_text(path, raw)
    src = str(path)
    if vtt is None:
        vtt = path.suffix.lower() == ".vtt" or text.lstrip().startswith("WEBVTT")
    blocks = _blocks(text, src)
    if not blocks:
        raise ImportError_([ImportProblem(src, "whole file", "", "the file is empty")])
    if vtt:
        if not blocks[0][1][0].lstrip().startswith("WEBVTT"):
            raise ImportError_(
                [
                    ImportProblem(
                        src,
                        f"line {blocks[0][0]}",
                        blocks[0][1][0][:40],
                        "a WebVTT file starts with 'WEBVTT'",
                    )
                ]
            )
        blocks = blocks[1:]
    session = ParsedSession(path.stem, source_file=path.name, source_hash=file_hash(raw), kind=kind)
    problems: list[ImportProblem] = Problems(src)
    previous_speaker: str | None = None
    for number, (line_no, lines) in enumerate(blocks, start=1):
        if vtt and lines[0].split(maxsplit=1)[0] in ("NOTE", "STYLE", "REGION"):
            continue
        timing_at = next((i for i, ln in enumerate(lines[:2]) if "-->" in ln), None)
        where = f"cue {number} (line {line_no})"
        if timing_at is None:
            problems.append(
                ImportProblem(
                    src,
                    where,
                    lines[0][:60],
                    "no 'start --> end' timing line",
                    repair="skip the cue",
                )
            )
            continue
        m = _TIMING.match(lines[timing_at])
        if not m:
            problems.append(
                ImportProblem(
                    src,
                    where,
                    lines[timing_at][:60],
                    "malformed timing line",
                    repair="skip the cue",
                )
            )
            continue
        start = parse_time_field(m.group("start"), src, where, "start", problems)
        end = parse_time_field(m.group("end"), src, where, "end", problems)
        body = "\n".join(lines[timing_at + 1 :]).strip()
        check_length(len(body), src, where, "cue")
        if not body:
            problems.append(
                ImportProblem(src, where, "", "the cue has no text", repair="skip the cue")
            )
            continue
        speaker, utterance, found = _speaker(body.replace("\n", " "), vtt)
        if not found and previous_speaker is not None:
            speaker = previous_speaker  # a cue without a name continues the last speaker
        elif not found:
            problems.append(ImportProblem(src, where, utterance[:60], "no speaker ('Name: text' or <v Name>)",
                                          repair="speaker 'Unknown'"))  # fmt: skip
        previous_speaker = speaker
        session.utterances.append(ParsedUtterance(speaker, utterance, start, end, where=where))
        count_utterance(len(session.utterances), src, where)
    if not session.utterances:
        problems.append(no_utterances(src, "no cue with a timing line and text"))
    check_times(session, src, problems)
    return ImportResult([session] if session.utterances else [], in_file_order(problems))
