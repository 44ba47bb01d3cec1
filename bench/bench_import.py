"""Import speed: the AnnoMI corpus (133 sessions, 9,699 utterances) and a synthetic 3-hour session."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.common import SHARED, Figure
from rupture_coder.domain import ParsedSession
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
    return out + codes_figures()


CODES_PER_SESSION = 5_000  # rows of CODES.csv per session (one rater coding a long session)


def codes_file(folder: Path, n_rows: int) -> tuple[Path, Path]:
    """A project with sessions of 5,000 utterances and a CODES.csv of ``n_rows`` codes, one per
    utterance, the items in turn (every 7th code spans 3 utterances; none overlaps another)."""
    from bench import build

    n_sessions = -(-n_rows // CODES_PER_SESSION)
    path, project, _svc, _ids = build.new_project(folder, raters=0)
    build.add_sessions(
        project,
        [ParsedSession(f"s{k:03d}", build.utterances(CODES_PER_SESSION + 3)) for k in range(n_sessions)],
        segment_utterances=150,
    )  # fmt: skip
    project.close()
    lines = ["session,item,utterance,last_utterance"]
    for i in range(n_rows):
        s, u = divmod(i, CODES_PER_SESSION)
        last = u + 3 if i % 7 == 0 else ""
        lines.append(f"s{s:03d},{build.ITEMS[u % len(build.ITEMS)]},{u + 1},{last}")
    csv = folder / "CODES.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, csv


def time_codes_import(n_rows: int, repeat: int = 3) -> float:
    """Median seconds of ``codes import`` (read, check and write, one command) of ``n_rows``."""
    from rupture_coder.store.db import backup_sqlite
    from rupture_coder.study.code_import import import_codes

    folder = Path(tempfile.mkdtemp(prefix="rc-bench-"))
    path, csv = codes_file(folder, n_rows)
    times = []
    for k in range(repeat):
        project = open_project(backup_sqlite(path, folder / f"copy-{k}.rcproj"))
        t0 = time.perf_counter()
        result = import_codes(ProjectService(project, "bench"), csv, None, rater="importer")
        times.append(time.perf_counter() - t0)
        assert result.codes == n_rows
        project.close()
    return statistics.median(times)


def codes_figures(sizes: tuple[int, ...] = (1_000, 10_000, 100_000)) -> list[Figure]:
    out = []
    for n in sizes:
        seconds = time_codes_import(n, repeat=3 if n < 100_000 else 1)
        out.append(Figure(f"codes import, {n:,} rows", f"{n / seconds:,.0f} rows/s",
                          seconds * 1000 / n, "ms", 0.5, reference="work",
                          note=f"{seconds:.2f} s in all"))  # fmt: skip
    return out
