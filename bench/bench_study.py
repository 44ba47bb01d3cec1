"""Study use cases at scale: agreement on 3,000 sessions x 3 raters, merging 200 rater packages of 20
sessions each, tidy exports of 1,000 sessions (CSV) and 200 sessions (XLSX)."""

from __future__ import annotations

import hashlib
import json
import secrets
import statistics
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench import build
from bench.common import Figure
from rupture_coder.domain import ParsedSession, ParsedUtterance
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import AddCode, CodeSpec, SetRating
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.db import backup_sqlite, open_project
from rupture_coder.store.models import Rater, RaterKey, new_id
from rupture_coder.study.agreement import ProjectAgreementQuery, project_agreement
from rupture_coder.study.exports import export_study
from rupture_coder.study.package_file import FORMAT, signature
from rupture_coder.study.packages import export_package, merge_packages

PACKAGES, PACKAGE_SESSIONS = 200, 20


def _repackage(source: Path, out: Path, k: int) -> tuple[str, str, str]:
    """A copy of a package as another rater: new rater id and name, new code and rating ids, signed
    with a new key; returns (rater id, name, key) for the lead's project to issue."""
    with zipfile.ZipFile(source) as z:
        data = json.loads(z.read("data.json"))
    rid, name, secret = new_id(), f"coder {k:03d}", secrets.token_hex(32)
    data["rater"] |= {"id": rid, "name": name}
    for rows in data["rows"].values():
        for row in rows:
            row["id"], row["rater_id"] = new_id(), rid
    payload = json.dumps(data, sort_keys=True).encode()
    manifest = {"format": FORMAT, "rater": {"id": rid, "name": name}, "sessions": len(data["sessions"]),
                "codes": len(data["rows"]["code_events"]), "created": datetime.now(UTC).isoformat(),
                "sha256": hashlib.sha256(payload).hexdigest()}  # fmt: skip
    manifest["signature"] = signature(secret, manifest, payload)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("data.json", payload)
    return rid, name, secret


def _issue(project_path: Path, raters: list[tuple[str, str, str]]) -> None:
    """What handing out coder copies leaves in a project: each rater, and the key issued to them."""
    project = open_project(project_path)
    with project.new_session() as db, db.begin():
        for rid, name, secret in raters:
            db.add(Rater(id=rid, name=name, role="coder"))
            db.flush()
            db.add(RaterKey(rater_id=rid, secret=secret))
    project.close()


def build_packages(n_packages: int = PACKAGES, n_sessions: int = PACKAGE_SESSIONS):
    """The lead's project (``n_sessions`` sessions of 150 utterances) and ``n_packages`` packages of
    coders who each coded every session (25 codes and a rating per segment in each)."""
    tmp = Path(tempfile.mkdtemp(prefix="rc-bench-"))
    lead_path, lead, svc, _ = build.new_project(tmp, "lead.rcproj", raters=0)
    for s in range(n_sessions):
        utts = [
            ParsedUtterance("T" if i % 2 else "P", f"utterance {i}", i * 6.0) for i in range(150)
        ]
        svc.run(CreateSession(ParsedSession(f"session {s}", utts), build.CB))
    lead.close()
    coder_path = backup_sqlite(lead_path, tmp / "coder.rcproj")
    rater = new_id()
    _issue(coder_path, [(rater, "coder", secrets.token_hex(32))])
    coder = open_project(coder_path)
    csvc = ProjectService(coder, "coder")
    rng = np.random.default_rng(3)
    for info in queries.list_sessions(coder):
        rows = queries.transcript(coder, info.id)
        for pos in sorted(rng.choice(len(rows), 25, replace=False)):
            csvc.run(
                AddCode(info.id, rater, build.CB, CodeSpec(build.ITEMS[pos % 25], rows[pos].id))
            )
        for seg in queries.segments(coder, info.id):
            csvc.run(SetRating(rater, build.CB, "withdrawal_impact", int(rng.integers(1, 6)), segment_id=seg.id))  # fmt: skip
    export_package(coder, rater, tmp / "coder.rcpkg")
    coder.close()
    paths, issued = [], []
    for k in range(n_packages):
        issued.append(_repackage(tmp / "coder.rcpkg", tmp / f"coder-{k:03d}.rcpkg", k))
        paths.append(tmp / f"coder-{k:03d}.rcpkg")
    _issue(lead_path, issued)
    return lead_path, paths


def time_merge(lead_path: Path, packages: list[Path], repeat: int = 3) -> tuple[list, list, int]:
    merges, again, rows = [], [], 0
    for k in range(repeat):
        copy = backup_sqlite(lead_path, lead_path.with_name(f"lead-{k}.rcproj"))
        project = open_project(copy)
        svc = ProjectService(project, "lead")
        t0 = time.perf_counter()
        result = merge_packages(svc, packages)
        merges.append(time.perf_counter() - t0)
        rows = result[-1]["changed_rows"]
        t0 = time.perf_counter()
        merge_packages(svc, packages)
        again.append(time.perf_counter() - t0)
        project.close()
    return merges, again, rows


def time_agreement(path: Path, unit: str, repeat: int = 3) -> tuple[float, int]:
    project = open_project(path)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = project_agreement(project, ProjectAgreementQuery(unit))
        times.append(time.perf_counter() - t0)
    project.close()
    return statistics.median(times), result.n_units


def time_export(path: Path, fmt: str, repeat: int = 3) -> float:
    project = open_project(path)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        export_study(project, Path(tempfile.mkdtemp(prefix="rc-bench-")), fmt)
        times.append(time.perf_counter() - t0)
    project.close()
    return statistics.median(times)


PARTS = ("agreement", "merge", "export")


def run(parts: list[str] | None = None) -> list[Figure]:
    """Every figure, or only those of ``parts`` (of PARTS)."""
    unknown = sorted(set(parts or ()) - set(PARTS))
    if unknown:
        raise ValueError(
            f"no part {', '.join(unknown)} of the study benchmark; its parts: {', '.join(PARTS)}"
        )
    wanted = set(parts or PARTS)
    out = []
    if "agreement" in wanted:
        big = build.study_project(3_000)
        for unit in ("segment-presence", "segment-rating"):
            seconds, units = time_agreement(big, unit)
            out.append(Figure(f"agreement, {unit}, every item", f"3,000 sess. x 3 raters ({units:,} units)",
                              seconds, "s", 10.0, reference="work"))  # fmt: skip
    if "merge" in wanted:
        lead, packages = build_packages()
        merges, again, rows = time_merge(lead, packages)
        out.append(Figure("merge rater packages (one command)", f"{PACKAGES} x {PACKAGE_SESSIONS} sess. ({rows:,} rows)",
                          statistics.median(merges), "s", 10.0, reference="work"))  # fmt: skip
        out.append(Figure("  the same packages again (no change)", f"{PACKAGES} packages",
                          statistics.median(again), "s", 10.0, reference="work"))  # fmt: skip
    if "export" in wanted:
        thousand = build.study_project(1_000, seed=2)
        out.append(Figure("export tidy tables, CSV", "1,000 sess. x 3 raters", time_export(thousand, "csv"),
                          "s", 10.0, reference="work"))  # fmt: skip
        two_hundred = build.study_project(200, seed=3)
        out.append(Figure("export tidy tables, XLSX", "200 sess. x 3 raters", time_export(two_hundred, "xlsx"),
                          "s", 10.0, reference="work"))  # fmt: skip
    return out
