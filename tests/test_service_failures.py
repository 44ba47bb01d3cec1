"""The service layer turns every failure into one of its errors, and nothing is written."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from rupture_coder.errors import InternalError, RuptureCoderError, StorageError
from rupture_coder.services import ProjectService
from rupture_coder.services.project import AddRater
from rupture_coder.store import db as store_db
from rupture_coder.store.db import open_project, storage_error
from rupture_coder.store.models import AuditEntry, Rater


def count(project, model) -> int:
    with project.read() as db:
        return db.scalar(select(func.count()).select_from(model))


def test_a_write_while_another_program_holds_the_lock_is_refused_and_says_why(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
    project = open_project(tmp_path / "p.rcproj")
    svc = ProjectService(project, "test")
    other = sqlite3.connect(tmp_path / "p.rcproj", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is in the middle of a write
    try:
        with pytest.raises(StorageError) as info:
            svc.run(AddRater("Ann"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    message = str(info.value)
    assert "add coder 'Ann' was not saved" in message
    assert "another program is writing to the project" in message and "Nothing was saved" in message
    assert count(project, Rater) == 0 and count(project, AuditEntry) == 0
    assert not svc.can_undo
    svc.run(AddRater("Ann"))  # once the other writer is done, the same command goes through
    assert count(project, Rater) == 1
    project.close()


def test_a_defect_inside_a_command_is_an_internal_error_and_rolls_back(tmp_path):
    project = open_project(tmp_path / "p.rcproj")
    svc = ProjectService(project, "test")

    class Broken:
        command_name = "broken"

        def describe(self) -> str:
            return "a broken command"

        def apply(self, db):
            db.add(Rater(name="half-written"))
            db.flush()
            raise KeyError("oops")

    with pytest.raises(InternalError, match="a broken command was not saved: an unexpected error"):
        svc.run(Broken())
    assert count(project, Rater) == 0
    project.close()


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (OperationalError("x", {}, sqlite3.OperationalError("database is locked")), "another program"),
        (OperationalError("x", {}, sqlite3.OperationalError("database or disk is full")), "disk is full"),
        (OperationalError("x", {}, sqlite3.OperationalError("attempt to write a readonly database")), "read-only"),
        (sqlite3.DatabaseError("database disk image is malformed"), "damaged; restore the latest backup"),
        (OSError(28, "No space left on device"), "disk is full"),
        (IntegrityError("x", {}, sqlite3.IntegrityError("UNIQUE constraint failed: raters.name")), "conflicts with data already stored"),
    ],
)  # fmt: skip
def test_database_failures_are_told_in_words_a_person_can_act_on(raised, expected):
    err = storage_error(raised, "'add code W2' was not saved")
    assert isinstance(err, RuptureCoderError) and expected in str(err)
    assert str(err).startswith("'add code W2' was not saved: ") and str(err).endswith(
        "Nothing was saved."
    )
