"""The project database: pragmas, migrations with a backup first, honest refusals, durability."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text

from rupture_coder.errors import ProjectError
from rupture_coder.store.db import (
    _alembic_config,
    current_revision,
    head_revision,
    open_project,
    shipped_head,
)
from rupture_coder.store.models import CodeEvent, Session, Utterance


def test_new_project_has_the_head_schema_and_safe_pragmas(tmp_path):
    p = open_project(tmp_path / "new.rcproj")
    with p.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    assert current_revision(p.engine) == head_revision()
    assert p.backup is None
    p.close()


def test_the_head_read_from_the_migration_files_is_alembics_head():
    # opening an up-to-date project compares with this head and never starts Alembic
    assert shipped_head() == head_revision()


def test_an_old_schema_is_upgraded_to_the_index_of_code_places(tmp_path):
    from alembic import command

    path = tmp_path / "old.rcproj"
    p = open_project(path)
    with p.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0004")
    assert current_revision(p.engine) == "0004"
    p.close()
    p = open_project(path)
    assert current_revision(p.engine) == head_revision() and p.backup is not None
    with p.engine.connect() as conn:
        indexes = {r[1] for r in conn.execute(text("PRAGMA index_list(code_events)"))}
    assert "ix_code_events_place" in indexes and "ix_code_events_session_rater" not in indexes
    p.close()


def _make_rev_0001_project(path):
    """A project as the first release wrote it: schema revision 0001, with data in it."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(
            text(
                "INSERT INTO codebook_versions VALUES ('3rs-individual','1.0.0','t','individual','x','h','2026-01-01')"
            )
        )
        conn.execute(text("INSERT INTO raters VALUES ('r1','Ann','coder','2026-01-01')"))
        conn.execute(
            text(
                "INSERT INTO sessions (id,title,kind,codebook_id,codebook_version,media_offset_s,notes,created_at)"
                " VALUES ('s1','Old session','individual','3rs-individual','1.0.0',0,'','2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO utterances VALUES ('u1','s1',0,'T',NULL,1.5,3.0,'Hello'),('u2','s1',1,'P',NULL,3.0,4.0,'Hi')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO code_events (id,session_id,rater_id,codebook_id,codebook_version,item_id,"
                "first_utterance_id,count,note,created_at,updated_at) VALUES "
                "('c1','s1','r1','3rs-individual','1.0.0','W2','u2',1,'kept','2026-01-01','2026-01-01')"
            )
        )
    engine.dispose()


def test_older_project_is_upgraded_after_a_backup_and_loses_nothing(tmp_path):
    path = tmp_path / "old.rcproj"
    _make_rev_0001_project(path)
    p = open_project(path)
    assert current_revision(p.engine) == head_revision() != "0001"
    with p.read() as db:
        assert db.scalar(select(Session.title)) == "Old session"
        assert db.scalar(select(func.count()).select_from(Utterance)) == 2
        code = db.get(CodeEvent, "c1")
        assert (code.item_id, code.note, code.flagged, code.flag_reason) == (
            "W2",
            "kept",
            False,
            "",
        )
    p.close()
    # the backup is a consistent copy of the project as it was, at the old revision
    assert p.backup is not None and p.backup.exists() and "rev0001" in p.backup.name
    with sqlite3.connect(p.backup) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert old.execute("SELECT note FROM code_events").fetchall() == [("kept",)]
        assert old.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    old.close()
    # opening again does not upgrade or back up again
    again = open_project(path)
    assert again.backup is None
    again.close()


def test_project_from_a_newer_release_is_refused_and_untouched(tmp_path):
    path = tmp_path / "future.rcproj"
    open_project(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="newer rupture-coder.*9999"):
        open_project(path)
    assert path.read_bytes() == before


def test_non_project_files_are_refused(tmp_path):
    text_file = tmp_path / "notes.rcproj"
    text_file.write_text("hello")
    with pytest.raises(ProjectError, match="not an SQLite database"):
        open_project(text_file)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(ProjectError, match="not a rupture-coder project"):
        open_project(other)
    with pytest.raises(ProjectError, match="no such project"):
        open_project(tmp_path / "missing.rcproj", create=False)


CRASH_SCRIPT = textwrap.dedent(
    """
    import sys
    from rupture_coder.store.db import open_project
    from rupture_coder.resources import default_codebook_path
    from rupture_coder.services import ProjectService
    from rupture_coder.services.project import AddRater, RegisterCodebook
    p = open_project(sys.argv[1])
    svc = ProjectService(p, "crash-test")
    svc.run(RegisterCodebook(default_codebook_path().read_text(), "cb"))
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        svc.run(AddRater(f"rater {n}"))
        print(n, flush=True)          # the command has returned
        sys.stdin.readline()           # wait: the parent kills us here
    """
)


@pytest.mark.parametrize("kill_after", [1, 5])
def test_a_command_is_committed_when_it_returns(tmp_path, kill_after):
    """A process killed with SIGKILL right after a command returns keeps that command."""
    path = tmp_path / "crash.rcproj"
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASH_SCRIPT, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready"
    for n in range(1, kill_after + 1):
        assert proc.stdout.readline().strip() == str(n)
        if n < kill_after:
            proc.stdin.write("\n")
            proc.stdin.flush()
    proc.kill()  # SIGKILL: no cleanup, no checkpoint, WAL left behind
    proc.wait()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        names = [r[0] for r in conn.execute("SELECT name FROM raters ORDER BY created_at")]
        audits = conn.execute(
            "SELECT count(*) FROM audit_log WHERE command = 'add rater'"
        ).fetchone()[0]
    conn.close()
    assert names == [f"rater {n}" for n in range(1, kill_after + 1)]
    assert audits == kill_after


def test_migrations_build_exactly_the_models_schema(project):
    """A model change without its Alembic migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from rupture_coder.store.models import Base

    with project.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_every_reference_to_a_row_that_can_be_deleted_is_indexed(tmp_path):
    """SQLite looks up the referring rows on every delete: without an index on the referring
    column each look-up walks the table (deleting a session of a 200,000-code project took
    seconds per session, undoing an import of 300 transcripts most of an hour: found by hand)."""
    open_project(tmp_path / "p.rcproj").close()
    db = sqlite3.connect(tmp_path / "p.rcproj")
    deletable = {"sessions", "utterances", "segments", "participants", "code_events"}
    unindexed = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for fk in db.execute(f"PRAGMA foreign_key_list('{table}')"):
            parent, column = fk[2], fk[3]
            if parent not in deletable:
                continue
            plan = " ".join(
                row[3]
                for row in db.execute(
                    f"EXPLAIN QUERY PLAN SELECT 1 FROM {table} WHERE {column} = ?", ("x",)
                )
            )
            if not plan.startswith("SEARCH"):  # a SCAN: every row walked
                unindexed.append(f"{table}.{column} -> {parent}: {plan}")
    db.close()
    assert unindexed == []
