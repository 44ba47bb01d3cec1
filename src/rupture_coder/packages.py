"""Rater packages: a coder's work in one file, merged into the lead's project by stable ids.

A package is a zip with ``manifest.json`` (format, app version, rater, SHA-256 of the payload) and
``data.json`` (the rater, the codebook versions, the sessions with their transcripts and segments,
and the rater's codes, ratings and completions). Merging checks the whole package first, lists every
conflict (a session whose transcript differs, a codebook version whose text differs), takes a
backup, and writes everything in one command, or nothing. The coder is authoritative for their own
codes in the sessions of the package: merging a newer package updates and removes them, merging
the same package again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session as Db

from rupture_coder import __version__
from rupture_coder.errors import PackageError
from rupture_coder.services.changes import bulk_insert, decode, encode
from rupture_coder.store.db import Project, backup_sqlite
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

FORMAT = "rupture-coder-package/1"
RATER_TABLES = (CodeEvent, SegmentRating, SessionRating, SessionCompletion)


def _row(obj) -> dict[str, Any]:
    return {a.key: encode(getattr(obj, a.key)) for a in sa_inspect(obj).mapper.column_attrs}


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


def export_package(project: Project, rater_id: str, out: Path) -> dict[str, Any]:
    """Write one rater's package (atomically); returns its manifest."""
    with project.read() as db:
        rater = db.get(Rater, rater_id) or db.scalar(select(Rater).filter_by(name=rater_id))
        if rater is None:
            raise PackageError(str(out), [f"no rater {rater_id!r} in this project"])
        rows = {
            model.__tablename__: db.scalars(select(model).filter_by(rater_id=rater.id)).all()
            for model in RATER_TABLES
        }
        session_ids = sorted({r.session_id for rs in rows.values() for r in rs})
        sessions = []
        codebooks = {}
        for sid in session_ids:
            s = db.get(Session, sid)
            utts = [_row(u) for u in db.scalars(select(Utterance).filter_by(session_id=sid))]
            segs = [_row(g) for g in db.scalars(select(Segment).filter_by(session_id=sid))]
            parts = [_row(p) for p in db.scalars(select(Participant).filter_by(session_id=sid))]
            sessions.append({"session": _row(s), "utterances": utts, "segments": segs, "participants": parts,
                             "digest": transcript_digest(utts, segs)})  # fmt: skip
            codebooks[(s.codebook_id, s.codebook_version)] = None
        for rs in rows.values():
            for r in rs:
                if hasattr(r, "codebook_id"):
                    codebooks[(r.codebook_id, r.codebook_version)] = None
        cbs = [_row(db.get(CodebookVersion, key)) for key in codebooks if key[0]]
        data = {
            "rater": _row(rater),
            "codebooks": cbs,
            "sessions": sessions,
            "rows": {name: [_row(r) for r in rs] for name, rs in rows.items()},
        }
    payload = json.dumps(data, sort_keys=True).encode("utf-8")
    manifest = {
        "format": FORMAT, "app_version": __version__, "rater": {"id": rater.id, "name": rater.name},
        "sessions": len(sessions), "codes": len(data["rows"]["code_events"]),
        "created": datetime.now(UTC).isoformat(), "sha256": hashlib.sha256(payload).hexdigest(),
    }  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(manifest, indent=2))
            z.writestr("data.json", payload)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return manifest


def read_package(path: Path) -> tuple[dict, dict]:
    """(manifest, data), or PackageError for a corrupt, truncated or foreign file."""
    src = str(path)
    try:
        with zipfile.ZipFile(path) as z:
            manifest = json.loads(z.read("manifest.json"))
            payload = z.read("data.json")
    except FileNotFoundError:
        raise PackageError(src, ["no such file"]) from None
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, EOFError, OSError) as exc:
        raise PackageError(
            src, [f"not a readable rater package (corrupt or truncated: {exc})"]
        ) from None
    if manifest.get("format") != FORMAT:
        raise PackageError(
            src, [f"unknown package format {manifest.get('format')!r} (expected {FORMAT})"]
        )
    if hashlib.sha256(payload).hexdigest() != manifest.get("sha256"):
        raise PackageError(
            src, ["the package content does not match its checksum (corrupt or edited)"]
        )
    return manifest, json.loads(payload)


@dataclass
class MergePackages:
    """Merge packages in one transaction: all of them, or (on any conflict) none."""

    packages: list[tuple[str, dict]]
    command_name: ClassVar[str] = "merge rater packages"

    def describe(self) -> str:
        names = ", ".join(data["rater"]["name"] for _src, data in self.packages)
        return f"merge {len(self.packages)} rater package(s) ({names})"

    def apply(self, db: Db) -> list[dict]:
        cache: dict[str, str] = {}
        return [MergePackage(data, source, cache=cache).apply(db) for source, data in self.packages]


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
        for entry in self.data["sessions"]:
            if db.get(Session, entry["session"]["id"]) is None:
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
                r["id"]: {k: encode(v) for k, v in r.items()}
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
                objs = {
                    o.id: o for o in db.scalars(select(model).where(model.id.in_(gone + changed)))
                }
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
    for entry in data["sessions"]:
        s = entry["session"]
        have = db.get(Session, s["id"])
        if have is None:
            continue
        if (
            _stored_digest(db, s["id"], cache) != entry["digest"]
            or have.source_hash != s["source_hash"]
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


def merge_packages(service, paths: list[Path]) -> list[dict]:
    """Read and check every package, back the project up, then merge them one command each.

    Every package is read and checked before anything is written; a conflict in any of them
    refuses all."""
    loaded = []
    problems = []
    for path in paths:
        try:
            loaded.append((path, *read_package(path)))
        except PackageError as exc:
            problems.append(str(exc))
    with service.project.read() as db:
        for path, _manifest, data in loaded:
            issues = check_package(db, data)
            if issues:
                problems.append(f"{path}: " + "; ".join(issues))
    if problems:
        raise PackageError("merge refused, nothing changed", problems)
    if service.project.path is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup_sqlite(
            service.project.path,
            service.project.path.with_name(f"{service.project.path.name}.backup-merge-{stamp}"),
        )
    change = service.run(MergePackages([(str(path), data) for path, _m, data in loaded]))
    return [
        {"package": str(path), "rater": manifest["rater"]["name"], "rows": counts}
        for (path, manifest, _d), counts in zip(loaded, change.result, strict=True)
    ] + [{"changed_rows": len(change.changes)}]
