"""Synthetic projects for the benchmarks, built fast: sessions through the app's own CreateSession
command (so transcripts and segments are what an import makes), many in one transaction and
without the audit log, and codes and ratings by bulk insert. Benchmark set-up only."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from rupture_coder.domain import ParsedSession, ParsedUtterance
from rupture_coder.resources import default_codebook_path
from rupture_coder.services import ProjectService
from rupture_coder.services.project import AddRater, RegisterCodebook
from rupture_coder.services.recorder import bulk_insert
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.db import Project, open_project
from rupture_coder.store.models import CodeEvent, Segment, SegmentRating, Utterance, new_id, utcnow

CB = ("3rs-individual", "1.0.0")
WITHDRAWAL = [f"W{i}" for i in range(1, 8)]
CONFRONTATION = [f"C{i}" for i in range(1, 8)]
RESOLUTION = [f"R{i}" for i in range(1, 12)]
ITEMS = WITHDRAWAL + CONFRONTATION + RESOLUTION
HOTKEYS = dict(zip("1234567QWERTYU", WITHDRAWAL + CONFRONTATION, strict=True))


def new_project(folder: Path | None = None, name: str = "bench.rcproj", raters: int = 1):
    """(path, open project, service, rater ids) with the individual codebook registered."""
    path = (folder or Path(tempfile.mkdtemp(prefix="rc-bench-"))) / name
    project = open_project(path)
    svc = ProjectService(project, "bench")
    svc.run(RegisterCodebook(default_codebook_path().read_text(), "cb"))
    ids = [svc.run(AddRater(f"coder {r + 1}")).result.id for r in range(raters)]
    return path, project, svc, ids


def utterances(n: int, step_s: float | None = 2.16, words: int = 6) -> list[ParsedUtterance]:
    return [
        ParsedUtterance(
            "T" if i % 2 else "P",
            f"utterance {i}: " + "some words " * (words + i % 9),
            None if step_s is None else i * step_s,
        )
        for i in range(n)
    ]


def add_sessions(
    project: Project, sessions: list[ParsedSession], segment_utterances: int | None = None
) -> list[str]:
    """Create the sessions in one transaction through CreateSession, unaudited (set-up only)."""
    ids = []
    with project.new_session() as db, db.begin():
        for parsed in sessions:
            cmd = CreateSession(
                parsed, CB, segment_length_s=0.0 if segment_utterances else None,
                segment_utterances=segment_utterances,
            )  # fmt: skip
            ids.append(cmd.apply(db).id)
    return ids


def insert_rows(project: Project, model, rows: list[dict]) -> None:
    with project.new_session() as db, db.begin():
        for k in range(0, len(rows), 20_000):
            bulk_insert(db, model, rows[k : k + 20_000])


def code_row(session_id: str, rater_id: str, item: str, utterance_id: str | None = None,
             segment_id: str | None = None) -> dict:  # fmt: skip
    now = utcnow()
    return {"id": new_id(), "session_id": session_id, "rater_id": rater_id, "codebook_id": CB[0],
            "codebook_version": CB[1], "item_id": item, "segment_id": segment_id,
            "first_utterance_id": utterance_id, "last_utterance_id": None, "start_s": None, "end_s": None,
            "count": 1, "value": None, "actor_id": None, "target_id": None, "level": None, "note": "",
            "flagged": False, "flag_reason": "", "created_at": now, "updated_at": now}  # fmt: skip


def rating_row(session_id: str, segment_id: str, rater_id: str, rating: str, value: int) -> dict:
    return {"id": new_id(), "session_id": session_id, "segment_id": segment_id, "rater_id": rater_id,
            "codebook_id": CB[0], "codebook_version": CB[1], "rating_id": rating, "value": value,
            "is_na": False, "note": "", "updated_at": utcnow()}  # fmt: skip


def utterance_ids(project: Project, session_id: str) -> list[str]:
    from sqlalchemy import select

    with project.read() as db:
        return list(
            db.scalars(
                select(Utterance.id).filter_by(session_id=session_id).order_by(Utterance.position)
            )
        )


def utterance_ids_by_session(project: Project) -> dict[str, list[str]]:
    from sqlalchemy import select

    out: dict[str, list[str]] = {}
    with project.read() as db:
        rows = db.execute(
            select(Utterance.session_id, Utterance.id).order_by(
                Utterance.session_id, Utterance.position
            )
        )
        for sid, uid in rows:
            out.setdefault(sid, []).append(uid)
    return out


def big_session(
    n_utt: int, n_codes: int, items: list[str] | None = None, folder: Path | None = None
) -> tuple[Path, str, str]:
    """One session of ``n_utt`` timed utterances with ``n_codes`` codes of one rater, at most one
    per item and utterance: code k sits on utterance k mod n, its item cycles through ``items``."""
    items = items or ITEMS
    path, project, _svc, (rater,) = new_project(folder)
    (sid,) = add_sessions(project, [ParsedSession("3-hour session", utterances(n_utt))])
    ids = utterance_ids(project, sid)
    if n_codes > n_utt * len(items):
        raise ValueError("more codes than (utterance, item) places")
    rows = []
    for k in range(n_codes):
        u, j = k % n_utt, k // n_utt
        rows.append(code_row(sid, rater, items[(u + j) % len(items)], ids[u]))
    insert_rows(project, CodeEvent, rows)
    project.close()
    return path, rater, sid


def study_project(
    n_sessions: int, raters: int = 3, segments: int = 10, per_segment: int = 5, seed: int = 1
) -> Path:
    """Sessions of untimed transcripts cut every ``per_segment`` utterances; per segment and rater
    each item present with p 0.2 (raters agreeing 90% of the time) and one impact rating."""
    rng = np.random.default_rng(seed)
    path, project, _svc, rater_ids = new_project(name="study.rcproj", raters=raters)
    parsed = [
        ParsedSession(f"session {s}", utterances(segments * per_segment, None, 2))
        for s in range(n_sessions)
    ]
    sids = []
    for k in range(0, len(parsed), 500):
        sids += add_sessions(project, parsed[k : k + 500], segment_utterances=per_segment)
    from sqlalchemy import select

    with project.read() as db:
        segs = db.execute(select(Segment.id, Segment.session_id)).all()
    codes, ratings = [], []
    for seg_id, sid in segs:
        truth = rng.random(len(ITEMS)) < 0.2
        for r in rater_ids:
            seen = np.where(rng.random(len(ITEMS)) < 0.9, truth, ~truth)
            codes += [
                code_row(sid, r, item, segment_id=seg_id)
                for item, p in zip(ITEMS, seen, strict=True)
                if p
            ]
            ratings.append(rating_row(sid, seg_id, r, "withdrawal_impact", int(rng.integers(1, 6))))  # fmt: skip
    insert_rows(project, CodeEvent, codes)
    insert_rows(project, SegmentRating, ratings)
    project.close()
    return path
