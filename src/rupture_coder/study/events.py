"""Event agreement as a use case: two raters' time-coded events, aligned and compared.

For video sessions (and transcripts with timestamps) the unit of coding is the event in time, not
the segment. Each code becomes an event at its own time (``start_s``/``end_s``), or at its first
and last utterance's times; codes of older codebook versions are carried to the version compared
under, as for the other units. The statistics (alignment, event- and time-based kappa, session
bootstrap) are in ``rupture_coder.agreement.events``; a table file with one row per event works
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import or_, select

from rupture_coder.agreement.bootstrap import MAX_REPLICATES
from rupture_coder.agreement.events import METHODS, Event, compare_sessions
from rupture_coder.codebook.versions import IncomparableVersions, translation
from rupture_coder.errors import StudyError
from rupture_coder.services.project import stored_codebook
from rupture_coder.store.db import Project
from rupture_coder.store.models import (
    CodebookVersion,
    CodeEvent,
    SegmentRating,
    Session,
    SessionRating,
    Utterance,
)
from rupture_coder.study.agreement import BOOTSTRAP, SEED, Statistic, read_table
from rupture_coder.study.tables import _pick_raters, _target_version


@dataclass(frozen=True)
class EventAgreementQuery:
    """Two raters (names or ids; None: the project's only two raters), the sessions (None: all)."""

    raters: tuple[str, ...] | None = None
    sessions: tuple[str, ...] | None = None
    codebook: tuple[str, str] | None = None
    method: str = "onset"  # onset | overlap
    tolerance_s: float = 2.0
    tick_s: float = 1.0
    bootstrap: int = BOOTSTRAP
    seed: int = SEED


@dataclass(frozen=True)
class EventAgreement:
    query: EventAgreementQuery
    raters: tuple[str, str]  # rater A, rater B (names)
    source: str  # the codebook id@version, or the file
    skipped: tuple[str, ...]  # sessions left out, with the reason
    result: dict[str, Any]  # agreement.events.compare_sessions

    @property
    def event_kappa(self) -> Statistic:
        return Statistic.from_json(self.result["event_kappa"])

    @property
    def time_kappa(self) -> Statistic:
        return Statistic.from_json(self.result["time_kappa"])

    @property
    def sessions(self) -> list[dict[str, Any]]:
        return self.result["sessions"]

    def to_json(self) -> dict[str, Any]:
        return {"unit": "events", "source": self.source, "raters": list(self.raters),
                "skipped_sessions": list(self.skipped), **self.result}  # fmt: skip


def _check(query: EventAgreementQuery) -> None:
    if query.method not in METHODS:
        raise StudyError(f"--method is {' or '.join(METHODS)}, not {query.method!r}")
    if not query.tolerance_s >= 0:
        raise StudyError(f"--tolerance is 0 s or more, not {query.tolerance_s}")
    if not query.tick_s > 0:
        raise StudyError(f"--tick is longer than 0 s, not {query.tick_s}")
    if not 0 <= query.bootstrap <= MAX_REPLICATES:
        raise StudyError(
            f"the bootstrap takes 0 (none) to {MAX_REPLICATES:,} resamples, not {query.bootstrap:,}"
        )


def _two(chosen: dict[str, str], everyone: int) -> tuple[str, str]:
    if len(chosen) != 2:
        raise StudyError(
            f"event agreement compares two raters; {len(chosen)} are selected"
            + (" (choose two with --raters A,B)" if everyone != 2 else "")
        )
    a, b = chosen
    return a, b


def _compare(query, by_session, names, source, skipped) -> EventAgreement:
    result = compare_sessions(by_session, query.method, query.tolerance_s, query.tick_s,
                              query.bootstrap, query.seed)  # fmt: skip
    return EventAgreement(query, names, source, tuple(skipped), result)


def project_events(project: Project, query: EventAgreementQuery) -> EventAgreement:
    """Event agreement of two raters over the time-coded sessions they both coded."""
    _check(query)
    with project.read() as db:
        everyone = _pick_raters(db, None)
        chosen = _pick_raters(db, list(query.raters) if query.raters else None)
        a, b = _two(chosen, len(everyone))
        rows = db.scalars(select(Session)).all()
        if query.sessions:
            rows = [s for s in rows if s.id in query.sessions or s.title in query.sessions]
        ids = {s.codebook_id for s in rows if s.codebook_id}
        if query.codebook:
            rows = [s for s in rows if s.codebook_id == query.codebook[0]]
        elif len(ids) > 1:
            raise StudyError(
                f"the sessions use {len(ids)} different codebooks ({', '.join(sorted(ids))}); "
                "choose one with --codebook ID@VERSION"
            )
        if not rows:
            raise StudyError("no sessions match the selection")
        if not query.codebook and not ids:
            raise StudyError("none of the selected sessions has a codebook; assign one first")
        cb_id = query.codebook[0] if query.codebook else ids.pop()
        target = _target_version(db, cb_id, query.codebook[1] if query.codebook else None)
        known = {v: stored_codebook(db, cb_id, v)
                 for v in db.scalars(select(CodebookVersion.version).filter_by(codebook_id=cb_id))}  # fmt: skip
        session_ids = [s.id for s in rows]
        codes = db.execute(
            select(CodeEvent.id, CodeEvent.session_id, CodeEvent.rater_id, CodeEvent.codebook_version,
                   CodeEvent.item_id, CodeEvent.start_s, CodeEvent.end_s, CodeEvent.first_utterance_id,
                   CodeEvent.last_utterance_id)
            .where(CodeEvent.session_id.in_(session_ids), CodeEvent.rater_id.in_([a, b]),
                   CodeEvent.codebook_id == cb_id)
        ).all()  # fmt: skip
        utterance_ids = {c.first_utterance_id for c in codes} | {c.last_utterance_id for c in codes}
        times = {u.id: (u.start_s, u.end_s) for u in db.execute(
            select(Utterance.id, Utterance.start_s, Utterance.end_s).where(Utterance.id.in_(utterance_ids - {None})))}  # fmt: skip
        took_part = {(r.session_id, r.rater_id) for r in codes}
        for model in (SegmentRating, SessionRating):
            took_part |= set(db.execute(select(model.session_id, model.rater_id).where(
                model.session_id.in_(session_ids), or_(model.rater_id == a, model.rater_id == b))).all())  # fmt: skip
        ends = {u.session_id: u.end for u in db.execute(
            select(Utterance.session_id, Utterance.end_s.label("end")).where(Utterance.session_id.in_(session_ids))
            .order_by(Utterance.end_s))}  # fmt: skip
    maps = {}
    for version in {c.codebook_version for c in codes}:
        try:
            maps[version] = translation(known[version], target, known)
        except IncomparableVersions as exc:
            raise StudyError(str(exc)) from None
    events: dict[tuple[str, str], list[Event]] = {}
    for c in codes:
        start, end = c.start_s, c.end_s
        if start is None and c.first_utterance_id in times:
            start = times[c.first_utterance_id][0]
            end = times.get(c.last_utterance_id or c.first_utterance_id, (None, None))[1]
        if start is None:
            continue
        for item in maps[c.codebook_version].get(c.item_id, ()):
            events.setdefault((c.session_id, c.rater_id), []).append(
                Event(c.id, item, float(start), float(end if end is not None else start))
            )
    by_session, skipped = {}, []
    for s in rows:
        if (s.id, a) not in took_part or (s.id, b) not in took_part:
            continue  # not coded by both: nothing to compare
        ea, eb = events.get((s.id, a), []), events.get((s.id, b), [])
        if not ea and not eb:
            skipped.append(f"{s.title}: no code with a time (not a time-coded session)")
            continue
        duration = s.duration_s or ends.get(s.id)
        by_session[f"{s.title} [{s.id[:8]}]"] = (ea, eb, float(duration) if duration else None)
    if not by_session:
        raise StudyError(
            f"no time-coded session was coded by both {chosen[a]} and {chosen[b]}"
            + (f" ({'; '.join(skipped)})" if skipped else "")
        )
    return _compare(
        query, by_session, (chosen[a], chosen[b]), f"{target.id}@{target.version}", skipped
    )


@dataclass(frozen=True)
class EventTableQuery(EventAgreementQuery):
    """A table with one row per event: rater, code, onset (and offset, session) columns."""

    path: Path = Path()
    rater_column: str = "rater"
    code_column: str = "code"
    start_column: str = "start"
    end_column: str | None = None
    session_column: str | None = None


def table_events(query: EventTableQuery) -> EventAgreement:
    _check(query)
    df = read_table(query.path)
    wanted = [
        query.rater_column,
        query.code_column,
        query.start_column,
        query.end_column,
        query.session_column,
    ]
    missing = [c for c in wanted if c and c not in df.columns]
    if missing:
        raise StudyError(
            f"{query.path}: no column {missing[0]!r}; the columns are {', '.join(df.columns)}"
        )
    df = df[df[query.code_column].astype(str).str.strip() != ""]
    starts = pd.to_numeric(df[query.start_column], errors="coerce")
    ends = pd.to_numeric(df[query.end_column], errors="coerce") if query.end_column else starts
    bad = df[starts.isna() | ends.isna()]
    if len(bad):
        column = query.start_column if pd.isna(starts[bad.index[0]]) else query.end_column
        raise StudyError(f"{query.path}: line {int(bad.index[0]) + 2}: {column} must be a time in seconds, "
                         f"not {bad[column].iloc[0]!r}")  # fmt: skip
    raters = sorted(df[query.rater_column].astype(str).unique())
    chosen = list(query.raters) if query.raters else raters
    unknown = [r for r in chosen if r not in raters]
    if unknown:
        raise StudyError(
            f"{query.path}: no rater {unknown[0]!r}; the raters are {', '.join(raters)}"
        )
    a, b = _two({r: r for r in chosen}, len(raters))
    sessions = (
        df[query.session_column].astype(str)
        if query.session_column
        else pd.Series("all", index=df.index)
    )
    by_session = {}
    for name in sorted(sessions.unique()):
        part = df[sessions == name]
        pick = [
            [Event(str(i), str(row[query.code_column]), float(starts[i]), float(ends[i]))
             for i, row in part[part[query.rater_column].astype(str) == r].iterrows()]
            for r in (a, b)
        ]  # fmt: skip
        by_session[name] = (pick[0], pick[1], None)
    return _compare(query, by_session, (a, b), str(query.path), [])
