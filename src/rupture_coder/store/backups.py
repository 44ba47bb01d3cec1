"""The project's backups: where they are, and restoring one safely.

Backups are consistent copies made with the SQLite backup API, in the project's own folder, named
after the project file: ``NAME.rcproj.backup-rev<schema>-<UTC time>`` before a schema upgrade,
``NAME.rcproj.backup-merge-<UTC time>`` before merging rater packages, and
``NAME.rcproj.backup-before-restore-<UTC time>`` before a restore replaces the project's content.
Restoring first backs up the current file (so a restore can itself be undone by restoring that
copy), checks that the chosen file is a readable rupture-coder project, then copies it page by page
into the project file with the backup API (never a file copy over a database in use).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rupture_coder.errors import ProjectError
from rupture_coder.store.db import backup_sqlite
from rupture_coder.store.health import SQLITE_MAGIC

_STAMP = re.compile(r"(\d{8}T\d{6}Z)(-\d+)?$")  # -2, -3...: more than one in a second
_WHY = {"rev": "before a schema upgrade", "merge": "before a merge", "before": "before a restore"}


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime  # from the name (UTC), else the file's modification time
    why: str
    size: int


def list_backups(project_path: Path) -> list[Backup]:
    """The project's backups, newest first."""
    out = []
    for path in project_path.parent.glob(f"{project_path.name}.backup-*"):
        if path.name.endswith((".part", "-wal", "-shm", "-journal")) or not path.is_file():
            continue
        match = _STAMP.search(path.name)
        taken = (
            datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            if match
            else datetime.fromtimestamp(path.stat().st_mtime, UTC)
        )
        kind = path.name[len(project_path.name) + len(".backup-") :].split("-")[0]
        kind = "rev" if kind.startswith("rev") else kind
        out.append(Backup(path, taken, _WHY.get(kind, "copy"), path.stat().st_size))
    return sorted(out, key=lambda b: b.taken, reverse=True)


def check_backup(path: Path) -> None:
    """ProjectError unless ``path`` is a readable SQLite database holding a rupture-coder project."""
    try:
        with path.open("rb") as fh:
            if fh.read(16) != SQLITE_MAGIC:
                raise ProjectError(f"{path.name} is not a project backup (not an SQLite database)")
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()[0]
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            con.close()
    except (OSError, sqlite3.Error) as exc:
        raise ProjectError(f"{path.name} cannot be read: {exc}") from exc
    if ok != "ok":
        raise ProjectError(f"{path.name} is damaged ({ok}); choose another backup")
    if not {"alembic_version", "sessions"} <= tables:
        raise ProjectError(f"{path.name} is an SQLite file but not a rupture-coder project")


def restore_backup(project_path: Path, backup: Path) -> Path:
    """Replace the project's content with the backup's; returns the safety copy of what it was.

    The project must be closed by the caller (no open engine). Nothing changes if any step fails
    before the copy starts; the copy itself runs in one SQLite transaction."""
    check_backup(backup)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    safety = backup_sqlite(
        project_path, project_path.with_name(f"{project_path.name}.backup-before-restore-{stamp}")
    )
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(project_path)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        raise ProjectError(
            f"restoring {backup.name} failed ({exc}); the project was not changed, and a copy "
            f"of it is in {safety.name}"
        ) from exc
    finally:
        target.close()
        source.close()
    return safety


def prune_backups(project_path: Path, why: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups taken for one reason (e.g. "before a merge");
    returns those deleted. Backups of other reasons are left alone."""
    mine = [b for b in list_backups(project_path) if b.why == why]
    gone = []
    for old in mine[keep:]:
        old.path.unlink(missing_ok=True)
        gone.append(old.path)
    return gone
