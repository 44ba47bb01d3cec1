"""Plain data passed between importers, the service layer and the views (no database, no Qt)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

# The choices of an agreement analysis (rupture_coder.agreement), here so that what only lists them
# (the CLI's --help) need not load the statistics.
Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = ("identity", "linear", "quadratic")
EVENT_METHODS = ("onset", "overlap")  # how time-coded events of two raters are paired
BOOTSTRAP = 1000  # default number of session resamples for the cluster bootstrap CIs
SEED = 1  # the bootstrap's default seed


@dataclass
class ParsedUtterance:
    speaker: str
    text: str
    start_s: float | None = None
    end_s: float | None = None
    where: str = ""  # where it came from in the source ("line 12", "row 40", "cue 7")


@dataclass
class ImportProblem:
    """Something wrong with an input file: where, the offending value, what was expected."""

    source: str
    where: str  # "line 12", "row 40", "cue 7"
    value: str
    message: str
    repair: str | None = None  # what "import with repairs" does about it; None: cannot repair

    def __str__(self) -> str:
        fix = f" [repair: {self.repair}]" if self.repair else " [cannot be repaired]"
        return f"{self.source}: {self.where}: {self.message} (found {self.value!r}){fix}"


@dataclass
class ParsedSession:
    title: str
    utterances: list[ParsedUtterance] = field(default_factory=list)
    source_file: str | None = None
    source_hash: str | None = None
    kind: str = "individual"
    duration_s: float | None = None
    media_path: str | None = None
    media_hash: str | None = None
    media_offset_s: float = 0.0  # media time = transcript time + offset
    source_key: str = ""  # the session's value in a many-session file (CSV session column)

    @property
    def timed(self) -> bool:
        return any(u.start_s is not None for u in self.utterances)

    def speakers(self) -> list[str]:
        seen: dict[str, None] = {}
        for u in self.utterances:
            seen.setdefault(u.speaker, None)
        return list(seen)


@dataclass
class ParticipantPlan:
    label: str  # the speaker label in the source
    pseudonym: str
    role: str


THERAPIST_LABELS = {"t", "th", "therapist", "counsellor", "counselor", "leader", "facilitator"}
CLIENT_LABELS = {"p", "c", "client", "patient", "pt"}


def propose_participants(session: ParsedSession) -> list[ParticipantPlan]:
    """A first guess at who is who from the speaker labels; the user confirms or changes it."""
    plans = []
    for label in session.speakers():
        low = label.strip().lower().rstrip(".")
        if low in THERAPIST_LABELS or low.startswith("therapist"):
            role = "therapist"
        else:
            role = "member" if session.kind == "group" else "client"
        plans.append(ParticipantPlan(label, label, role))
    return plans


RATER_NAME_MAX = 80  # characters; a name is shown in lists, menus and one-line messages


def rater_name_key(name: str) -> str:
    """How rater names are compared: Unicode-normalized (NFKC, so a composed and a decomposed
    "Å" or a full-width "Ａ" are the same letter), case-folded for every script, inner runs
    of spaces as one."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def clean_rater_name(name: str) -> str:
    """The name as stored: NFC, outer spaces dropped, inner runs of spaces as one. Raises
    ValueError naming the problem for an empty name, an over-long one, or one holding control or
    invisible characters (a newline, an escape, a zero-width or right-to-left mark)."""
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned:
        raise ValueError("a rater needs a name")
    odd = [
        c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and not c.isspace()
    ]
    odd += [c for c in name if c in "\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029"]
    if odd:
        raise ValueError(
            f"a rater's name may not hold control or invisible characters "
            f"(found U+{ord(odd[0]):04X} in {name!r})"
        )
    if len(cleaned) > RATER_NAME_MAX:
        raise ValueError(f"a rater's name is at most {RATER_NAME_MAX} characters")
    return cleaned
