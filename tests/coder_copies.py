"""A coder copy made the way ``rupture-coder handout`` makes one (issue 10), for the tests of
packages until that command exists: replace ``coder_copy`` by a call of the CLI then.

The lead's project issues a signing key to the rater (added as a coder if new); the copy is a
consistent SQLite copy (backup API) of the lead's project holding only that rater's codes, ratings
and completions, bound to the rater (setting ``bound_rater_id``) and holding that rater's key only.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import delete, select

from rupture_coder.services import ProjectService
from rupture_coder.services.merge import RATER_TABLES
from rupture_coder.services.project import AddRater
from rupture_coder.store.db import backup_sqlite, open_project
from rupture_coder.store.models import ProjectSetting, Rater, RaterKey


def issue_key(lead_path: Path, name: str, role: str = "coder") -> tuple[str, str]:
    """(rater id, secret): the lead's project adds the rater if new and issues them a key."""
    lead = open_project(lead_path)
    try:
        with lead.read() as db:
            rater = db.scalar(select(Rater).filter_by(name=name))
        if rater is None:
            rater = ProjectService(lead, "lead").run(AddRater(name, role)).result
        with lead.new_session() as db, db.begin():
            key = db.get(RaterKey, rater.id)
            if key is None:
                key = RaterKey(rater_id=rater.id, secret=secrets.token_hex(32))
                db.add(key)
            secret = key.secret
        return rater.id, secret
    finally:
        lead.close()


def coder_copy(lead_path: Path, name: str, out: Path) -> str:
    """Hand rater ``name`` a coder copy of the lead's project at ``out``; returns the rater id."""
    rater_id, secret = issue_key(lead_path, name)
    backup_sqlite(lead_path, out)
    copy = open_project(out)
    try:
        with copy.new_session() as db, db.begin():
            for model in RATER_TABLES:
                db.execute(delete(model).where(model.rater_id != rater_id))
            db.execute(delete(RaterKey).where(RaterKey.rater_id != rater_id))
            db.merge(ProjectSetting(key="bound_rater_id", value=rater_id))
            if db.get(RaterKey, rater_id) is None:  # pragma: no cover - the backup holds it
                db.add(RaterKey(rater_id=rater_id, secret=secret))
    finally:
        copy.close()
    return rater_id
