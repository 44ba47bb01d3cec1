"""Merging rater packages: the one command that writes a package's rows, and its checks.

The coder is authoritative for their own codes in the sessions of the package: merging a newer
package updates and removes them; merging the same package again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import ClassVar

from sqlalchemy import select

from rupture_coder.errors import PackageError
from rupture_coder.services.project import find_rows
from rupture_coder.services.recorder import bulk_insert, decode, encode_row
from rupture_coder.store.db import Db
from rupture_coder.store.models import (
    CodebookVersion,
    CodeEvent,
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


@dataclass
class MergePackages:
    """Merge packages in one transaction: all of them, or (on any conflict) none."""

    packages: list[tuple[str, dict]]
    progress: Progress | None = field(default=None, repr=False, compare=False)
    command_name: ClassVar[str] = "merge rater packages"

    def describe(self) -> str:
        names = ", ".join(data["rater"]["name"] for _src, data in self.packages[:10])
        more = f" and {len(self.packages) - 10} more" if len(self.packages) > 10 else ""
        return f"merge {len(self.packages)} rater package(s) ({names}{more})"

    def apply(self, db: Db) -> list[dict]:
        """Cancelling (``progress``) before the last package is written rolls every one back."""
        progress = progress_or_silent(self.progress)
        cache: dict[str, str] = {}
        out = []
        for k, (source, data) in enumerate(self.packages):
            progress.step(k, len(self.packages), f"writing package {k + 1} of {len(self.packages)}")
            out.append(MergePackage(data, source, cache=cache).apply(db))
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
        _upsert(db, Rater, self.data["rater"])
        for cb in self.data["codebooks"]:
            if db.get(CodebookVersion, (cb["codebook_id"], cb["version"])) is None:
                db.add(CodebookVersion(**decode(CodebookVersion.__table__, cb)))
        db.flush()
        ids = [entry["session"]["id"] for entry in self.data["sessions"]]
        present = set(db.scalars(select(Session.id).where(Session.id.in_(ids))))
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
        rater_id = self.data["rater"]["id"]
        session_ids = [e["session"]["id"] for e in self.data["sessions"]]
        for model in RATER_TABLES:
            incoming = {r["id"]: r for r in self.data["rows"][model.__tablename__]}
            table = model.__table__
            stored = {
                r["id"]: encode_row(table, dict(r))
                for r in db.connection()
                .execute(
                    select(table).where(
                        table.c.rater_id == rater_id, table.c.session_id.in_(session_ids)
                    )
                )
                .mappings()
            }
            gone = [rid for rid in stored if rid not in incoming]
            changed = [rid for rid, row in incoming.items() if rid in stored and stored[rid] != row]
            if gone or changed:  # the coder deleted or edited these since the last package
                objs = {o.id: o for o in find_rows(db, model, model.id.in_(gone + changed))}
                for rid in gone:
                    db.delete(objs[rid])
                db.flush()
                for rid in changed:
                    for key, value in decode(table, incoming[rid]).items():
                        setattr(objs[rid], key, value)
                db.flush()
            bulk_insert(
                db,
                model,
                [decode(table, row) for rid, row in incoming.items() if rid not in stored],
            )
            self.counts[model.__tablename__] = len(incoming)
        return self.counts


def _upsert(db: Db, model, row: dict) -> None:
    obj = db.get(model, row["id"])
    if obj is None:
        db.add(model(**decode(model.__table__, row)))


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


def check_package(db: Db, data: dict, cache: dict[str, str] | None = None) -> list[str]:
    """Every reason the package cannot merge into this project (empty: it can)."""
    cache = {} if cache is None else cache
    problems = []
    for cb in data["codebooks"]:
        have = db.get(CodebookVersion, (cb["codebook_id"], cb["version"]))
        if have is not None and have.content_hash != cb["content_hash"]:
            problems.append(
                f"codebook {cb['codebook_id']} {cb['version']} differs from this project's copy of that version"
            )
    ids = [entry["session"]["id"] for entry in data["sessions"]]
    source_hash = dict(
        db.execute(select(Session.id, Session.source_hash).where(Session.id.in_(ids))).all()
    )
    for entry in data["sessions"]:
        s = entry["session"]
        if s["id"] not in source_hash:
            continue
        if (
            _stored_digest(db, s["id"], cache) != entry["digest"]
            or source_hash[s["id"]] != s["source_hash"]
        ):
            problems.append(
                f"session {s['title']!r} ({s['id'][:8]}): its transcript or segments differ from this project's"
            )
    rater = db.get(Rater, data["rater"]["id"])
    if rater is None:
        clash = db.scalar(select(Rater).filter_by(name=data["rater"]["name"]))
        if clash is not None:
            problems.append(
                f"another rater is already called {clash.name!r} (id {clash.id[:8]}); raters merge by id, never by name"
            )
    return problems
