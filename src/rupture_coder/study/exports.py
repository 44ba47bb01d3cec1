"""Tidy exports for R, SPSS and Python: one row per rater x session x segment x item, one row per
code event, one row per rater x session summary. Each row is stamped with the app version, the
codebook id and version, and the export time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from rupture_coder import __version__
from rupture_coder.codebook.model import Scope
from rupture_coder.errors import StudyError
from rupture_coder.services import queries
from rupture_coder.services.identity import LEAD_OR_SUPERVISOR, require_role
from rupture_coder.services.project import stored_codebook
from rupture_coder.services.segmentation import locate_segment
from rupture_coder.store.db import Project, named_rows, raw_rows
from rupture_coder.store.files import atomic_write_all
from rupture_coder.store.models import (
    CodeEvent,
    Participant,
    Rater,
    Segment,
    SegmentRating,
    Session,
    Utterance,
)
from rupture_coder.study.snapshot import Snapshot
from rupture_coder.study.summaries import session_summary
from rupture_coder.study.tabular import table_writer
from rupture_coder.tasks import Progress, progress_or_silent


def _stamp(df: pd.DataFrame, exported_at: str) -> pd.DataFrame:
    df.insert(0, "exported_at", exported_at)
    df.insert(0, "app_version", __version__)
    return df


SEGMENT_COLUMNS = [getattr(Segment, f.name) for f in fields(queries.SegmentRow)]
SEGMENT_TABLE = ["codebook_id", "codebook_version", "rater", "rater_id", "session", "session_id",
                 "segment", "segment_start_s", "segment_end_s", "partial", "item", "category", "kind",
                 "value", "na"]  # fmt: skip


EVENT_TABLE = ["codebook_id", "codebook_version", "rater", "rater_id", "session", "session_id", "code_id",
               "item", "category", "segment", "first_utterance_id", "last_utterance_id", "first_utterance",
               "last_utterance", "start_s", "end_s", "count", "value", "actor", "target", "level", "note",
               "flagged", "flag_reason"]  # fmt: skip
_CODE_COLUMNS = [CodeEvent.id, CodeEvent.session_id, CodeEvent.rater_id, CodeEvent.codebook_id,
                 CodeEvent.codebook_version, CodeEvent.item_id, CodeEvent.segment_id, CodeEvent.first_utterance_id,
                 CodeEvent.last_utterance_id, CodeEvent.start_s, CodeEvent.end_s, CodeEvent.count, CodeEvent.value,
                 CodeEvent.actor_id, CodeEvent.target_id, CodeEvent.level, CodeEvent.note, CodeEvent.flagged,
                 CodeEvent.flag_reason]  # fmt: skip
_RATER = 2  # a code's rater id in _CODE_COLUMNS


def study_tables(project: Project, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    require_role(project, LEAD_OR_SUPERVISOR, "exporting every rater's codes")
    progress = progress_or_silent(progress)
    exported_at = datetime.now(UTC).isoformat(timespec="seconds")
    segment_columns: dict[str, list] = {name: [] for name in SEGMENT_TABLE}
    layouts: dict[tuple[str, str], _Layout] = {}
    event_rows, summary_rows = [], []
    snapshot = Snapshot.read(project)  # what the summaries need, of every session at once
    with project.read() as db:
        raters = {r.id: r for r in db.scalars(select(Rater))}
        sessions = db.scalars(select(Session)).all()
        codes_by_session: dict[str, list] = {}
        for c in raw_rows(db, select(*_CODE_COLUMNS)):  # the driver's tuples (_CODE_COLUMNS)
            codes_by_session.setdefault(c[1], []).append(c)
        ratings_by_session: dict[str, list] = {}
        for r in named_rows(db, select(SegmentRating.session_id, SegmentRating.segment_id, SegmentRating.rater_id,
                                        SegmentRating.rating_id, SegmentRating.value, SegmentRating.is_na)):  # fmt: skip
            ratings_by_session.setdefault(r.session_id, []).append(r)
        # the rest of every session, in grouped queries rather than a few per session
        core = db.connection()
        utterances_of: dict[str, list] = {}
        for u in named_rows(
            db, select(Utterance.session_id, Utterance.id, Utterance.position, Utterance.start_s,
                       Utterance.end_s).order_by(Utterance.session_id, Utterance.position)
        ):  # fmt: skip
            utterances_of.setdefault(u.session_id, []).append(u)
        segments_of: dict[str, list[queries.SegmentRow]] = {}
        for g in core.execute(select(*SEGMENT_COLUMNS).order_by(Segment.session_id, Segment.index)):
            segments_of.setdefault(g.session_id, []).append(queries.SegmentRow(*g))
        names_of: dict[str, dict[str, str]] = {}
        for pid, sid, pseudonym in core.execute(
            select(Participant.id, Participant.session_id, Participant.pseudonym)
        ):
            names_of.setdefault(sid, {})[pid] = pseudonym
        cbs = {
            key: stored_codebook(db, *key)
            for key in {(s.codebook_id, s.codebook_version) for s in sessions}
        }
    rater_name = {rid: r.name for rid, r in raters.items()}
    for k, s in enumerate(sessions):
        progress.step(k, len(sessions), f"session {k + 1} of {len(sessions)}")
        cb = cbs[(s.codebook_id, s.codebook_version)]
        sid, title = s.id, s.title  # plain values: read for every code and segment row
        rows = utterances_of.get(s.id, [])
        position = {u.id: u.position for u in rows}
        segs = segments_of.get(s.id, [])
        names = names_of.get(s.id, {})
        codes = codes_by_session.get(s.id, [])
        ratings = ratings_by_session.get(s.id, [])
        coded = sorted({c[_RATER] for c in codes} | {r.rater_id for r in ratings})
        context = snapshot.context(s.id) if coded else None
        kind_of = {i.id: (c.rupture_type, i.kind.value) for c in cb.categories for i in c.items}
        per_segment: dict[tuple, dict] = {}
        seg_by_id = {seg.id: seg for seg in reversed(segs)}  # the first of an id, as locate_segment
        for (code_id, _sid, rater_id, cb_id, cb_version, item_id, segment_id, first_id, last_id, start_s,
             end_s, count, value, actor_id, target_id, level, note, flagged, flag_reason) in codes:  # fmt: skip
            first = position.get(first_id)
            seg = (
                seg_by_id.get(segment_id)
                if segment_id is not None
                else locate_segment(segs, None, first, start_s)
            )
            last = position.get(last_id or first_id)
            start = start_s if start_s is not None else (rows[first].start_s if first is not None else None)  # fmt: skip
            end = end_s if end_s is not None else (rows[last].end_s if last is not None else None)
            event_rows.append((
                cb_id, cb_version, rater_name[rater_id], rater_id, title, sid, code_id, item_id,
                kind_of.get(item_id, ("other", ""))[0], seg.index + 1 if seg else None, first_id,
                last_id or first_id, first, last, start, end, count, value, names.get(actor_id),
                names.get(target_id) or ("group" if level and level.endswith("group") else None),
                level, note, bool(flagged), flag_reason,
            ))  # fmt: skip
            if seg is not None:
                agg = per_segment.setdefault(
                    (rater_id, seg.id, item_id), {"count": 0, "value": None}
                )
                agg["count"] += count
                agg["value"] = value if value is not None else agg["value"]
        # The segments table, column by column (a 1,000-session study has ~850,000 rows): each
        # segment has the same rows (the items, then the segment ratings) with their defaults,
        # and only the rows a code or a rating touches differ.
        layout = layouts.get((cb.id, cb.version))
        if layout is None:
            layout = layouts[(cb.id, cb.version)] = _Layout(cb, kind_of)
        width = len(layout.items)
        where = {seg.id: k * width for k, seg in enumerate(segs)}  # segment -> its first row
        block = len(segs) * width
        repeated: dict[str, list] = {
            "segment": [seg.index + 1 for seg in segs for _ in range(width)],
            "segment_start_s": [seg.start_s for seg in segs for _ in range(width)],
            "segment_end_s": [seg.end_s for seg in segs for _ in range(width)],
            "partial": [seg.partial for seg in segs for _ in range(width)],
        }
        for rater_id in coded:
            for value, name in ((cb.id, "codebook_id"), (cb.version, "codebook_version"),
                                (rater_name[rater_id], "rater"), (rater_id, "rater_id"),
                                (title, "session"), (sid, "session_id")):  # fmt: skip
                segment_columns[name].extend([value] * block)
            for name, per_row in repeated.items():
                segment_columns[name].extend(per_row)
            for name in ("item", "category", "kind"):
                segment_columns[name].extend(layout.columns[name] * len(segs))
            values, na = layout.values * len(segs), [False] * block
            for (rid, seg_id, item_id), agg in per_segment.items():
                at = layout.item_row.get(item_id)
                if rid == rater_id and at is not None:
                    kind = layout.kinds[at]
                    values[where[seg_id] + at] = (
                        agg["value"] if kind == "rating" else agg["count"] if kind == "count" else 1
                    )
            for r in ratings:
                at = layout.rating_row.get(r.rating_id)
                if r.rater_id == rater_id and at is not None and r.segment_id in where:
                    values[where[r.segment_id] + at] = r.value
                    na[where[r.segment_id] + at] = bool(r.is_na)
            segment_columns["value"].extend(values)
            segment_columns["na"].extend(na)
        for rater_id in coded:
            summary = session_summary(
                project, s.id, rater_id, context, snapshot.rater_data(s.id, rater_id)
            )
            row = {"codebook_id": cb.id, "codebook_version": cb.version, "rater_id": rater_id}
            summary_rows.append(row | summary.to_row())
    segments = _frame(segment_columns, SEGMENT_TABLE)
    if not segments.empty:
        segments["value"] = segments["value"].astype(
            "Int64"
        )  # presence, counts and ratings are whole numbers
    return {
        "segments": _stamp(segments, exported_at),
        "events": _stamp(
            pd.DataFrame.from_records(event_rows, columns=EVENT_TABLE)
            if event_rows
            else pd.DataFrame(),
            exported_at,
        ),
        "summaries": _stamp(pd.DataFrame(summary_rows), exported_at),
    }


class _Layout:
    """The rows of one segment in the segments table under one codebook: its items, then its
    segment ratings, and each row's value when nothing was coded or rated."""

    def __init__(self, cb, kind_of: Mapping[str, tuple[str, str]]):
        items = [(i.id, kind_of[i.id][0], i.kind.value) for i in cb.items()]
        definitions = [d.id for d in cb.ratings_for(Scope.SEGMENT)]
        self.items = [i for i, _c, _k in items] + definitions
        self.kinds = [k for _i, _c, k in items] + ["rating"] * len(definitions)
        self.columns = {
            "item": self.items,
            "category": [c for _i, c, _k in items] + ["rating"] * len(definitions),
            "kind": self.kinds,
        }
        # an item not coded: no value for a rating item, else 0 (count) or absent (presence)
        self.values: list = [None if k == "rating" else 0 for _i, _c, k in items]
        self.values += [None] * len(definitions)
        self.item_row = {item: k for k, (item, _c, _k) in enumerate(items)}
        self.rating_row = {d: len(items) + k for k, d in enumerate(definitions)}


def _frame(columns: dict[str, list], names: list[str]) -> pd.DataFrame:
    """The table as ``pd.DataFrame.from_records`` makes it from the rows (the same dtypes)."""
    if not columns[names[0]]:
        return pd.DataFrame.from_records([], columns=names)
    return pd.DataFrame({name: columns[name] for name in names}, columns=names)


def export_study(
    project: Project, out_dir: Path, fmt: str = "csv", progress: Progress | None = None
) -> list[Path]:
    """The three tables as CSV or XLSX files in ``out_dir``, all or none: cancelling
    (``progress``) at any moment before the last file is written changes no file."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError("format is csv or xlsx")
    progress = progress_or_silent(progress)
    tables = study_tables(project, progress)
    progress.step(0, len(tables), f"writing the {fmt.upper()} files")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudyError(
            f"{out_dir}: cannot make the export folder ({exc.strerror}); nothing was written"
        ) from None
    paths = [out_dir / f"{name}.{fmt}" for name in tables]
    writes = [
        (path, table_writer(df, path)) for path, df in zip(paths, tables.values(), strict=True)
    ]

    def before(path: Path | None) -> None:  # a cancel here leaves every file as it was
        if path is None:
            progress.check()  # all written, none in place yet
        else:
            progress.step(paths.index(path), len(paths), f"writing {path.name}")

    try:
        atomic_write_all(writes, before)
    except OSError as exc:  # a read-only folder, a full disk: the old files are intact
        raise StudyError(
            f"{out_dir}: cannot write the export ({exc.strerror or exc}); nothing was written"
        ) from None
    return paths
