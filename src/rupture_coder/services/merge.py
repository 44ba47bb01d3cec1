"""Merging rater packages: the one command that writes a package's rows, and its checks.

The coder is authoritative for their own codes in the sessions of the package: merging a newer
package updates and removes them; merging the same package again changes nothing. A package
writes only its sender's codes, ratings and completions (never a rater, a role or another rater's
row), each checked as the coding form checks it against the codebook version it names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import select

from rupture_coder.codebook.loader import content_hash, parse_codebook_text
from rupture_coder.errors import PackageError, RuptureCoderError
from rupture_coder.services.coding import (
    CodeRefused,
    CodeSpec,
    check_code,
    check_na_rule,
    check_rating,
)
from rupture_coder.services.places import Places
from rupture_coder.services.project import find_rows, stored_codebook
from rupture_coder.services.recorder import bulk_insert, decode, decode_pair, encode_row
from rupture_coder.store.db import Db
from rupture_coder.store.models import (
    CodebookVersion,
    CodeEvent,
    MergedPackage,
    Participant,
    Rater,
    Segment,
    SegmentRating,
    Session,
    SessionCompletion,
    SessionRating,
    Utterance,
)
from rupture_coder.tasks import Progress, progress_or_silent

RaterRow = CodeEvent | SegmentRating | SessionRating | SessionCompletion
RATER_TABLES: tuple[type[RaterRow], ...] = (
    CodeEvent,
    SegmentRating,
    SessionRating,
    SessionCompletion,
)
TABLE_NAMES = tuple(m.__tablename__ for m in RATER_TABLES)
MAX_LISTED = 20  # problems listed for one package; the rest are counted
_CHUNK = 5_000  # ids per IN (...) query: SQLite limits the variables of one statement  # pragma: no mutate
_SPEC_FIELDS = tuple(CodeSpec.__dataclass_fields__)


def transcript_digest(utterances: list[dict], segments: list[dict]) -> str:
    """What must be identical for two projects to hold the same session."""
    keep_u = [
        (u["id"], u["position"], u["speaker"], u["start_s"], u["end_s"], u["text"])
        for u in sorted(utterances, key=lambda u: u["position"])
    ]
    keep_s = [
        (s["id"], s["index"], s["start_s"], s["end_s"])
        for s in sorted(segments, key=lambda s: s["index"])
    ]
    return hashlib.sha256(json.dumps([keep_u, keep_s]).encode()).hexdigest()


@dataclass(frozen=True)
class Incoming:
    """One verified package to merge: where it came from, its data, and what to record of it."""

    source: str
    data: dict
    created: datetime
    sha256: str


@dataclass
class MergePackages:
    """Merge packages in one transaction: all of them, or (on any conflict) none. Each package
    merged is recorded (``merged_packages``: its rater, when it was made, its checksum), so a
    package older than the last one merged can be refused; undo removes the record too."""

    packages: list[Incoming]
    progress: Progress | None = field(default=None, repr=False, compare=False)
    command_name: ClassVar[str] = "merge rater packages"

    def describe(self) -> str:
        # the audit's summary names ten raters at most  (words only: not mutated)
        names = ", ".join(p.data["rater"]["name"] for p in self.packages[:10])  # pragma: no mutate
        n = len(self.packages)
        more = f" and {n - 10} more" if n > 10 else ""  # pragma: no mutate
        return f"merge {len(self.packages)} rater package(s) ({names}{more})"

    def apply(self, db: Db) -> list[dict]:
        """Cancelling (``progress``) before the last package is written rolls every one back."""
        progress = progress_or_silent(self.progress)
        cache: dict[str, str] = {}
        out = []
        for k, package in enumerate(self.packages):
            progress.step(k, len(self.packages), f"writing package {k + 1} of {len(self.packages)}")
            out.append(MergePackage(package.data, package.source, cache=cache).apply(db))
            db.add(
                MergedPackage(
                    rater_id=package.data["rater"]["id"],
                    package_created=package.created,
                    sha256=package.sha256,
                )
            )
        progress.check()
        return out


@dataclass
class MergePackage:
    """Merge one package; checked again against what earlier packages of the same merge wrote."""

    data: dict
    source: str
    counts: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)  # session id -> transcript digest, shared by a merge

    def apply(self, db: Db) -> dict:
        db.flush()
        problems = check_package(db, self.data, self.cache)
        if problems:
            raise PackageError(self.source, problems)
        for cb in self.data["codebooks"]:
            if db.get(CodebookVersion, (cb["codebook_id"], cb["version"])) is None:
                db.add(CodebookVersion(**decode(CodebookVersion.__table__, cb)))
        db.flush()
        session_ids = [e["session"]["id"] for e in self.data["sessions"]]
        present = set(db.scalars(select(Session.id).where(Session.id.in_(session_ids))))
        for entry in self.data["sessions"]:
            if entry["session"]["id"] not in present:
                db.add(Session(**decode(Session.__table__, entry["session"])))
                db.flush()
                for model, key in (
                    (Participant, "participants"),
                    (Utterance, "utterances"),
                    (Segment, "segments"),
                ):
                    bulk_insert(db, model, [decode(model.__table__, row) for row in entry[key]])
                self.cache[entry["session"]["id"]] = entry["digest"]
        new = set(session_ids) - present
        problems = row_problems(db, self.data, new)  # the rows of sessions this package brought
        if problems:
            raise PackageError(self.source, _listed(problems))
        rater_id = self.data["rater"]["id"]
        for model in RATER_TABLES:
            incoming, stored = _incoming_and_stored(db, model, rater_id, session_ids, self.data)
            gone = [rid for rid in stored if rid not in incoming]
            changed = [rid for rid, row in incoming.items() if rid in stored and stored[rid] != row]
            if gone or changed:  # the coder deleted or edited these since the last package
                objs = {o.id: o for o in find_rows(db, model, model.id.in_(gone + changed))}
                for rid in gone:
                    db.delete(objs[rid])
                db.flush()
                for rid in changed:
                    for key, value in decode(model.__table__, incoming[rid]).items():
                        setattr(objs[rid], key, value)
                db.flush()
            pairs = [
                decode_pair(model.__table__, r) for i, r in incoming.items() if i not in stored
            ]
            bulk_insert(db, model, [p[0] for p in pairs], [p[1] for p in pairs])
            self.counts[model.__tablename__] = len(incoming)
        problems = _na_problems(db, self.data)  # N/A needs the codes: checked once they are in
        if problems:
            raise PackageError(self.source, _listed(problems))
        return self.counts


def _incoming_and_stored(
    db: Db, model: type[RaterRow], rater_id: str, session_ids: list[str], data: dict
) -> tuple[dict[str, dict], dict[str, dict]]:
    """The package's rows of one table, and this project's rows of the sender in those sessions."""
    incoming = {r["id"]: r for r in data["rows"][model.__tablename__]}
    table = model.__table__
    query = select(table).where(table.c.rater_id == rater_id)
    if model is SegmentRating:
        # found by segment (the unique index leads with it, then the rater): by session, SQLite
        # walks every rater's ratings of the session, 200 packages x 20 sessions over a growing
        # table; a segment rating lies in its segment's session (SetRating, a merge check)
        in_sessions = select(Segment.id).where(Segment.session_id.in_(session_ids))
        query = query.where(table.c.segment_id.in_(in_sessions))
    else:
        query = query.where(table.c.session_id.in_(session_ids))
    wanted = set(session_ids)
    stored = {
        r["id"]: encode_row(table, dict(r))
        for r in db.connection().execute(query).mappings()
        if r["session_id"] in wanted
    }
    return incoming, stored


def would_change(db: Db, data: dict) -> bool:
    """Would merging this (checked) package change any row of this project?"""
    ids = [e["session"]["id"] for e in data["sessions"]]
    if len(set(db.scalars(select(Session.id).where(Session.id.in_(ids))))) < len(set(ids)):
        return True
    for cb in data["codebooks"]:
        if db.get(CodebookVersion, (cb["codebook_id"], cb["version"])) is None:
            return True
    for model in RATER_TABLES:
        incoming, stored = _incoming_and_stored(db, model, data["rater"]["id"], ids, data)
        if incoming != stored:
            return True
    return False


def _stored_digest(db: Db, session_id: str, cache: dict[str, str]) -> str:
    if session_id not in cache:
        core = db.connection()
        cols = [
            Utterance.id,
            Utterance.position,
            Utterance.speaker,
            Utterance.start_s,
            Utterance.end_s,
            Utterance.text,
        ]
        utts = [
            dict(r)
            for r in core.execute(
                select(*cols).where(Utterance.session_id == session_id)
            ).mappings()
        ]
        segs = [dict(r) for r in core.execute(select(Segment.id, Segment.index, Segment.start_s, Segment.end_s)
                                              .where(Segment.session_id == session_id)).mappings()]  # fmt: skip
        cache[session_id] = transcript_digest(utts, segs)
    return cache[session_id]


def _listed(problems: list[str]) -> list[str]:
    if len(problems) > MAX_LISTED:
        return [*problems[:MAX_LISTED], f"... and {len(problems) - MAX_LISTED} more"]
    return problems


def check_package(db: Db, data: dict, cache: dict[str, str] | None = None) -> list[str]:
    """Every reason the package cannot merge into this project, but its codes and ratings (empty:
    it can); ``check_rows`` checks those."""
    cache = {} if cache is None else cache  # pragma: no mutate (a cache)
    problems = _shape_problems(data)
    if problems:
        return _listed(problems)
    problems = _rater_problems(db, data) + _codebook_problems(db, data)
    ids = [entry["session"]["id"] for entry in data["sessions"]]
    source_hash = dict(
        db.execute(select(Session.id, Session.source_hash).where(Session.id.in_(ids))).all()
    )
    for entry in data["sessions"]:
        s = entry["session"]
        if s["id"] not in source_hash:
            continue
        if _stored_digest(db, s["id"], cache) != entry["digest"]:
            problems.append(
                f"session {s['title']!r} ({s['id'][:8]}): its transcript or segments differ from this project's"
            )
        elif source_hash[s["id"]] != s["source_hash"]:
            problems.append(
                f"session {s['title']!r} ({s['id'][:8]}): it was imported from another source file than this project's"
            )
    problems += _ownership_problems(db, data)
    return _listed(problems)


def check_rows(db: Db, data: dict) -> list[str]:
    """The package's codes and ratings in the sessions this project holds, checked as the coding
    form checks them (the rows of sessions the package brings are checked when they are in)."""
    ids = [entry["session"]["id"] for entry in data["sessions"]]
    stored = set(db.scalars(select(Session.id).where(Session.id.in_(ids))))
    return _listed(row_problems(db, data, stored))


def _shape_problems(data: dict) -> list[str]:
    """The package's rows: only the rater tables, each row the sender's, in the package's sessions."""
    sender = data["rater"]["id"]
    sessions = {entry["session"]["id"] for entry in data["sessions"]}
    problems = [
        f"it carries rows of {name!r}, which a package may not write"
        for name in sorted(set(data["rows"]) - set(TABLE_NAMES))
    ]
    problems += [f"it lacks the table {name!r}" for name in TABLE_NAMES if name not in data["rows"]]
    for name in TABLE_NAMES:
        for row in data["rows"].get(name, []):
            if row["rater_id"] != sender:
                problems.append(
                    f"{name} row {row['id']} belongs to rater {row['rater_id']}, not to the "
                    f"package's sender ({sender}); a package carries its sender's rows only"
                )
            elif row["session_id"] not in sessions:
                problems.append(
                    f"{name} row {row['id']} is in session {row['session_id']}, which the package does not carry"
                )
    return problems


def _rater_problems(db: Db, data: dict) -> list[str]:
    """The sender must be one of this project's raters; a package may not rename or re-role them."""
    sent = data["rater"]
    rater = db.get(Rater, sent["id"])
    if rater is None:
        return [f"its rater {sent['name']!r} ({sent['id']}) is not a rater of this project"]
    return [
        f"it would change rater {rater.name!r}'s {what} to {sent[what]!r} (this project: "
        f"{getattr(rater, what)!r}); only the lead changes raters, never a package"
        for what in ("name", "role")
        if sent[what] != getattr(rater, what)
    ]


def _codebook_problems(db: Db, data: dict) -> list[str]:
    """A codebook version is one text: the package's copy must be the project's, and a version the
    project lacks must be the text its checksum says."""
    problems = []
    for cb in data["codebooks"]:
        name = f"codebook {cb['codebook_id']} {cb['version']}"
        digest = content_hash(cb["content"])
        have = db.get(CodebookVersion, (cb["codebook_id"], cb["version"]))
        if have is not None and digest != have.content_hash:
            problems.append(
                f"{name} differs from this project's copy of that version (a changed codebook needs a new version number)"
            )
        elif digest != cb["content_hash"]:
            problems.append(f"{name}: its text does not match its checksum")
        elif have is None:  # a version this project lacks: it must be a codebook, and that one
            try:
                parsed = parse_codebook_text(cb["content"], name)
            except RuptureCoderError as exc:
                problems.append(f"{name} is not a valid codebook ({exc})")
                continue
            if (parsed.id, parsed.version) != (cb["codebook_id"], cb["version"]):
                problems.append(f"{name}: its text is codebook {parsed.id} {parsed.version}")
    return problems


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _ownership_problems(db: Db, data: dict) -> list[str]:
    """A row id this project already holds for another rater (or another session) is not the
    sender's to overwrite."""
    sender = data["rater"]["id"]
    problems = []
    for model in RATER_TABLES:
        rows = {r["id"]: r for r in data["rows"][model.__tablename__]}
        for chunk in _chunks(list(rows)):
            for rid, rater_id, session_id in _owners(db, model, chunk):
                if rater_id != sender or session_id != rows[rid]["session_id"]:
                    problems.append(
                        f"{model.__tablename__} row {rid} is another row in this project "
                        f"(rater {rater_id}, session {session_id}); a package may not overwrite it"
                    )
    return problems


def _owners(db: Db, model: type[RaterRow], ids: list[str]) -> Iterable[tuple[str, str, str]]:
    """(id, rater, session) of the rows of this table with these ids; the SQL written out for
    SQLite (SQLAlchemy's expanding IN cost more than the look-ups: 200 packages x 560 ids, twice)."""
    conn = db.connection()
    if conn.dialect.paramstyle != "qmark" or not ids:
        query = select(model.id, model.rater_id, model.session_id).where(model.id.in_(ids))
        return [(r[0], r[1], r[2]) for r in db.execute(query)]
    marks = ",".join("?" * len(ids))  # a table name of ours; the ids are parameters
    sql = f"SELECT id, rater_id, session_id FROM {model.__tablename__} WHERE id IN ({marks})"
    return [(r[0], r[1], r[2]) for r in conn.exec_driver_sql(sql, tuple(ids))]


def row_problems(db: Db, data: dict, session_ids: Iterable[str]) -> list[str]:
    """Each code and rating of these (stored) sessions checked as the coding form checks it: the
    item, rating and scale of its codebook version, its place in the session, its value, count and
    group fields (actor, target, level)."""
    wanted = set(session_ids)
    if not wanted:
        return []
    places = _places(db, wanted)
    codebook = _codebooks(db)
    problems = []
    for name, checker in (
        ("code_events", _code_problem),
        ("segment_ratings", _segment_rating_problem),
        ("session_ratings", _session_rating_problem),
    ):
        for row in data["rows"][name]:
            sid = row["session_id"]
            if sid not in wanted:
                continue
            session = places.sessions[sid]  # the caller names stored sessions only
            try:
                cb = codebook(row["codebook_id"], row["codebook_version"])
                checker(places, cb, session, row)
            except CodeRefused as exc:
                problems.append(f"{_what(name, row)}: {exc.field}: {exc}")
            except RuptureCoderError as exc:
                problems.append(f"{_what(name, row)}: {exc}")
    return problems


def _codebooks(db: Db):
    """stored_codebook, looked up once per codebook version: a package holds thousands of rows of
    one or two versions (looking each one up read the version's row again: 25 s of a 35 s merge
    of 200 packages)."""
    seen: dict[tuple[str | None, str | None], Any] = {}

    def codebook(codebook_id: str | None, version: str | None):
        key = (codebook_id, version)
        if key not in seen:
            seen[key] = stored_codebook(db, codebook_id, version)
        return seen[key]

    return codebook


def _what(name: str, row: dict) -> str:
    label = row.get("item_id") or row.get("rating_id")
    return f"{name} row {row['id']} ({label})"


def _places(db: Db, session_ids: set[str]) -> Places:
    """The sessions' utterances, segments and participants, read once per database session: held
    in ``db.info`` so that the packages of one merge that code the same sessions do not read them
    again (200 packages of 20 sessions each: 12.8 s of loading for 2.1 s of checks)."""
    places: Places = db.info.setdefault("merge_places", Places(db))
    places.preload(session_ids)
    return places


def _na_problems(db: Db, data: dict) -> list[str]:
    """N/A on a rating that means "no rupture occurred", where the sender coded a rupture."""
    db.flush()
    codebook = _codebooks(db)
    problems = []
    for name in ("segment_ratings", "session_ratings"):
        for row in data["rows"][name]:
            if not row["is_na"]:
                continue
            session = db.get(Session, row["session_id"])
            assert session is not None  # written with the package's sessions
            cb = codebook(row["codebook_id"], row["codebook_version"])
            try:
                check_na_rule(
                    db, session, row["rater_id"], cb, row["rating_id"], row.get("segment_id")
                )
            except RuptureCoderError as exc:
                problems.append(f"{_what(name, row)}: {exc}")
    return problems


def _code_problem(places: Places, cb, session: Session, row: dict) -> None:
    check_code(places.db, cb, session, CodeSpec(**{k: row[k] for k in _SPEC_FIELDS}), places)


def _segment_rating_problem(places: Places, cb, session: Session, row: dict) -> None:
    check_rating(cb, row["rating_id"], "segment", row["value"], row["is_na"])
    if places.segment_session(row["segment_id"]) != session.id:
        raise CodeRefused(
            "segment", f"segment {row['segment_id']} is not a segment of this session"
        )


def _session_rating_problem(_places: Places, cb, session: Session, row: dict) -> None:
    check_rating(cb, row["rating_id"], "session", row["value"], row["is_na"])
