"""Copies of a project: a coder copy for one rater, and a plain safe copy of any project.

Both are made with SQLite's online backup API (``store.db.backup_sqlite``), never a file copy: a
project open in the app keeps recent changes in its ``-wal`` file, which ``cp`` of the main file
loses. A **coder copy** then keeps only what its rater may see: the sessions (transcripts,
participants, segments), the codebook versions, the settings, and that rater's own codes,
ratings and completions; every other rater, their rows and keys, the consensus decisions, review
comments, gold marks, merged-package records and the audit log (which holds other raters' rows)
are deleted and the file is vacuumed, so deleted rows cannot be read from its free pages. It is
bound to the rater (``bound_rater_id``) and holds the signing key the lead's project issued to
them (the same secret: a copy made again for the same rater signs packages that still verify).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from rupture_coder.errors import CommandError, InternalError
from rupture_coder.services import ProjectService
from rupture_coder.services.identity import (
    BOUND_KEY,
    LEAD,
    IssueRaterKey,
    find_rater,
    identity_of,
    require_role,
)
from rupture_coder.store.db import Project, backup_sqlite, replace_database_file

# every table of the rows of one rater (deleted for every other rater in a coder copy)
RATER_ROWS = ("code_events", "segment_ratings", "session_ratings", "session_completions")
# tables a coder copy holds nothing of: other raters' data, the lead's records, the audit log
LEAD_ONLY_TABLES = (
    "review_comments",
    "consensus_decisions",
    "gold_sessions",
    "merged_packages",
    "audit_log",
)


@dataclass(frozen=True)
class Handout:
    """What a coder copy holds."""

    path: Path
    rater_id: str
    rater: str
    sessions: int
    codes: int


def _file_of(project: Project, what: str) -> Path:
    if project.path is None:
        raise CommandError(f"{what} needs a project saved in a file")
    return project.path


def _not_itself(project_path: Path, out: Path) -> None:
    if out.resolve() == project_path.resolve():
        raise CommandError(f"{out} is the project itself; choose another file for the copy")
    if not out.parent.is_dir():
        raise CommandError(f"{out.parent} is not a folder; choose where to save the copy")
    if out.is_dir():
        raise CommandError(f"{out} is a folder; name the copy's file, e.g. {out / 'copy.rcproj'}")


def save_copy(project: Project, out: Path) -> Path:
    """A consistent copy of the whole project (what is still in its -wal file included),
    written atomically: ``out`` is either the whole copy or untouched."""
    source = _file_of(project, "saving a copy")
    _not_itself(source, out)
    return backup_sqlite(source, out)


def hand_out(service: ProjectService, rater: str, out: Path) -> Handout:
    """Make ``rater``'s coder copy at ``out`` (a lead's tool; see the module docstring)."""
    project = service.project
    source = _file_of(project, "a coder copy")
    require_role(project, LEAD, "handing out a coder copy", identity_of(project, service.rater_id))
    _not_itself(source, out)
    with project.read() as db:
        found = find_rater(db, rater)
        if found is None:
            raise CommandError(f"no rater {rater!r} in this project; add them first (raters add)")
        if found.role != "coder":
            raise CommandError(
                f"{found.name} is a {found.role}; coder copies are for coders (a lead or "
                "supervisor works in the lead's project). Set their role to coder first."
            )
        rater_id, name = found.id, found.name
    service.run(IssueRaterKey(rater_id))  # kept when the rater has one: earlier copies verify

    def write(tmp: Path) -> tuple[int, int]:
        backup_sqlite(source, tmp)
        try:
            return _strip(tmp, rater_id)
        finally:
            for extra in ("-wal", "-shm", "-journal"):
                Path(f"{tmp}{extra}").unlink(missing_ok=True)

    sessions, codes = replace_database_file(out, write)
    return Handout(out, rater_id, name, sessions, codes)


def _strip(path: Path, rater_id: str) -> tuple[int, int]:
    """Keep only ``rater_id``'s own rows, bind the file to them, and vacuum it."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=DELETE")  # no -wal beside the copy while it is made
        con.execute("PRAGMA secure_delete=ON")
        con.execute("BEGIN")
        for table in LEAD_ONLY_TABLES:
            con.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants
        for table in (*RATER_ROWS, "rater_keys"):
            con.execute(f"DELETE FROM {table} WHERE rater_id != ?", (rater_id,))  # noqa: S608
        con.execute("DELETE FROM raters WHERE id != ?", (rater_id,))
        if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
            con.execute("DELETE FROM sqlite_sequence")  # not even how long the audit log was
        con.execute(
            "INSERT OR REPLACE INTO project_settings (key, value) VALUES (?, ?)",
            (BOUND_KEY, json.dumps(rater_id)),
        )
        dangling = con.execute("PRAGMA foreign_key_check").fetchall()
        if dangling:
            con.execute("ROLLBACK")
            raise InternalError(
                f"the coder copy would refer to rows it does not hold ({dangling[:3]}); "
                "nothing was written"
            )
        con.execute("COMMIT")
        con.execute("VACUUM")  # deleted rows leave no trace in free pages
        sessions = con.execute("SELECT count(*) FROM sessions").fetchone()[0]
        codes = con.execute("SELECT count(*) FROM code_events").fetchone()[0]
    finally:
        con.close()
    return int(sessions), int(codes)
