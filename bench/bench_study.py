"""Merging 50 rater packages of 20 sessions each, and exporting a 200-session study."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from bench.bench_agreement import build_project
from rupture_coder.domain import ParsedSession, ParsedUtterance
from rupture_coder.resources import default_codebook_path
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import AddCode, CodeSpec, SetRating
from rupture_coder.services.project import AddRater, RegisterCodebook
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.db import backup_sqlite, open_project
from rupture_coder.store.models import new_id
from rupture_coder.study.exports import export_study
from rupture_coder.study.packages import FORMAT, export_package, merge_packages

CB = ("3rs-individual", "1.0.0")
ITEMS = (
    [f"W{i}" for i in range(1, 8)]
    + [f"C{i}" for i in range(1, 8)]
    + [f"R{i}" for i in range(1, 12)]
)


def _repackage(source: Path, out: Path, k: int) -> None:
    """A copy of a package as another rater: new rater id and name, new code and rating ids."""
    import hashlib

    with zipfile.ZipFile(source) as z:
        data = json.loads(z.read("data.json"))
    rid = new_id()
    data["rater"] |= {"id": rid, "name": f"coder {k:02d}"}
    for rows in data["rows"].values():
        for row in rows:
            row["id"], row["rater_id"] = new_id(), rid
    payload = json.dumps(data, sort_keys=True).encode()
    manifest = {"format": FORMAT, "rater": {"id": rid, "name": f"coder {k:02d}"}, "sessions": len(data["sessions"]),
                "codes": len(data["rows"]["code_events"]), "sha256": hashlib.sha256(payload).hexdigest()}  # fmt: skip
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("data.json", payload)


def build_packages(n_packages: int = 50, n_sessions: int = 20) -> tuple[Path, list[Path]]:
    tmp = Path(tempfile.mkdtemp())
    lead = open_project(tmp / "lead.rcproj")
    svc = ProjectService(lead, "lead")
    svc.run(RegisterCodebook(default_codebook_path().read_text(), "cb"))
    for s in range(n_sessions):
        utts = [
            ParsedUtterance("T" if i % 2 else "P", f"utterance {i}", i * 6.0) for i in range(150)
        ]
        svc.run(CreateSession(ParsedSession(f"session {s}", utts), CB))
    lead.close()
    coder_path = backup_sqlite(tmp / "lead.rcproj", tmp / "coder.rcproj")
    coder = open_project(coder_path)
    csvc = ProjectService(coder, "coder")
    rater = csvc.run(AddRater("coder")).result.id
    rng = np.random.default_rng(3)
    for info in queries.list_sessions(coder):
        rows = queries.transcript(coder, info.id)
        for pos in sorted(rng.choice(len(rows), 25, replace=False)):
            csvc.run(AddCode(info.id, rater, CB, CodeSpec(ITEMS[pos % len(ITEMS)], rows[pos].id)))
        for seg in queries.segments(coder, info.id):
            csvc.run(
                SetRating(
                    rater, CB, "withdrawal_impact", int(rng.integers(1, 6)), segment_id=seg.id
                )
            )
    export_package(coder, rater, tmp / "coder.rcpkg")
    coder.close()
    paths = []
    for k in range(n_packages):
        _repackage(tmp / "coder.rcpkg", tmp / f"coder-{k:02d}.rcpkg", k)
        paths.append(tmp / f"coder-{k:02d}.rcpkg")
    return tmp / "lead.rcproj", paths


def run() -> list[tuple[str, str]]:
    out = []
    lead_path, packages = build_packages()
    merges, again = [], []
    for k in range(3):
        copy = backup_sqlite(lead_path, lead_path.with_name(f"lead-{k}.rcproj"))
        project = open_project(copy)
        svc = ProjectService(project, "lead")
        t0 = time.perf_counter()
        result = merge_packages(svc, packages)
        merges.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        merge_packages(svc, packages)
        again.append(time.perf_counter() - t0)
        project.close()
    out.append((f"merge 50 packages x 20 sessions ({result[-1]['changed_rows']} rows), one command",
                f"median {statistics.median(merges):.2f} s"))  # fmt: skip
    out.append(
        ("merge the same 50 packages again (no change)", f"median {statistics.median(again):.2f} s")
    )
    study = build_project(
        np.random.default_rng(1)
    )  # 200 sessions x 3 raters x 10 segments x 25 items
    project = open_project(study)
    for fmt in ("csv", "xlsx"):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            written = export_study(project, Path(tempfile.mkdtemp()), fmt)
            times.append(time.perf_counter() - t0)
        rows = written[0].read_text().count("\n") - 1 if fmt == "csv" else "-"
        out.append(
            (
                f"export a 200-session study, 3 raters, {fmt} ({rows} segment rows)",
                f"median {statistics.median(times):.2f} s",
            )
        )
    project.close()
    return out
