"""Many new codes of one rater, checked and written as ``AddCode`` checks and writes one.

An import adds tens of thousands of codes in one command. Each is checked as the coding form
checks it (``services.coding.check_code``, with the sessions' utterances, segments and
participants read at once), then refused, as AddCode refuses it, when the rater already coded
the item at the same place, or on one of its utterances (one item is coded once per utterance;
``services.spans`` finds that in O(log n) instead of a query per code). A code is held against
the rater's stored codes and against the new codes accepted before it, in order. ``write``
inserts the accepted codes in one executemany, recorded for the audit and undo.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from rupture_coder.codebook.model import Codebook
from rupture_coder.errors import CommandError
from rupture_coder.services.coding import CodeSpec, check_code
from rupture_coder.services.places import Places
from rupture_coder.services.recorder import bulk_insert
from rupture_coder.services.spans import SpanIndex
from rupture_coder.store.db import Db
from rupture_coder.store.models import CodeEvent, Session, new_id, utcnow

_SPEC_FIELDS = tuple(CodeSpec.__dataclass_fields__)
_PLACE = (CodeEvent.session_id, CodeEvent.item_id, CodeEvent.codebook_id,
          CodeEvent.first_utterance_id, CodeEvent.last_utterance_id, CodeEvent.start_s,
          CodeEvent.segment_id, CodeEvent.actor_id, CodeEvent.target_id)  # fmt: skip


def overlap_message(item_id: str, first: int, last: int) -> str:
    """AddCode's refusal of a code on an utterance the item is coded on (0-based positions)."""
    where = f"utterance {first + 1}" if first == last else f"utterances {first + 1}-{last + 1}"
    return (
        f"{item_id} is already coded on {where} by this rater; one item is coded "
        "once per utterance (extend or move that code instead: Ctrl+M)"
    )


class NewCodes:
    """The codes of one rater to add in one command; ``add`` refuses a code (CodeRefused or
    CommandError, as AddCode would) or accepts it, ``write`` inserts the accepted ones."""

    def __init__(self, db: Db, rater_id: str):
        self.db, self.rater_id = db, rater_id
        self.places = Places(db)
        self._sizes: dict[str, int] = {}  # session id -> positions of its utterances
        self._placed: set[tuple] = set()  # where the rater's codes are (AddCode's duplicate check)
        self._spans: dict[tuple, SpanIndex] = {}  # (session, item, actor, target) -> spans
        self.rows: list[dict[str, Any]] = []

    def _session(self, session: Session, utterances: list[str]) -> None:
        """The session's places, and the rater's codes there, read once."""
        if session.id in self._sizes:
            return
        self.places.preload([session.id])
        positions = [self.places.utterance(u)[1] for u in utterances[-1:]]
        self._sizes[session.id] = positions[0] + 1 if positions else 1
        stored = self.db.execute(
            select(*_PLACE).where(
                CodeEvent.session_id == session.id, CodeEvent.rater_id == self.rater_id
            )
        )
        spans = []
        for place in stored:
            self._placed.add(tuple(place))
            sid, item, _cb, first, last, _start, _segment, actor, target = place
            if first is not None:
                lo = self.places.utterance(first)[1]
                hi = self.places.utterance(last or first)[1]
                spans.append(((sid, item, actor, target), lo, hi))
        # (a stored code on another session's utterances, in a damaged project, still counts)
        reach = max((max(lo, hi) + 1 for _key, lo, hi in spans), default=0)
        self._sizes[session.id] = max(self._sizes[session.id], reach)
        for key, lo, hi in spans:
            self._index(*key).add(lo, hi, None)

    def _index(self, sid: str, item: str, actor, target) -> SpanIndex:
        key = (sid, item, actor, target)
        index = self._spans.get(key)
        if index is None:
            index = self._spans[key] = SpanIndex(self._sizes[sid])
        return index

    def add(self, session: Session, cb: Codebook, utterances: list[str], spec: CodeSpec) -> None:
        """Check one code as AddCode does (``utterances``: the session's, by position)."""
        self._session(session, utterances)
        check_code(self.db, cb, session, spec, self.places)
        place = (session.id, spec.item_id, cb.id, spec.first_utterance_id,
                 spec.last_utterance_id, spec.start_s, spec.segment_id, spec.actor_id,
                 spec.target_id)  # fmt: skip
        if place in self._placed:
            raise CommandError(f"{spec.item_id} is already coded there by this rater")
        span = None
        if spec.first_utterance_id is not None:
            lo = self.places.utterance(spec.first_utterance_id)[1]
            hi = self.places.utterance(spec.last_utterance_id or spec.first_utterance_id)[1]
            index = self._index(session.id, spec.item_id, spec.actor_id, spec.target_id)
            found = index.overlapping(lo, hi)
            if found is not None:
                raise CommandError(overlap_message(spec.item_id, found[0], found[1]))
            span = (index, lo, hi)
        self._placed.add(place)
        if span is not None:
            span[0].add(span[1], span[2], None)
        now = utcnow()
        self.rows.append(
            {"id": new_id(), "session_id": session.id, "rater_id": self.rater_id,
             "codebook_id": cb.id, "codebook_version": cb.version,
             **{k: getattr(spec, k) for k in _SPEC_FIELDS},
             "flagged": False, "flag_reason": "", "created_at": now, "updated_at": now}
        )  # fmt: skip

    def write(self) -> int:
        """Insert the accepted codes (one executemany, recorded for the audit); how many."""
        bulk_insert(self.db, CodeEvent, self.rows)
        return len(self.rows)
