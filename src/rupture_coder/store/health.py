"""Is a project file fit to open? Damage, truncation, read-only files and folders, full disks.

Used by ``store.db.open_project`` before it opens a project: what is wrong with which file, and
what to do (free space, make the folder writable, go back to the latest backup). Nothing here
changes a file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

SQLITE_MAGIC = b"SQLite format 3\x00"
MIN_FREE_BYTES = 1024 * 1024  # less than this free beside a project: treat the disk as full


def readonly_uri(path: Path) -> str:
    """An SQLite URI that opens ``path`` for reading only, touching nothing beside it
    (``immutable``: no journal, no lock files; the folder may be read-only or the disk full)."""
    return f"file:{quote(str(path))}?mode=ro&immutable=1"


def readonly_url(path: Path) -> str:
    return f"sqlite:///{readonly_uri(path)}&uri=true"


def check_header(path: Path) -> None:
    """ValueError naming what is wrong when the file is not an SQLite database or is shorter
    than its own header says (cut off by an interrupted copy or a full disk)."""
    with path.open("rb") as fh:
        head = fh.read(100)
    if head[:16] != SQLITE_MAGIC:
        raise ValueError("not a rupture-coder project (not an SQLite database)")
    if len(head) < 100:
        raise ValueError(f"the file is cut off ({len(head)} bytes; its header alone is 100)")
    (page_size,) = struct.unpack(">H", head[16:18])
    page_size = 65536 if page_size == 1 else page_size
    changes, pages, valid_for = (struct.unpack(">I", head[i : i + 4])[0] for i in (24, 28, 92))
    size = path.stat().st_size
    if pages and changes == valid_for and size < pages * page_size:
        raise ValueError(
            f"the file is cut off: {size:,} bytes where its header says {pages * page_size:,} "
            "(an interrupted copy, or a disk that filled up)"
        )


def quick_check(connect) -> list[str]:
    """What SQLite's ``PRAGMA quick_check`` finds (its first few lines); [] when the file is
    sound. ``connect`` is an engine or a function returning a sqlite3 connection."""
    try:
        if isinstance(connect, Engine):
            with connect.connect() as conn:
                rows = conn.exec_driver_sql("PRAGMA quick_check(5)").fetchall()
        else:
            con = connect()
            try:
                rows = con.execute("PRAGMA quick_check(5)").fetchall()
            finally:
                con.close()
    except (DBAPIError, sqlite3.DatabaseError) as exc:
        return [str(getattr(exc, "orig", exc))]
    lines = [ln for row in rows for ln in str(row[0]).splitlines() if not ln.startswith("***")]
    return [] if lines == ["ok"] else lines


def latest_backup(path: Path) -> Path | None:
    """The newest backup rupture-coder made beside the project (before an upgrade or a merge)."""
    backups = [p for p in path.parent.glob(f"{path.name}.backup-*") if not p.name.endswith(".part")]
    return max(backups, key=lambda p: p.stat().st_mtime, default=None)


def damaged_message(path: Path, findings: list[str], by: str = "SQLite's check found") -> str:
    """What to say about a damaged project: what was found, and the way back."""
    found = "; ".join(findings[:3])
    text = f"{path}: the project file is damaged ({by}: {found}). Nothing was changed. "
    backup = latest_backup(path)
    if backup is None:
        return text + "No backup of it was found beside it; restore it from your own backups."
    when = datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    sound = not quick_check(lambda: sqlite3.connect(readonly_uri(backup), uri=True))
    state = "it passes the same check" if sound else "but it is damaged too"
    return (
        text + f"The latest backup is {backup} ({when}; {state}): to go back to it, close "
        f"rupture-coder and copy it over {path.name}."
    )


def unwritable_reason(path: Path, exists: bool) -> str | None:
    """Why the project cannot be written, or None. SQLite keeps its journal (``-wal``, ``-shm``)
    beside the file, so the folder must be writable too, and there must be room on the disk."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"its folder {folder} cannot be written (SQLite keeps its journal beside the project)"
        )
    if exists and not os.access(path, os.W_OK):
        return "the file is read-only"
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        return f"the disk holding it is full ({free:,} bytes free)"
    return None
