"""What the session summaries read, for many sessions at once: one grouped read per table instead
of a dozen queries per session and rater (an export of 1,000 sessions x 3 raters made 40,000).

``Snapshot.read(project, session_ids)`` holds every session's context (transcript positions and
times, segments, participants, codebook, the summary settings) and every rater's codes, ratings
and completion; ``study.summaries`` computes the scores from it. A summary of one session reads a
snapshot of that one session, so one code path gives every summary, whichever way it was read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from rupture_coder.codebook import Codebook
from rupture_coder.errors import StudyError
from rupture_coder.services.project import stored_codebook
from rupture_coder.services.segmentation import SegmentSpan, utterance_times
from rupture_coder.services.settings import get_setting
from rupture_coder.store.db import Project, raw_rows
from rupture_coder.store.models import (
    CodeEvent,
    Participant,
    Rater,
    Segment,
    SegmentRating,
    Session,
    SessionCompletion,
    SessionRating,
    Utterance,
)

#: (id, item, segment id, first utterance id, start s, count, actor id, target id, level)
CodeTuple = tuple[
    str, str, str | None, str | None, float | None, int, str | None, str | None, str | None
]


@dataclass
class SessionContext:
    """What every rater's summary of one session shares."""

    title: str
    codebook: Codebook
    segments: list[SegmentSpan]
    segment_of_position: dict[int, int]
    times: list[float] | None
    positions: dict[str, int]  # utterance id -> position
    names: dict[str, str]  # participant id -> pseudonym
    threshold: int
    window: int
    first_positions: dict[str, int | None] = field(default_factory=dict)  # segment id -> first

    @classmethod
    def load(cls, project: Project, session_id: str) -> SessionContext:
        return Snapshot.read(project, [session_id]).context(session_id)


@dataclass
class RaterData:
    """One rater's work in one session, as the summary needs it."""

    rater: str  # the rater's name
    complete: bool = False
    codes: list[CodeTuple] = field(default_factory=list)
    segment_ratings: list[tuple[str, str, int | None, bool]] = field(default_factory=list)
    session_ratings: list[tuple[str, int | None, bool]] = field(default_factory=list)


class Snapshot:
    """Sessions and every rater's work in them, read in one go (see the module's doc)."""

    def __init__(self) -> None:
        self.contexts: dict[str, SessionContext] = {}
        self.raters: dict[str, str] = {}  # rater id -> name
        self.codes: dict[tuple[str, str], list[CodeTuple]] = defaultdict(list)
        self.segment_ratings: dict[tuple[str, str], list] = defaultdict(list)
        self.session_ratings: dict[tuple[str, str], list] = defaultdict(list)
        self.complete: set[tuple[str, str]] = set()

    @classmethod
    def read(cls, project: Project, session_ids: Iterable[str] | None = None) -> Snapshot:
        """Every session of ``session_ids`` (None: of the project); a StudyError names a session
        that does not exist."""
        snap = cls()
        wanted = None if session_ids is None else list(dict.fromkeys(session_ids))

        def of(column):  # the sessions asked for (no IN list at all for the whole project)
            return () if wanted is None else (column.in_(wanted),)

        with project.read() as db:
            sessions = raw_rows(db, select(Session.id, Session.title, Session.codebook_id,
                                           Session.codebook_version).where(*of(Session.id)))  # fmt: skip
            found = {s[0] for s in sessions}
            for sid in wanted or ():
                if sid not in found:
                    raise StudyError(f"no session {sid} in this project")
            utterances = raw_rows(db, select(Utterance.session_id, Utterance.id, Utterance.position, Utterance.start_s)
                                  .where(*of(Utterance.session_id)).order_by(Utterance.session_id, Utterance.position))  # fmt: skip
            segments = raw_rows(db, select(Segment.session_id, Segment.index, Segment.id, Segment.start_s, Segment.end_s,
                                           Segment.partial, Segment.first_position, Segment.last_position)
                                .where(*of(Segment.session_id)).order_by(Segment.session_id, Segment.index))  # fmt: skip
            people = raw_rows(db, select(Participant.session_id, Participant.id, Participant.pseudonym)
                              .where(*of(Participant.session_id)))  # fmt: skip
            # one order for every read: the place index's, then the id
            codes = raw_rows(db, select(CodeEvent.session_id, CodeEvent.rater_id, CodeEvent.id, CodeEvent.item_id,
                                        CodeEvent.segment_id, CodeEvent.first_utterance_id, CodeEvent.start_s,
                                        CodeEvent.count, CodeEvent.actor_id, CodeEvent.target_id, CodeEvent.level)
                             .where(*of(CodeEvent.session_id))
                             .order_by(CodeEvent.session_id, CodeEvent.rater_id, CodeEvent.item_id,
                                       CodeEvent.first_utterance_id, CodeEvent.start_s, CodeEvent.id))  # fmt: skip
            seg_ratings = raw_rows(db, select(SegmentRating.session_id, SegmentRating.rater_id, SegmentRating.segment_id,
                                              SegmentRating.rating_id, SegmentRating.value, SegmentRating.is_na)
                                   .where(*of(SegmentRating.session_id)).order_by(SegmentRating.id))  # fmt: skip
            sess_ratings = raw_rows(db, select(SessionRating.session_id, SessionRating.rater_id, SessionRating.rating_id,
                                               SessionRating.value, SessionRating.is_na)
                                    .where(*of(SessionRating.session_id)).order_by(SessionRating.id))  # fmt: skip
            done = raw_rows(db, select(SessionCompletion.session_id, SessionCompletion.rater_id)
                            .where(*of(SessionCompletion.session_id)))  # fmt: skip
            snap.raters = dict(raw_rows(db, select(Rater.id, Rater.name)))
            codebooks = {key: stored_codebook(db, *key) for key in {(s[2], s[3]) for s in sessions}}
        threshold = int(get_setting(project, "summary.impact_threshold"))
        window = int(get_setting(project, "summary.repair_window"))
        utts_of: dict[str, list] = defaultdict(list)
        for sid, uid, position, start in utterances:
            utts_of[sid].append((uid, position, start))
        segs_of: dict[str, list] = defaultdict(list)
        for row in segments:
            segs_of[row[0]].append(row)
        names_of: dict[str, dict[str, str]] = defaultdict(dict)
        for sid, pid, pseudonym in people:
            names_of[sid][pid] = pseudonym
        for sid, title, cb_id, cb_version in sessions:
            utts, segs = utts_of.get(sid, []), segs_of.get(sid, [])
            # utterance position -> segment: a position past a segment's last is the next one's
            at = {
                p: index
                for _sid, index, _id, _s, _e, _partial, first, last in segs
                if first is not None and last is not None
                for p in range(first, last + 1)
            }
            snap.contexts[sid] = SessionContext(
                title, codebooks[(cb_id, cb_version)],
                [SegmentSpan(index, gid, start, end, bool(partial)) for _sid, index, gid, start, end, partial, _f, _l in segs],
                at, utterance_times([u[2] for u in utts]), {u[0]: u[1] for u in utts}, names_of.get(sid, {}),
                threshold, window, {g[2]: g[6] for g in segs},
            )  # fmt: skip
        for sid, rid, *code in codes:
            snap.codes[(sid, rid)].append(tuple(code))
        for sid, rid, segment_id, rating_id, value, is_na in seg_ratings:
            snap.segment_ratings[(sid, rid)].append((segment_id, rating_id, value, bool(is_na)))
        for sid, rid, rating_id, value, is_na in sess_ratings:
            snap.session_ratings[(sid, rid)].append((rating_id, value, bool(is_na)))
        snap.complete = {(sid, rid) for sid, rid in done}
        return snap

    def context(self, session_id: str) -> SessionContext:
        try:
            return self.contexts[session_id]
        except KeyError:
            raise StudyError(f"no session {session_id} in this project") from None

    def rater_data(self, session_id: str, rater_id: str) -> RaterData:
        if rater_id not in self.raters:
            raise StudyError(f"no rater {rater_id} in this project")
        key = (session_id, rater_id)
        return RaterData(
            self.raters[rater_id], key in self.complete, self.codes.get(key, []),
            self.segment_ratings.get(key, []), self.session_ratings.get(key, []),
        )  # fmt: skip

    def coded(self, session_id: str) -> list[str]:
        """The raters with a code or a rating in the session, by id."""
        return sorted(
            {r for s, r in self.codes if s == session_id}
            | {r for s, r in self.segment_ratings if s == session_id}
            | {r for s, r in self.session_ratings if s == session_id}
        )
