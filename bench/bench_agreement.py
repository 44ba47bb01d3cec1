"""Every statistic for a study of 200 sessions x 3 raters x 10 segments x 25 items (target < 2 s)."""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from bench.common import Figure
from rupture_coder.agreement import analyze, from_long
from rupture_coder.domain import ParsedSession, ParsedUtterance
from rupture_coder.resources import default_codebook_path
from rupture_coder.services import ProjectService
from rupture_coder.services.project import AddRater, RegisterCodebook
from rupture_coder.services.recorder import bulk_insert
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.db import open_project
from rupture_coder.store.models import CodeEvent, Segment, SegmentRating, utcnow
from rupture_coder.study.tables import load_study

SESSIONS, RATERS, SEGMENTS = 200, 3, 10
ITEMS = (
    [f"W{i}" for i in range(1, 8)]
    + [f"C{i}" for i in range(1, 8)]
    + [f"R{i}" for i in range(1, 12)]
)
CB = ("3rs-individual", "1.0.0")


def synthetic_tables(rng, sessions: int = SESSIONS, items: int = len(ITEMS)) -> list[pd.DataFrame]:
    """Per item: presence in each segment, raters agreeing most of the time."""
    tables = []
    units = [f"s{s}#{g}" for s in range(sessions) for g in range(SEGMENTS)]
    session = [f"s{s}" for s in range(sessions) for _ in range(SEGMENTS)]
    for _item in range(items):
        truth = rng.random(len(units)) < 0.2
        rows = []
        for r in range(RATERS):
            seen = np.where(rng.random(len(units)) < 0.9, truth, ~truth)
            rows.append(pd.DataFrame({"unit": units, "rater": f"r{r}", "value": seen.astype(int),
                                      "session": session}))  # fmt: skip
        tables.append(pd.concat(rows))
    return tables


def time_statistics(tables: list[pd.DataFrame], repeat: int = 3, bootstrap: int = 0) -> float:
    """All statistics on every table; with ``bootstrap``, also the session bootstrap CIs."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for df in tables:
            cluster = "session" if bootstrap else None
            analyze(
                from_long(df, level="nominal", categories=[0, 1], cluster=cluster),
                bootstrap=bootstrap,
            )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_ratings(rng, units: int, repeat: int = 3) -> float:
    """One 1-5 rating by 3 raters at the interval level: all statistics with the six ICCs."""
    truth = rng.integers(1, 6, units)
    vals = np.clip(truth + rng.integers(-1, 2, size=(RATERS, units)), 1, 5)
    df = pd.DataFrame({"unit": np.tile(np.arange(units), RATERS), "rater": np.repeat(np.arange(RATERS), units),
                       "value": vals.ravel()})  # fmt: skip
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        analyze(from_long(df, level="interval", categories=[1, 2, 3, 4, 5]))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_events(rng, n: int, repeat: int = 3) -> float:
    """Aligning two raters' n point events each, onset tolerance 2 s, and both kappas."""
    from rupture_coder.agreement.events import Event, event_kappa, match_events, time_kappa

    onsets = np.sort(rng.uniform(0, n * 6, n))
    cats = [f"W{i}" for i in range(1, 8)]
    a = [Event(f"a{i}", cats[i % 7], t, t) for i, t in enumerate(onsets)]
    b = [Event(f"b{i}", cats[i % 7] if rng.random() < 0.8 else "C1", t + rng.normal(), t + 1)
         for i, t in enumerate(onsets) if rng.random() < 0.9]  # fmt: skip
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        event_kappa(match_events(a, b, "onset", 2.0))
        time_kappa(a, b, tolerance_s=2.0)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


@dataclass
class _BulkCodes:
    """Benchmark set-up only: many codes and ratings in one command (bulk insert)."""

    codes: list[dict]
    ratings: list[dict]
    command_name: ClassVar[str] = "bench codes"

    def describe(self) -> str:
        return "benchmark codes"

    def apply(self, db):
        bulk_insert(db, CodeEvent, self.codes)
        bulk_insert(db, SegmentRating, self.ratings)


def build_project(rng) -> Path:
    path = Path(tempfile.mkdtemp()) / "study.rcproj"
    project = open_project(path)
    svc = ProjectService(project, "bench")
    svc.run(RegisterCodebook(default_codebook_path().read_text(), "cb"))
    raters = [svc.run(AddRater(f"rater {r}")).result.id for r in range(RATERS)]
    codes, ratings = [], []
    for s in range(SESSIONS):
        utts = [
            ParsedUtterance("T" if i % 2 else "P", f"u{i}", i * 30.0) for i in range(SEGMENTS * 10)
        ]
        session = svc.run(CreateSession(ParsedSession(f"session {s}", utts), CB)).result
        with project.read() as db:
            segs = db.query(Segment).filter_by(session_id=session.id).all()
        for seg in segs:
            truth = rng.random(len(ITEMS)) < 0.2
            for r in raters:
                seen = np.where(rng.random(len(ITEMS)) < 0.9, truth, ~truth)
                for item, present in zip(ITEMS, seen, strict=True):
                    if present:
                        codes.append(_code(session.id, r, item, seg.id))
                ratings.append(_rating(session.id, seg.id, r, int(rng.integers(1, 6))))
    svc.run(_BulkCodes(codes, ratings))
    project.close()
    return path


def _code(session_id, rater_id, item, segment_id) -> dict:
    from rupture_coder.store.models import new_id

    now = utcnow()
    return {"id": new_id(), "session_id": session_id, "rater_id": rater_id, "codebook_id": CB[0], "codebook_version": CB[1],
            "item_id": item, "segment_id": segment_id, "first_utterance_id": None, "last_utterance_id": None,
            "start_s": None, "end_s": None, "count": 1, "value": None, "actor_id": None, "target_id": None,
            "level": None, "note": "", "flagged": False, "flag_reason": "", "created_at": now, "updated_at": now}  # fmt: skip


def _rating(session_id, segment_id, rater_id, value) -> dict:
    from rupture_coder.store.models import new_id

    return {"id": new_id(), "session_id": session_id, "segment_id": segment_id, "rater_id": rater_id,
            "codebook_id": CB[0], "codebook_version": CB[1], "rating_id": "withdrawal_impact", "value": value,
            "is_na": False, "note": "", "updated_at": utcnow()}  # fmt: skip


def time_project(path: Path, unit: str, repeat: int = 3) -> tuple[float, float]:
    project = open_project(path)
    loads, stats = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        study = load_study(project, unit)
        t1 = time.perf_counter()
        for table in study.tables:
            analyze(from_long(table.data, level=table.level, categories=table.categories))
        stats.append(time.perf_counter() - t1)
        loads.append(t1 - t0)
    project.close()
    return statistics.median(loads), statistics.median(stats)


def time_use_case(path: Path, unit: str, repeat: int = 3) -> float:
    """The whole use case as the CLI, dashboard and report run it: tables, every statistic, the
    methods sentences and the 1,000-resample session bootstrap."""
    from rupture_coder.study.agreement import ProjectAgreementQuery, project_agreement

    project = open_project(path)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        project_agreement(project, ProjectAgreementQuery(unit=unit))
        times.append(time.perf_counter() - t0)
    project.close()
    return statistics.median(times)


def run() -> list[Figure]:
    rng = np.random.default_rng(1)
    tables = synthetic_tables(rng)
    out = [Figure("all statistics on tidy tables", "25 items x 2,000 units x 3 raters",
                  time_statistics(tables), "s", 2.0, reference="work")]  # fmt: skip
    out.append(Figure("  the same with 1,000-resample session bootstrap CIs",
                      "25 items x 2,000 units x 3 raters", time_statistics(tables, bootstrap=1000), "s",
                      reference="work"))  # fmt: skip
    big = synthetic_tables(rng, sessions=SESSIONS * 10, items=1)
    out.append(
        Figure("one item, no bootstrap (10x)", "20,000 units x 3 raters", time_statistics(big), "s")
    )
    out.append(Figure("  with 1,000 bootstrap resamples", "20,000 units x 3 raters",
                      time_statistics(big, bootstrap=1000), "s"))  # fmt: skip
    huge = synthetic_tables(rng, sessions=SESSIONS * 100, items=1)
    out.append(
        Figure(
            "one item, no bootstrap (100x)",
            "200,000 units x 3 raters",
            time_statistics(huge, 1),
            "s",
        )
    )
    out.append(Figure("  with 1,000 bootstrap resamples", "200,000 units x 3 raters",
                      time_statistics(huge, 1, 1000), "s"))  # fmt: skip
    for units in (2_000, 20_000, 200_000):
        out.append(Figure("1-5 rating, all statistics + six ICCs", f"{units:,} units x 3 raters",
                          time_ratings(rng, units, 3 if units < 200_000 else 1), "s"))  # fmt: skip
    for n in (1_000, 10_000):
        out.append(Figure("events: align, event + time kappa", f"{n:,} + ~{int(n * 0.9):,} point events",
                          time_events(rng, n, 3 if n < 10_000 else 1), "s"))  # fmt: skip
    path = build_project(rng)
    load, stats = time_project(path, "segment-presence")
    out.append(Figure("agreement on a project, segment presence", "200 sess. x 3 raters",
                      load + stats, "s", 2.0, reference="work",
                      note=f"load {load:.2f} s + statistics {stats:.2f} s"))  # fmt: skip
    load, stats = time_project(path, "segment-rating")
    out.append(Figure("  segment ratings, six ICCs", "200 sess. x 3 raters", load + stats, "s",
                      reference="work"))  # fmt: skip
    out.append(Figure("  use case with session bootstrap: segment presence", "200 sess. x 3 raters",
                      time_use_case(path, "segment-presence"), "s", reference="work"))  # fmt: skip
    out.append(Figure("  use case with session bootstrap: segment ratings", "200 sess. x 3 raters",
                      time_use_case(path, "segment-rating"), "s", reference="work"))  # fmt: skip
    return out
