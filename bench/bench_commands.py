"""Command latency in a big session: a 3-hour, 5,000-utterance session with 2,000 codes."""

from __future__ import annotations

import itertools
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.common import Figure, median_p95, timed_ms
from rupture_coder.domain import ParsedSession, ParsedUtterance
from rupture_coder.resources import default_codebook_path
from rupture_coder.services import ProjectService
from rupture_coder.services.coding import AddCode, CodeSpec, SetRating
from rupture_coder.services.project import AddRater, RegisterCodebook
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.db import open_project
from rupture_coder.store.models import Segment, Utterance

CB = ("3rs-individual", "1.0.0")
N_UTT, N_CODES = 5000, 2000


def run() -> list[Figure]:
    out = []
    path = Path(tempfile.mkdtemp()) / "bench.rcproj"
    project = open_project(path)
    svc = ProjectService(project, "bench")
    svc.run(RegisterCodebook(default_codebook_path().read_text(), "cb"))
    utts = [
        ParsedUtterance("T" if i % 2 else "P", f"utterance {i} " * 8, i * 2.16)
        for i in range(N_UTT)
    ]
    t0 = time.perf_counter()
    session = svc.run(CreateSession(ParsedSession("big", utts), CB)).result
    out.append(Figure("create a session (one command)", "5,000 utterances", time.perf_counter() - t0,
                      "s", reference="work"))  # fmt: skip
    rater = svc.run(AddRater("bench")).result
    with project.read() as db:
        ids = db.scalars(
            select(Utterance.id).filter_by(session_id=session.id).order_by(Utterance.position)
        ).all()
        segs = db.scalars(select(Segment.id).filter_by(session_id=session.id)).all()
    items = itertools.cycle([f"W{i}" for i in range(1, 8)] + [f"C{i}" for i in range(1, 8)])
    positions = itertools.count()
    for _ in range(N_CODES):
        svc.run(
            AddCode(session.id, rater.id, CB, CodeSpec(next(items), ids[next(positions) % N_UTT]))
        )
    med, p95 = median_p95(timed_ms(
        lambda: svc.run(AddCode(session.id, rater.id, CB, CodeSpec(next(items), ids[next(positions) % N_UTT]))),
        100,
    ))  # fmt: skip
    out.append(Figure("AddCode command", "2,000 codes", med, "ms", p95=p95, reference="work"))
    values = itertools.cycle(range(1, 6))
    med, p95 = median_p95(timed_ms(
        lambda: svc.run(SetRating(rater.id, CB, "withdrawal_impact", next(values), segment_id=segs[0])), 100
    ))  # fmt: skip
    out.append(Figure("SetRating command", "", med, "ms", p95=p95, reference="work"))
    med, p95 = median_p95(timed_ms(lambda: (svc.undo(), svc.redo()), 50))
    out.append(Figure("undo + redo of the last command", "", med, "ms", p95=p95, reference="work"))
    project.close()
    t0 = time.perf_counter()
    open_project(path).close()
    out.append(Figure("open a project (schema check)", "", (time.perf_counter() - t0) * 1000, "ms",
                      reference="work"))  # fmt: skip
    out.append(
        Figure("project file size", "5,000 utt., 2,200 codes", path.stat().st_size / 1e6, "MB")
    )
    return out
