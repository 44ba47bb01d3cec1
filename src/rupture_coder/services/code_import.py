"""Coded events and ratings from spreadsheet rows (CODES.csv, RATINGS.csv) as one command.

Every row is checked exactly as the coding form checks a code or a rating (``services.coding``):
the item belongs to the session's codebook, the utterance, time or segment to the session, the
actor, target and level fit the group codebook, the rating's value its scale (and N/A its rule).
Any bad row refuses the whole import: every problem is listed with its file, line and field, and
nothing is written. A good import is one command: one transaction, one audit entry, one undo.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

from sqlalchemy import select

from rupture_coder.codebook.model import Codebook
from rupture_coder.errors import CommandError, ImportFileError
from rupture_coder.services.coding import CodeRefused, CodeSpec, SetRating
from rupture_coder.services.consensus import CONSENSUS
from rupture_coder.services.new_codes import NewCodes
from rupture_coder.services.project import (
    rater_name_key,
    rater_named,
    stored_codebook,
    valid_rater_name,
)
from rupture_coder.store.db import Db
from rupture_coder.store.models import Participant, Rater, Segment, Session, Utterance

CODE_COLUMNS = ("session", "item", "utterance", "time_s", "segment", "last_utterance", "end_s",
                "count", "actor", "target", "level", "note")  # fmt: skip
RATING_COLUMNS = ("session", "segment", "scale", "value")
NA_SPELLINGS = {"na", "n/a"}


@dataclass(frozen=True)
class Row:
    """One data row of a CSV file: its line in the file and its cells by column name."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


@dataclass(frozen=True)
class RowProblem:
    source: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: line {self.line}" if self.line else self.source
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class _Refused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class ImportResult:
    rater: str
    rater_id: str
    rater_created: bool
    codes: int
    ratings: int
    sessions: list[str]

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class _SessionFacts:
    session: Session
    codebook: Codebook
    utterances: list[str]  # ids by 0-based position
    segments: list[Segment]
    people: dict[str, str]  # id, label or pseudonym -> participant id
    names: list[str]


class _Lookup:
    """Sessions, their utterances, segments and participants, each read once."""

    def __init__(self, db: Db):
        self.db = db
        self.by_key: dict[str, list[Session]] = {}
        for s in db.scalars(select(Session)):
            self.by_key.setdefault(s.id, []).append(s)
            if s.title != s.id:
                self.by_key.setdefault(s.title, []).append(s)
        self.facts: dict[str, _SessionFacts] = {}

    def session(self, key: str) -> _SessionFacts:
        if not key:
            raise _Refused("session", "empty; give the session's title or id")
        found = self.by_key.get(key, [])
        if not found:
            raise _Refused("session", f"no session {key!r}; see rupture-coder sessions")
        if len(found) > 1:
            raise _Refused("session", f"{len(found)} sessions are titled {key!r}; give the id")
        s = found[0]
        if s.id not in self.facts:
            db = self.db
            utts = list(
                db.scalars(
                    select(Utterance.id).filter_by(session_id=s.id).order_by(Utterance.position)
                )
            )
            segs = list(
                db.scalars(select(Segment).filter_by(session_id=s.id).order_by(Segment.index))
            )
            people: dict[str, str] = {}
            names = []
            for p in db.scalars(select(Participant).filter_by(session_id=s.id)):
                names.append(p.pseudonym)
                for k in (p.id, p.label, p.pseudonym):
                    people.setdefault(k, p.id)
            cb = stored_codebook(db, s.codebook_id, s.codebook_version)
            self.facts[s.id] = _SessionFacts(s, cb, utts, segs, people, sorted(names))
        return self.facts[s.id]


def _whole(text: str, column: str, lowest: int = 1) -> int:
    try:
        value = float(text)
    except ValueError:
        raise _Refused(column, f"{text!r} is not a whole number") from None
    if not math.isfinite(value) or value != int(value):
        raise _Refused(column, f"{text!r} is not a whole number")
    if value < lowest:
        raise _Refused(column, f"{text} is below {lowest}")
    return int(value)


def _seconds(text: str, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _Refused(column, f"{text!r} is not a time in seconds") from None
    if not math.isfinite(value) or value < 0:
        raise _Refused(column, f"{text} is not a time in seconds (0 or more)")
    return value


def _utterance(facts: _SessionFacts, text: str, column: str) -> str:
    position = _whole(text, column)
    if position > len(facts.utterances):
        raise _Refused(
            column,
            f"{position} is not an utterance of session {facts.session.title!r} "
            f"(it has {len(facts.utterances)})",
        )
    return facts.utterances[position - 1]


def _segment(facts: _SessionFacts, text: str) -> Segment:
    index = _whole(text, "segment")
    if index > len(facts.segments):
        raise _Refused(
            "segment",
            f"{index} is not a segment of session {facts.session.title!r} "
            f"(it has {len(facts.segments)})",
        )
    return facts.segments[index - 1]


def _person(facts: _SessionFacts, text: str, column: str) -> str | None:
    if not text:
        return None
    if text not in facts.people:
        raise _Refused(
            column,
            f"no participant {text!r} in session {facts.session.title!r} "
            f"(participants: {', '.join(facts.names) or 'none'})",
        )
    return facts.people[text]


def _code_spec(facts: _SessionFacts, row: Row) -> CodeSpec:
    item = row.get("item")
    if not item:
        raise _Refused("item", "empty; give an item id of the codebook, e.g. W2")
    try:
        facts.codebook.item(item)
    except KeyError:
        cb = facts.codebook
        raise _Refused("item", f"{item!r} is not an item of {cb.id} {cb.version}") from None
    utterance, time_s, segment = row.get("utterance"), row.get("time_s"), row.get("segment")
    if segment and (utterance or time_s):
        raise _Refused("segment", "give a segment, or an utterance and/or a time, not both")
    if not (segment or utterance or time_s):
        raise _Refused("utterance", "a code needs an utterance, a time_s or a segment")
    spec = CodeSpec(item, note=row.get("note"))
    if utterance:
        spec.first_utterance_id = _utterance(facts, utterance, "utterance")
        if row.get("last_utterance"):
            spec.last_utterance_id = _utterance(facts, row.get("last_utterance"), "last_utterance")
    if time_s:
        spec.start_s = _seconds(time_s, "time_s")
        end = max((s.end_s for s in facts.segments if s.end_s is not None), default=None)
        if end is None and not utterance:
            raise _Refused(
                "time_s",
                f"session {facts.session.title!r} has no times; give an utterance or a segment",
            )
        if end is not None and spec.start_s > end + 1e-9:
            raise _Refused(
                "time_s",
                f"{time_s} s is after the end of session {facts.session.title!r} ({end:g} s)",
            )
        if row.get("end_s"):
            spec.end_s = _seconds(row.get("end_s"), "end_s")
    if segment:
        spec.segment_id = _segment(facts, segment).id
    if row.get("count"):
        spec.count = _whole(row.get("count"), "count")
    spec.actor_id = _person(facts, row.get("actor"), "actor")
    spec.target_id = _person(facts, row.get("target"), "target")
    spec.level = row.get("level") or None
    return spec


def _rating(facts: _SessionFacts, row: Row, rater_id: str) -> SetRating:
    cb = facts.codebook
    rating_id = row.get("scale")
    try:
        definition = cb.rating(rating_id)
    except KeyError:
        users = [r.id for r in cb.ratings if r.scale == rating_id]
        hint = (
            f"; {rating_id!r} is a scale: name the rating that uses it ({' or '.join(users)})"
            if users
            else f"; the ratings are {', '.join(r.id for r in cb.ratings)}"
        )
        raise _Refused(
            "scale", f"{rating_id!r} is not a rating of {cb.id} {cb.version}{hint}"
        ) from None
    segment = row.get("segment")
    if definition.scope.value == "segment" and not segment:
        raise _Refused("segment", f"{rating_id} is rated per segment; give the segment (1, 2, ...)")
    if definition.scope.value == "session" and segment:
        raise _Refused("segment", f"{rating_id} is a session rating; leave the segment empty")
    text = row.get("value")
    is_na = text.lower() in NA_SPELLINGS
    value = None
    if not is_na:
        if not text:
            raise _Refused("value", "empty; give a number or NA")
        value = _whole(text, "value", lowest=-(10**9))
    where = (
        {"segment_id": _segment(facts, segment).id} if segment else {"session_id": facts.session.id}
    )
    return SetRating(rater_id, cb.key, rating_id, value, is_na, **where)


@dataclass
class ImportCodes:
    """Add one rater's coded events and ratings from parsed CSV rows, all or nothing.

    ``rater`` is a rater's name or id; a name no rater has makes a new coder (within the same
    command, so undo removes it too)."""

    rater: str
    codes: list[Row]
    ratings: list[Row] = field(default_factory=list)
    codes_source: str = "CODES.csv"
    ratings_source: str = "RATINGS.csv"
    command_name: ClassVar[str] = "import codes"

    def describe(self) -> str:
        return (
            f"import {len(self.codes)} code(s) and {len(self.ratings)} rating(s) for {self.rater}"
        )

    def apply(self, db: Db) -> ImportResult:
        name = self.rater.strip()
        if not name:
            raise CommandError("say whose codes these are: a rater's name")
        found = db.get(Rater, name) or rater_named(db, name)
        if (found is not None and found.role == "consensus") or (
            found is None and rater_name_key(name) == rater_name_key(CONSENSUS)
        ):
            raise CommandError(
                f"{name!r} is the app's own rater for reconciled codes: its codes come only from "
                "decisions in Study › Reconcile, each recorded; import a person's codes instead"
            )
        created = found is None
        rater = found if found is not None else Rater(name=valid_rater_name(name), role="coder")
        if created:
            db.add(rater)
            db.flush()
        lookup = _Lookup(db)
        problems: list[RowProblem] = []
        sessions: set[str] = set()
        rated = 0
        codes = NewCodes(db, rater.id)
        for row in self.codes:
            try:
                facts = lookup.session(row.get("session"))
                spec = _code_spec(facts, row)
                codes.add(facts.session, facts.codebook, facts.utterances, spec)
                sessions.add(facts.session.title)
            except (_Refused, CodeRefused) as exc:
                problems.append(RowProblem(self.codes_source, row.line, exc.field, str(exc)))
            except CommandError as exc:  # e.g. the same code twice
                problems.append(RowProblem(self.codes_source, row.line, "item", str(exc)))
        added = codes.write()  # before the ratings: N/A is checked against the codes
        seen: dict[tuple, int] = {}
        for row in self.ratings:
            try:
                facts = lookup.session(row.get("session"))
                command = _rating(facts, row, rater.id)
                key = (facts.session.id, command.segment_id, command.rating_id)
                if key in seen:
                    raise _Refused(
                        "scale",
                        f"{command.rating_id} is given twice here (first on line {seen[key]})",
                    )
                seen[key] = row.line
                command.apply(db)
                rated += 1
                sessions.add(facts.session.title)
            except _Refused as exc:
                problems.append(RowProblem(self.ratings_source, row.line, exc.field, str(exc)))
            except CommandError as exc:
                problems.append(RowProblem(self.ratings_source, row.line, "value", str(exc)))
        if problems:
            raise ImportFileError(problems, _refusal(problems))
        return ImportResult(rater.name, rater.id, created, added, rated, sorted(sessions))


def _refusal(problems: list[RowProblem]) -> str:
    shown = problems[:20]
    more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
    return (
        f"{len(problems)} problem(s); nothing was imported:\n"
        + "\n".join(f"  {p}" for p in shown)
        + more
    )
