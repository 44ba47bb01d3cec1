"""The attack run: every damaged and hostile file of tests/hostile.py through the command line, each
as a separate process, as a user would run it. Counts tracebacks, refusals that do not name the
file, refusals that changed the project, and the slowest and largest cases.

    python -m bench.bench_hostile [--big] [--pythonpath SRC] [--json OUT] [--only PREFIX]

``--big``: the issue's sizes (bombs inflating to 1 GiB, 1M-deep nesting). ``--pythonpath``: run
another checkout's sources (to measure before and after a change). Each case runs under a 4 GiB
address-space limit so a runaway case cannot take the machine down; it then counts as a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import hostile  # noqa: E402

LIMIT_S = 120
MODULE = "rupture_coder"  # the ``rupture-coder`` command; --module for an older checkout
ADDRESS_SPACE = 4 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_cli(args: list[str], env: dict[str, str]) -> dict:
    """Run ``rupture-coder ARGS`` as a process; exit status, output, seconds and peak memory
    (the child's own maximum resident set, from wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", MODULE, *args], stdout=out,
                                stderr=err, env=env, preexec_fn=_limit_memory)  # fmt: skip
        timer = threading.Timer(LIMIT_S, proc.kill)
        timer.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"rc": proc.returncode, "out": out.read().decode("utf-8", "replace"),
                "err": err.read().decode("utf-8", "replace"), "seconds": elapsed,
                "rss_mb": usage.ru_maxrss / 1024, "killed": elapsed >= LIMIT_S,
                "cpu": usage.ru_utime + usage.ru_stime}  # fmt: skip


def counts(project: Path) -> tuple:
    con = sqlite3.connect(project)
    try:
        return tuple(
            con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("sessions", "utterances", "segments", "audit_log")
        )
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--pythonpath")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--only", default="")
    ap.add_argument(
        "--module", default=MODULE, help="the command's module (rupture_coder.cli before layout-v2)"
    )
    args = ap.parse_args(argv)
    globals()["MODULE"] = args.module
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    work = Path(tempfile.mkdtemp(prefix="hostile-"))
    env["XDG_DATA_HOME"] = str(work / "data")
    template = work / "template.rcproj"
    made = run_cli(
        ["import", str(hostile.SAMPLES / "individual-session-07.txt"), "--project", str(template)],
        env,
    )
    assert made["rc"] == 0, made["err"]
    base = counts(template)
    results = []
    try:
        for case in hostile.all_cases(big=args.big):
            if not case.name.startswith(args.only):
                continue
            target = work / case.filename
            target.write_bytes(case.data)
            project = work / "p.rcproj"
            shutil.copyfile(template, project)
            if case.name.startswith("codebook/"):
                cmd = ["codebook", "validate", str(target)]
            else:
                cmd = ["import", str(target), "--project", str(project), "--json"]
            r = run_cli(cmd, env)
            changed = r["rc"] != 0 and counts(project) != base
            results.append({
                "case": case.name, "bytes": len(case.data), "rc": r["rc"], "seconds": round(r["seconds"], 2), "cpu": round(r["cpu"], 2),
                "rss_mb": round(r["rss_mb"], 1), "traceback": "Traceback (most recent call last)" in r["err"],
                "named": r["rc"] == 0 or target.name in r["err"], "changed": changed, "killed": r["killed"],
                "last_line": (r["err"].strip().splitlines() or [""])[-1][:300],
            })  # fmt: skip
            flag = (
                "TRACEBACK" if results[-1]["traceback"] else ("ok" if r["rc"] == 0 else "refused")
            )
            print(f"{case.name:<45} {flag:<9} rc={r['rc']:<3} {r['seconds']:6.2f}s {r['rss_mb']:7.1f}MB  {results[-1]['last_line'][:90]}", flush=True)  # fmt: skip
            target.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(summary(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


def summary(results: list[dict]) -> str:
    lines = [f"{'format':<10} {'cases':>6} {'tracebk':>8} {'refused':>8} {'unnamed':>8} {'changed':>8} {'>10s':>5} {'max s':>7} {'max MB':>8}"]  # fmt: skip
    groups: dict[str, list[dict]] = {}
    for r in results:
        groups.setdefault(r["case"].split("/")[0], []).append(r)
    groups["ALL"] = results
    for name, rs in groups.items():
        lines.append(
            f"{name:<10} {len(rs):>6} {sum(r['traceback'] for r in rs):>8} {sum(r['rc'] != 0 for r in rs):>8} "
            f"{sum(not r['named'] for r in rs):>8} {sum(r['changed'] for r in rs):>8} "
            f"{sum(r['seconds'] > 10 for r in rs):>5} {max(r['seconds'] for r in rs):>7.2f} {max(r['rss_mb'] for r in rs):>8.1f}"
        )
    slow = max(results, key=lambda r: r["seconds"])
    big = max(results, key=lambda r: r["rss_mb"])
    lines.append(
        f"slowest: {slow['case']} {slow['seconds']} s; largest: {big['case']} {big['rss_mb']} MB"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
