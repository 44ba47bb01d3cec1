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
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from rupture_coder import __version__
from rupture_coder.errors import Cancelled, PackageError
from rupture_coder.services.identity import LEAD, identity_of, require_role
from rupture_coder.services.merge import (
    RATER_TABLES,
    MergePackages,
    check_package,
    transcript_digest,
)
from rupture_coder.services.project import find_rows
from rupture_coder.services.recorder import encode
from rupture_coder.store.db import Project, backup_sqlite
from rupture_coder.store.files import atomic_write
from rupture_coder.store.models import (
    CodebookVersion,
    Participant,
    Rater,
    Segment,
    Session,
    SessionCompletion,
    Utterance,
)
from rupture_coder.tasks import Progress, progress_or_silent

FORMAT = "rupture-coder-package/1"


def _row(obj) -> dict[str, Any]:
    return {a.key: encode(getattr(obj, a.key)) for a in sa_inspect(obj).mapper.column_attrs}


def export_package(
    project: Project, rater_id: str, out: Path, progress: Progress | None = None
) -> dict[str, Any]:
    """Write one rater's package (atomically); returns its manifest."""
    progress = progress_or_silent(progress)
    with project.read() as db:
        rater = db.get(Rater, rater_id) or db.scalar(select(Rater).filter_by(name=rater_id))
        if rater is None:
            raise PackageError(str(out), [f"no rater {rater_id!r} in this project"])
        rows = {
            model.__tablename__: find_rows(db, model, model.rater_id == rater.id)
            for model in RATER_TABLES
        }
        session_ids = sorted({r.session_id for rs in rows.values() for r in rs})
        sessions = []
        codebooks: dict[tuple[str | None, str | None], None] = {}
        for k, sid in enumerate(session_ids):
            progress.step(k, len(session_ids), f"session {k + 1} of {len(session_ids)}")
            s = db.get(Session, sid)
            if s is None:
                raise PackageError(str(out), [f"session {sid} of this rater's codes is missing"])
            utts = [_row(u) for u in db.scalars(select(Utterance).filter_by(session_id=sid))]
            segs = [_row(g) for g in db.scalars(select(Segment).filter_by(session_id=sid))]
            parts = [_row(p) for p in db.scalars(select(Participant).filter_by(session_id=sid))]
            sessions.append({"session": _row(s), "utterances": utts, "segments": segs, "participants": parts,
                             "digest": transcript_digest(utts, segs)})  # fmt: skip
            codebooks[(s.codebook_id, s.codebook_version)] = None
        for rs in rows.values():
            for r in rs:
                if not isinstance(r, SessionCompletion):  # completions have no codebook
                    codebooks[(r.codebook_id, r.codebook_version)] = None
        cbs = [_row(db.get(CodebookVersion, key)) for key in codebooks if key[0]]
        data: dict[str, Any] = {
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
    progress.check()
    out.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(manifest, indent=2))
            z.writestr("data.json", payload)

    atomic_write(out, write)
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
    if not isinstance(manifest, dict):
        raise PackageError(src, ["not a rater package (its manifest is not a JSON object)"])
    if manifest.get("format") != FORMAT:
        raise PackageError(
            src, [f"unknown package format {manifest.get('format')!r} (expected {FORMAT})"]
        )
    if hashlib.sha256(payload).hexdigest() != manifest.get("sha256"):
        raise PackageError(
            src, ["the package content does not match its checksum (corrupt or edited)"]
        )
    try:
        data = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PackageError(src, [f"not a readable rater package (its data: {exc})"]) from None
    if not isinstance(data, dict) or not isinstance(manifest.get("rater"), dict):
        raise PackageError(src, ["not a rater package (its data is not what a package holds)"])
    return manifest, data


def merge_packages(service, paths: list[Path], progress: Progress | None = None) -> list[dict]:
    """Read and check every package, back the project up, then merge them in one command.

    Every package is read and checked before anything is written; a conflict in any of them
    refuses all. Cancelling (``progress``) at any point changes nothing, and leaves no backup.
    Only a lead merges (never in a coder copy)."""
    require_role(
        service.project,
        LEAD,
        "merging rater packages",
        identity_of(service.project, service.rater_id),
    )
    progress = progress_or_silent(progress)
    loaded = []
    problems = []
    for k, path in enumerate(paths):
        progress.step(k, len(paths), f"reading package {k + 1} of {len(paths)}")
        try:
            loaded.append((path, *read_package(path)))
        except PackageError as exc:
            problems.append(str(exc))
    cache: dict[str, str] = {}  # session id -> this project's transcript digest
    with service.project.read() as db:
        for k, (path, _manifest, data) in enumerate(loaded):
            progress.step(k, len(loaded), f"checking package {k + 1} of {len(loaded)}")
            try:
                issues = check_package(db, data, cache)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                # a package whose checksum matches but whose content was forged or damaged
                issues = [
                    f"not a rater package this version can read ({type(exc).__name__}: {exc})"
                ]
            if issues:
                problems.append(f"{path}: " + "; ".join(issues))
    if problems:
        raise PackageError("merge refused, nothing changed", problems)
    backup = None
    if service.project.path is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = backup_sqlite(
            service.project.path,
            service.project.path.with_name(f"{service.project.path.name}.backup-merge-{stamp}"),
        )
    try:
        change = service.run(
            MergePackages([(str(path), data) for path, _m, data in loaded], progress)
        )
    except Cancelled:
        if backup is not None:
            backup.unlink(missing_ok=True)  # nothing changed: the backup would only confuse
        raise
    return [
        {"package": str(path), "rater": manifest["rater"]["name"], "rows": counts}
        for (path, manifest, _d), counts in zip(loaded, change.result, strict=True)
    ] + [{"changed_rows": len(change.changes)}]
