"""Import speed: the AnnoMI corpus (133 sessions, 9,699 utterances) and a synthetic 3-hour session."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.common import SHARED, Figure
from rupture_coder.services import ProjectService
from rupture_coder.services.imports import plan_import, run_import
from rupture_coder.store.db import open_project

ANNOMI = SHARED / "data" / "annomi" / "AnnoMI-simple.csv"


def synthetic_session(path: Path, n: int = 5000, hours: float = 3.0) -> Path:
    step = hours * 3600 / n
    lines = ["# Synthetic 3-hour session"]
    for i in range(n):
        t = i * step
        who = "T" if i % 2 else "P"
        lines.append(
            f"[{int(t // 3600):02d}:{int(t // 60 % 60):02d}:{t % 60:06.3f}] {who}: utterance {i} "
            + "words " * 12
        )
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def time_import(files: list[Path], repeat: int = 5) -> tuple[float, float, int, int]:
    """Median seconds for read+plan and for the write, over fresh projects."""
    plans, writes = [], []
    for _ in range(repeat):
        project = open_project(Path(tempfile.mkdtemp()) / "bench.rcproj")
        t0 = time.perf_counter()
        plan = plan_import(project, files)
        t1 = time.perf_counter()
        run_import(ProjectService(project, "bench"), plan, "repair")
        writes.append(time.perf_counter() - t1)
        plans.append(t1 - t0)
        project.close()
    return statistics.median(plans), statistics.median(writes), len(plan.sessions), plan.utterances


def run() -> list[Figure]:
    out = []
    if ANNOMI.exists():
        read, write, n, u = time_import([ANNOMI])
        out.append(Figure("import AnnoMI-simple.csv: read and check", f"{n} sess., {u:,} utt.", read, "s",
                          reference="work"))  # fmt: skip
        out.append(Figure("  write (one command, audited)", "", write, "s", reference="work"))
        out.append(Figure("  total", "", read + write, "s", 3.0, reference="work"))
    else:
        out.append(Figure("import AnnoMI-simple.csv", "", None, "s", note="corpus absent"))
    path = synthetic_session(Path(tempfile.mkdtemp()) / "synthetic-3h.txt")
    read, write, _n, u = time_import([path])
    out.append(Figure("import a 3-hour text transcript: read and check", f"{u:,} utt.", read, "s",
                      reference="work"))  # fmt: skip
    out.append(Figure("  write", "", write, "s", reference="work"))
    return out
