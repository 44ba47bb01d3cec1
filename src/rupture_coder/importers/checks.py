"""Checks every importer shares: times in order, ends after starts, no overlaps, no empties."""

from __future__ import annotations

import math

from rupture_coder.domain import ImportProblem, ParsedSession, ParsedUtterance
from rupture_coder.errors import ImportFileError
from rupture_coder.limits import MAX_PROBLEMS, MAX_SESSION_S
from rupture_coder.timestamps import format_timestamp, parse_timestamp


class Problems(list):
    """The problems of one file, up to MAX_PROBLEMS: past that the file is refused at once (with
    the problems found so far), since a file that wrong is not this format or not this mapping,
    and listing a million problems helps nobody."""

    def __init__(self, source: str):
        super().__init__()
        self.source = source

    def append(self, problem: ImportProblem) -> None:
        if len(self) >= MAX_PROBLEMS:
            stop = ImportProblem(self.source, problem.where, f"more than {MAX_PROBLEMS:,} problems",
                                 "too many problems: is this the right format, or the right column mapping? "
                                 f"The first {MAX_PROBLEMS:,} are listed")  # fmt: skip
            raise ImportFileError([*in_file_order(list(self)), stop])
        super().append(problem)

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)


def parse_time_field(
    value: str | float | None, src: str, where: str, field: str, problems: list[ImportProblem]
) -> float | None:
    """A time from a cell or a prefix; a problem (repair: no time) when it is malformed or outside
    0 to 24 hours (a damaged value: it would otherwise make millions of segments)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, str) and len(value.strip()) > 40:  # keep the message readable
            raise ValueError(f"{value.strip()[:40]!r}... is not a timestamp (too long)")
        seconds = float(value) if isinstance(value, int | float) else parse_timestamp(value)
    except ValueError as exc:
        message = f"{field}: {exc}"
    else:
        if math.isfinite(seconds) and 0 <= seconds <= MAX_SESSION_S:
            return seconds
        message = (
            f"{field}: {str(value)[:40]!r} is outside 0 to 24:00:00 (a session is at most 24 hours)"
        )
    problems.append(
        ImportProblem(
            src, where, str(value)[:80], message, repair=f"keep it without a {field} time"
        )
    )
    return None


def check_times(session: ParsedSession, src: str, problems: list[ImportProblem]) -> None:
    """Report backwards times, ends before starts and overlaps; apply the repair in place.

    The repairs are what "import with repairs" keeps; with --on-problem fail nothing is kept.
    """
    last: ParsedUtterance | None = None
    for u in session.utterances:
        if u.start_s is not None and u.end_s is not None and u.end_s < u.start_s:
            problems.append(
                ImportProblem(
                    src,
                    u.where,
                    f"{format_timestamp(u.start_s)} - {format_timestamp(u.end_s)}",
                    "ends before it starts",
                    repair="drop the end time",
                )  # fmt: skip
            )
            u.end_s = None
        if u.start_s is None:
            continue
        if last is not None and last.start_s is not None and u.start_s < last.start_s:
            problems.append(
                ImportProblem(
                    src,
                    u.where,
                    format_timestamp(u.start_s, millis=True),
                    f"time goes backwards (the utterance before, at {last.where}, starts at "
                    f"{format_timestamp(last.start_s, millis=True)})",
                    repair="keep the utterance without a time",
                )  # fmt: skip
            )
            u.start_s = u.end_s = None
            continue
        if last is not None and last.end_s is not None and last.end_s > u.start_s + 1e-6:
            problems.append(
                ImportProblem(
                    src,
                    u.where,
                    format_timestamp(u.start_s, millis=True),
                    f"overlaps the utterance before ({last.where} ends at "
                    f"{format_timestamp(last.end_s, millis=True)})",
                    repair="end the earlier utterance where this one starts",
                )  # fmt: skip
            )
            last.end_s = u.start_s
        last = u
    fill_ends(session.utterances)


def fill_ends(utterances: list[ParsedUtterance]) -> None:
    """An utterance without an end time ends where the next timed one starts."""
    next_start = None
    for u in reversed(utterances):
        if u.start_s is not None and u.end_s is None and next_start is not None:
            u.end_s = next_start
        if u.start_s is not None:
            next_start = u.start_s


def in_file_order(problems: list[ImportProblem]) -> list[ImportProblem]:
    """Problems sorted by file, then by the number in their place ("line 12" before "line 100")."""

    def key(p: ImportProblem) -> tuple[str, int]:
        digits = "".join(ch if ch.isdigit() else " " for ch in p.where).split()
        return (p.source, int(digits[0]) if digits else -1)

    return sorted(problems, key=key)


def no_utterances(src: str, what: str) -> ImportProblem:
    return ImportProblem(src, "whole file", "", f"no utterances found ({what})")
