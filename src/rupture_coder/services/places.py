"""Where a code may point: utterances, segments and participants, looked up by id for the checks
of the coding form (``services.coding``).

The coding form checks one code and reads what it needs one row at a time. A merge or an import
checks tens of thousands of codes with the same checks; ``preload`` reads the utterances,
segments and participants of their sessions in a few queries first (a look-up that misses, an
id of another session or of none, still asks the database, so every refusal stays the same).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from rupture_coder.errors import CommandError
from rupture_coder.store.db import Db
from rupture_coder.store.models import Participant, Segment, Session, Utterance

_CHUNK = 500  # session ids per IN (...): SQLite limits the variables of one statement


class Places:
    """The rows a code's fields name, as plain tuples, read once per id within one transaction
    (the rows of a session's transcript do not change while a command checks its codes)."""

    def __init__(self, db: Db):
        self.db = db
        self._utterances: dict[str, tuple[str, int]] = {}  # id -> (session id, position)
        self._segments: dict[str, str] = {}  # id -> session id
        self._people: dict[str, tuple[str, str]] = {}  # id -> (session id, role)
        self._loaded: set[str] = set()
        self.sessions: dict[str, Session] = {}  # the preloaded sessions, by id

    def preload(self, session_ids: Iterable[str]) -> None:
        """Read the utterances, segments and participants of these sessions at once."""
        ids = sorted(set(session_ids) - self._loaded)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for session in self.db.scalars(select(Session).where(Session.id.in_(chunk))):
                self.sessions[session.id] = session
            for uid, sid, position in self.db.execute(
                select(Utterance.id, Utterance.session_id, Utterance.position).where(
                    Utterance.session_id.in_(chunk)
                )
            ):
                self._utterances[uid] = (sid, position)
            for gid, sid in self.db.execute(
                select(Segment.id, Segment.session_id).where(Segment.session_id.in_(chunk))
            ):
                self._segments[gid] = sid
            for pid, sid, role in self.db.execute(
                select(Participant.id, Participant.session_id, Participant.role).where(
                    Participant.session_id.in_(chunk)
                )
            ):
                self._people[pid] = (sid, role)
        self._loaded.update(ids)

    def utterance(self, utterance_id: str) -> tuple[str, int]:
        """(session id, position); CommandError when there is no such utterance."""
        found = self._utterances.get(utterance_id)
        if found is None:
            u = self.db.get(Utterance, utterance_id)
            if u is None:
                raise CommandError(f"no utterance {utterance_id}")
            found = self._utterances[utterance_id] = (u.session_id, u.position)
        return found

    def segment_session(self, segment_id: str | None) -> str | None:
        """The session of the segment, or None when there is no such segment."""
        if segment_id is None:
            return None
        found = self._segments.get(segment_id)
        if found is None:
            g = self.db.get(Segment, segment_id)
            if g is None:
                return None
            found = self._segments[segment_id] = g.session_id
        return found

    def segment(self, segment_id: str) -> str:
        """The session of the segment; CommandError when there is no such segment."""
        found = self.segment_session(segment_id)
        if found is None:
            raise CommandError(f"no segment {segment_id}")
        return found

    def participant(self, participant_id: str) -> tuple[str, str]:
        """(session id, role); CommandError when there is no such participant."""
        found = self._people.get(participant_id)
        if found is None:
            p = self.db.get(Participant, participant_id)
            if p is None:
                raise CommandError(f"no participant {participant_id}")
            found = self._people[participant_id] = (p.session_id, p.role)
        return found
