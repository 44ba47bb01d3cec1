"""Gold-standard sessions: the sessions trainees are scored against, and who coded them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rupture_coder.errors import CommandError
from rupture_coder.store.db import Db
from rupture_coder.store.models import GoldSession, Rater, Session


@dataclass
class MarkGold:
    """Mark a session as gold standard, coded by ``rater_id`` (an expert or the consensus); or unmark."""

    session_id: str
    rater_id: str | None
    command_name: ClassVar[str] = "mark gold standard"

    def describe(self) -> str:
        return "mark gold standard" if self.rater_id else "unmark gold standard"

    def apply(self, db: Db) -> None:
        row = db.get(GoldSession, self.session_id)
        if self.rater_id is None:
            if row is not None:
                db.delete(row)
            return
        if db.get(Rater, self.rater_id) is None or db.get(Session, self.session_id) is None:
            raise CommandError("no such session or rater")
        if row is None:
            db.add(GoldSession(session_id=self.session_id, rater_id=self.rater_id))
        else:
            row.rater_id = self.rater_id
