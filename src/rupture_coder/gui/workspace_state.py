"""What the workspace shows of one session for one rater, read through the core queries.

The codes are kept sorted (by utterance, item, id) and updated in place: a key press re-reads the
one code it wrote and moves only that one, so its cost does not grow with the session."""

from __future__ import annotations

import re
from bisect import bisect_left, insort

from rupture_coder.codebook import Codebook
from rupture_coder.services import queries
from rupture_coder.services.segmentation import locate_segment
from rupture_coder.store.db import Project

REREAD_OVER = 1_000  # codes touched by one notice past which the session's are read again


class SessionState:
    def __init__(self) -> None:
        self.session_id: str | None = None
        self.session = None
        self.codebook: Codebook | None = None
        self.rows: list[queries.UtteranceRow] = []
        self.segments: list = []
        self.segment_of: list[int] = []
        self.category_of: dict[str, str] = {}
        self.timed = False
        self.codes: list[queries.CodeRow] = []  # sorted by code_key
        self.code_by_id: dict[str, queries.CodeRow] = {}
        self.ticks: dict[str, dict[str, float]] = {}  # category -> code id -> x on the timeline
        self.segment_ratings: dict[str, dict[str, tuple]] = {}
        self.session_ratings: dict[str, tuple] = {}
        self.warnings: list[str] = []

    def load(self, project: Project, session_id: str) -> None:
        self.session_id = session_id
        self.session = queries.session_row(project, session_id)
        self.codebook = queries.session_codebook(project, session_id)
        self.rows = queries.transcript(project, session_id)
        self.segments = queries.segments(project, session_id)
        self.segment_of = [0] * len(self.rows)
        for seg in self.segments:
            if seg.first_position is not None:
                for pos in range(seg.first_position, seg.last_position + 1):
                    self.segment_of[pos] = seg.index
        self.category_of = {i.id: c.rupture_type for c in self.codebook.categories for i in c.items}
        self.timed = any(u.start_s is not None for u in self.rows) or not self.rows
        self.positions = {u.id: u.position for u in self.rows}
        self.names = {p.id: p.pseudonym for p in queries.participants(project, session_id)}

    def load_codes(self, project: Project, rater_id: str) -> None:
        codes = queries.codes(
            project, self.session_id, rater_id, positions=self.positions, names=self.names
        )
        self.codes = sorted(codes, key=code_key)
        self.code_by_id = {c.id: c for c in self.codes}
        self.ticks = {}
        self._place_ticks(self.codes)
        self.load_ratings(project, rater_id)

    def update_codes(
        self, project: Project, rater_id: str, ids: set[str]
    ) -> tuple[list[queries.CodeRow], list[queries.CodeRow]]:
        """Re-read only the codes a command touched (a key press must not reload thousands) and
        move them in place; returns (the rows removed, the rows added). Past ``REREAD_OVER``
        codes touched (a merge, an import), the rater's codes of the session are read again:
        asking for 100,000 ids took longer than reading them all."""
        if len(ids) > REREAD_OVER:
            removed, self.codes = self.codes, []
            self.code_by_id = {}
            fresh = queries.codes(
                project, self.session_id, rater_id, None, self.positions, self.names
            )
            self.codes = sorted(fresh, key=code_key)
            self.code_by_id = {c.id: c for c in self.codes}
            self.ticks = {}
            self._place_ticks(self.codes)
            return removed, fresh
        fresh = queries.codes(project, self.session_id, rater_id, ids, self.positions, self.names)
        removed = [self.code_by_id.pop(i) for i in ids if i in self.code_by_id]
        for ticks in self.ticks.values():
            for i in ids:
                ticks.pop(i, None)
        self._place_ticks(fresh)
        for old in removed:
            k = bisect_left(self.codes, code_key(old), key=code_key)
            if k < len(self.codes) and self.codes[k].id == old.id:
                del self.codes[k]
        for row in fresh:
            insort(self.codes, row, key=code_key)
            self.code_by_id[row.id] = row
        return removed, fresh

    def load_ratings(self, project: Project, rater_id: str) -> None:
        seg, sess = queries.ratings(project, self.session_id, rater_id)
        self.segment_ratings = {}
        for (segment_id, rating_id), value in seg.items():
            self.segment_ratings.setdefault(segment_id, {})[rating_id] = value
        self.session_ratings = sess

    def segment_at_row(self, row: int):
        if not self.segments:
            return None
        if not self.rows:
            return self.segments[0]
        index = self.segment_of[row] if 0 <= row < len(self.segment_of) else 0
        return next((s for s in self.segments if s.index == index), None)

    def _place_ticks(self, codes: list[queries.CodeRow]) -> None:
        """Each code's x on the timeline, kept from key press to key press: the deferred refresh
        must not walk 50,000 codes in Python."""
        rows, timed, category_of = self.rows, self.timed, self.category_of
        for code in codes:
            p = code.first_position
            if p is None:
                x = self._x_of(code)
                if x is None:
                    continue
            else:  # the common case, inline: it runs for every code when a session opens
                start = rows[p].start_s
                x = start if timed and start is not None else float(p)
            ticks = self.ticks.get(category := category_of.get(code.item_id, "other"))
            if ticks is None:
                ticks = self.ticks[category] = {}
            ticks[code.id] = x

    def _x_of(self, code: queries.CodeRow) -> float | None:
        if code.first_position is not None:
            u = self.rows[code.first_position]
            return u.start_s if self.timed and u.start_s is not None else float(code.first_position)
        if code.start_s is not None:
            return code.start_s
        seg = locate_segment(self.segments, code.segment_id, None, None)
        return (seg.start_s or 0.0) if seg else None

    def timeline_data(self) -> tuple[dict, list, bool, float]:
        """(codes' x by category, segments as (x0, x1, ratings), timed, end) for the Timeline."""
        codes = {category: ticks.values() for category, ticks in self.ticks.items()}
        segs = []
        for seg in self.segments:
            if self.timed and seg.start_s is not None:
                x0, x1 = seg.start_s, seg.end_s
            else:
                x0, x1 = float(seg.first_position or 0), float((seg.last_position or 0) + 1)
            values = {
                rid: v for rid, (v, na) in self.segment_ratings.get(seg.id, {}).items() if not na
            }
            segs.append((x0, x1, values))
        end = max((s[1] for s in segs), default=float(len(self.rows)))
        return codes, segs, self.timed, end


def code_key(code: queries.CodeRow) -> tuple:
    """Transcript order: codes without an utterance first, then by utterance, item (as a person
    reads them: R2 before R10) and id."""
    position = code.first_position if code.first_position is not None else -1
    return (position, item_order(code.item_id), code.id)


_ITEM = re.compile(r"(\D*)(\d*)(.*)", re.DOTALL)


def item_order(item_id: str) -> tuple[str, int, str]:
    """An item's place among the codes of one utterance: its letters, then its number (R1, R2,
    R10; as text R10 came before R2), then the rest."""
    letters, number, rest = _ITEM.match(item_id).groups()  # type: ignore[union-attr]
    return (letters, int(number) if number else -1, rest)
