"""Rater packages: a coder's work in one signed file, merged into the lead's project by stable ids.

A package is a zip with ``manifest.json`` (format, app version, rater, when it was made, the
SHA-256 of the payload and a signature) and ``data.json`` (the rater, the codebook versions, the
sessions with their transcripts and segments, and the rater's codes, ratings and completions); see
``study.package_file``. It is made in the coder copy the lead handed out, and signed with the key
the lead's project issued to that rater for it.

Merging checks every package first: its zip, its signature against the key this project issued,
its rows (only the sender's, each as the coding form checks it), its sessions and codebooks, and
that it is not older than the last package merged for its rater. Any problem refuses all, and
nothing changes. Then, if anything would change, it takes a backup (keeping the last few), and
writes everything in one command. The coder is authoritative for their own codes in the sessions
of the package: merging a newer package updates and removes them; merging the same package again
changes nothing, takes no backup and says so.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from rupture_coder import __version__
from rupture_coder.errors import OlderPackage, PackageError
from rupture_coder.services.identity import LEAD, identity_of, require_role
from rupture_coder.services.merge import (
    RATER_TABLES,
    Incoming,
    MergePackages,
    check_package,
    check_rows,
    transcript_digest,
    would_change,
)
from rupture_coder.services.project import find_rows
from rupture_coder.services.recorder import encode
from rupture_coder.store.backups import prune_backups
from rupture_coder.store.db import Db, Project, backup_sqlite
from rupture_coder.store.models import (
    CodebookVersion,
    MergedPackage,
    Participant,
    Rater,
    RaterKey,
    Segment,
    Session,
    SessionCompletion,
    Utterance,
)
from rupture_coder.study.package_file import (
    FORMAT,
    PackageFile,
    read_package,
    signature,
    signed_by,
    write_package,
)
from rupture_coder.tasks import Progress, collector_paused, progress_or_silent, release

__all__ = ["FORMAT", "export_package", "merge_lines", "merge_packages", "read_package"]
KEEP_MERGE_BACKUPS = 5  # backups taken before merges; older ones are deleted


def _row(obj) -> dict[str, Any]:
    return {a.key: encode(getattr(obj, a.key)) for a in sa_inspect(obj).mapper.column_attrs}


def _not_a_project(project: Project, out: Path) -> None:
    """A package never replaces a project: the coder's own copy (``--out`` naming it by mistake)
    or any other project file would be lost, the zip written in its place."""
    if project.path is not None and out.resolve() == Path(project.path).resolve():
        raise PackageError(str(out), ["is the project itself; choose another file for the package"])
    if out.is_file():
        with open(out, "rb") as fh:
            if fh.read(16) == b"SQLite format 3\0":
                raise PackageError(
                    str(out),
                    ["is a project file, which the package would replace; choose another file"],
                )
        if not _is_package(out):  # an older package of the same name is replaced: nothing else
            raise PackageError(
                str(out),
                ["exists and is not a rater package, which the package would replace; "
                 "choose another file, or move it away first"],
            )  # fmt: skip


def _is_package(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "manifest.json" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def export_package(
    project: Project, rater_id: str, out: Path, progress: Progress | None = None
) -> dict[str, Any]:
    """Write one rater's package (atomically), signed with the key this project holds for that
    rater (a coder copy holds its own rater's); returns its manifest."""
    _not_a_project(project, Path(out))
    progress = progress_or_silent(progress)
    with project.read() as db:
        rater = db.get(Rater, rater_id) or db.scalar(select(Rater).filter_by(name=rater_id))
        if rater is None:
            raise PackageError(str(out), [f"no rater {rater_id!r} in this project"])
        key = db.get(RaterKey, rater.id)
        if key is None:
            raise PackageError(
                str(out),
                [
                    f"this project holds no signing key for {rater.name}: a package is made in "
                    f"the coder copy the lead handed out to {rater.name} (rupture-coder handout), "
                    "which the lead's project can verify"
                ],
            )
        secret = key.secret
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
        codebooks.pop((None, None), None)  # a session without a codebook
        cbs = [_row(db.get(CodebookVersion, key)) for key in codebooks]
        data: dict[str, Any] = {
            "rater": _row(rater),
            "codebooks": cbs,
            "sessions": sessions,
            "rows": {name: [_row(r) for r in rs] for name, rs in rows.items()},
        }
    # any fixed order of keys will do (the payload is signed as written)
    payload = json.dumps(data, sort_keys=True).encode("utf-8")  # pragma: no mutate
    manifest: dict[str, Any] = {
        "format": FORMAT, "app_version": __version__, "rater": {"id": rater.id, "name": rater.name},
        "sessions": len(sessions), "codes": len(data["rows"]["code_events"]),
        "created": datetime.now(UTC).isoformat(),
        "sha256": PackageFile(out, {}, payload, {}).sha256,
    }  # fmt: skip
    manifest["signature"] = signature(secret, manifest, payload)
    progress.check()
    write_package(out, manifest, payload)
    return manifest


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive UTC times; a package's time carries its zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _when(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%d %H:%M:%S UTC")


def _verify(db: Db, package: PackageFile) -> tuple[list[str], Rater | None]:
    """Who made the package, proven by the key this project issued; or why that is not proven."""
    sent = package.manifest["rater"]
    who = f"{sent.get('name')!r} ({package.rater_id})"
    if not package.manifest.get("signature"):
        return [
            "it is not signed; a package is made in the coder copy the lead handed out "
            "(rupture-coder handout), which signs it"
        ], None
    key = db.get(RaterKey, package.rater_id)
    rater = db.get(Rater, package.rater_id)
    if key is None or rater is None:
        return [
            f"this project issued no key to rater {who}: it handed out no coder copy to them, "
            "so it cannot tell who made the package"
        ], None
    if not signed_by(key.secret, package):
        return [
            f"its signature does not verify with the key issued to {rater.name}: the package was "
            "changed after it was made, or made in a copy this project did not hand out"
        ], None
    if package.data["rater"]["id"] != package.rater_id:
        return ["its data names another rater than its manifest"], None
    return [], rater


def _last_merged(db: Db, rater_id: str) -> tuple[MergedPackage | None, datetime | None]:
    """(the package of this rater merged last, the creation time of the newest one merged)."""
    last = db.scalar(
        select(MergedPackage)
        .where(MergedPackage.rater_id == rater_id)
        .order_by(MergedPackage.id.desc())
        .limit(1)  # pragma: no mutate (scalar() takes the first row either way)
    )
    newest = db.scalar(
        select(MergedPackage.package_created)
        .where(MergedPackage.rater_id == rater_id)
        .order_by(MergedPackage.package_created.desc())
        .limit(1)  # pragma: no mutate (scalar() takes the first row either way)
    )
    return last, newest


def _check(
    db: Db, package: PackageFile, cache: dict[str, str], allow_older: bool, result: dict
) -> list[str]:
    issues, rater = _verify(db, package)
    if rater is None:
        return issues
    result["rater"], result["rater_id"] = rater.name, rater.id
    last, newest = _last_merged(db, rater.id)
    if last is not None and last.sha256 == package.sha256:  # what the project holds already
        result["already_merged"] = _utc(last.merged_at).isoformat()
        return []
    if newest is not None and package.created < _utc(newest) and not allow_older:
        result["older"] = True
        return [
            f"it was made {_when(package.created)}, before the package of {rater.name} merged "
            f"last (made {_when(newest)}); merging it would undo {rater.name}'s newer work "
            "(to merge it anyway: rupture-coder merge --allow-older)"
        ]
    issues = check_package(db, package.data, cache) or check_rows(db, package.data)
    if not issues:
        result["changes"] = would_change(db, package.data)
    return issues


def merge_packages(
    service, paths: list[Path], progress: Progress | None = None, allow_older: bool = False
) -> list[dict]:
    """Read, verify and check every package, back the project up, then merge them in one command.

    Every package is checked before anything is written; a problem in any of them refuses all.
    The package merged last for its rater, given again, is skipped (said so in its result); an
    older one is refused unless ``allow_older``. When nothing would change, no
    backup is taken. Cancelling (``progress``) at any point changes nothing, and leaves no backup.
    Returns one dict per package (``package``, ``rater`` as verified, ``rows``, and
    ``already_merged`` when it was) and a last one with ``changed_rows`` and ``backup``.
    Only a lead merges (never in a coder copy)."""
    require_role(
        service.project,
        LEAD,
        "merging rater packages",
        identity_of(service.project, service.rater_id),
    )
    progress = progress_or_silent(progress)
    loaded: list[PackageFile] = []
    problems: list[str] = []
    with collector_paused():
        try:
            return _read_and_merge(service, paths, loaded, problems, progress, allow_older)
        finally:  # a package at a time (on a worker, freeing them all at once froze the window)
            for package in loaded:
                package.data.clear()
            release(loaded)


def _read_and_merge(
    service, paths, loaded: list[PackageFile], problems: list[str], progress: Progress,
    allow_older: bool,
) -> list[dict]:  # fmt: skip
    for k, path in enumerate(paths):
        progress.step(k, len(paths), f"reading package {k + 1} of {len(paths)}")
        try:
            loaded.append(read_package(Path(path)))
        except PackageError as exc:
            problems.append(str(exc))
    return _merge_loaded(service, loaded, problems, progress, allow_older)


def _merge_loaded(
    service, loaded: list[PackageFile], problems: list[str], progress: Progress, allow_older: bool
) -> list[dict]:
    results: list[dict] = []
    cache: dict[str, str] = {}  # session id -> this project's transcript digest
    with service.project.read() as db:
        for k, package in enumerate(loaded):
            progress.step(k, len(loaded), f"checking package {k + 1} of {len(loaded)}")
            result: dict[str, Any] = {"package": str(package.path), "rows": {}}
            try:
                issues = _check(db, package, cache, allow_older, result)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                # a package whose signature holds but whose content this version cannot read
                issues = [
                    f"not a rater package this version can read ({type(exc).__name__}: {exc})"
                ]
            if issues:
                problems.append(f"{package.path}: " + "; ".join(issues))
            results.append(result)
    problems += _same_rater_twice(loaded, results)
    if problems and len(problems) == sum(1 for r in results if r.get("older")):
        raise OlderPackage("merge refused, nothing changed", problems)
    if problems:
        raise PackageError("merge refused, nothing changed", problems)
    pairs = list(zip(loaded, results, strict=True))  # pragma: no mutate (equal lengths)
    fresh = [(p, r) for p, r in pairs if "already_merged" not in r]
    if not fresh:
        return [*results, {"changed_rows": 0, "backup": None}]
    backup = _backup(service.project.path) if any(r["changes"] for _p, r in fresh) else None
    command = MergePackages(
        [Incoming(str(p.path), p.data, p.created, p.sha256) for p, _r in fresh], progress
    )
    try:
        change = service.run(command)
    except BaseException:
        if backup is not None:
            # nothing changed: the backup would only confuse
            backup.unlink(missing_ok=True)  # pragma: no mutate
        raise
    for (_p, r), counts in zip(fresh, change.result, strict=True):  # pragma: no mutate
        r["rows"] = counts
        del r["changes"]
    changed = sum(1 for c in change.changes if c.table != MergedPackage.__tablename__)
    changes = list(change.changes)
    del change, command  # then the row changes are freed one by one
    release(changes)
    return [*results, {"changed_rows": changed, "backup": str(backup) if backup else None}]


def _same_rater_twice(loaded: list[PackageFile], results: list[dict]) -> list[str]:
    """Two different packages of one rater in one merge: the older would be merged over."""
    first: dict[str, PackageFile] = {}
    problems = []
    for package, result in zip(loaded, results, strict=True):  # pragma: no mutate (equal lengths)
        rid = result.get("rater_id")
        if rid is None:
            continue
        other = first.setdefault(rid, package)
        if other is not package and other.sha256 == package.sha256:
            result["already_merged"] = "in this merge"  # the same file given twice
        elif other is not package:
            problems.append(
                f"{package.path} and {other.path} are two packages of {result['rater']} (made "
                f"{_when(package.created)} and {_when(other.created)}); merge the newer one"
            )
    return problems


def _backup(path: Path | None) -> Path | None:
    if path is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name, k = f"{path.name}.backup-merge-{stamp}", 1
    while path.with_name(name).exists():  # two merges in one second: keep both backups
        k += 1
        name = f"{path.name}.backup-merge-{stamp}-{k}"
    backup = backup_sqlite(path, path.with_name(name))
    prune_backups(path, "before a merge", KEEP_MERGE_BACKUPS)
    return backup


def merge_lines(result: list[dict]) -> list[str]:
    """What a merge did, in words: each package's verified rater, then the rows and the backup."""
    lines = []
    for r in result[:-1]:
        who = f"{r['package']}: signed by {r['rater']} (verified)"
        if r.get("already_merged"):
            lines.append(f"{who}; already merged ({r['already_merged']}), skipped")
        else:
            lines.append(f"{who}; merged {r['rows'].get('code_events', 0)} code(s)")
    total = result[-1]
    if total["changed_rows"]:
        lines.append(
            f"{total['changed_rows']} row(s) changed; backup taken first: {total['backup']}"
        )
    elif all(r.get("already_merged") for r in result[:-1]):
        lines.append("nothing changed: already merged; no backup taken")
    else:
        lines.append("nothing changed: the project already holds this work; no backup taken")
    return lines
