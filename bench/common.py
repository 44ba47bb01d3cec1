"""What every benchmark shares: figures with their targets, reference workloads measured in the same
run (the machine is shared and noisy, so a figure is also given as a ratio to a reference), timing
helpers and a child-process runner that reports CPU time and peak memory."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@dataclass
class Figure:
    """One line of the table: a median (and p95) at a size, its target and its reference ratio."""

    name: str
    size: str
    value: float | None  # None: not measured (say why in ``note``)
    unit: str  # "ms", "s", "s CPU", "MB", "x"
    target: float | None = None  # the figure must stay below this (same unit)
    p95: float | None = None
    p95_target: float | None = None
    reference: str | None = None  # "work" (the fixed workload) or "python" (python -c pass CPU)
    note: str = ""

    @property
    def ok(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        good = self.value < self.target
        if self.p95_target is not None and self.p95 is not None:
            good = good and self.p95 < self.p95_target
        return good


class References:
    """The yardsticks of one run: a fixed in-process workload (ms) and ``python -c pass`` (CPU s)."""

    def __init__(self) -> None:
        self.work_ms: list[float] = []
        self.python_cpu: list[float] = []

    def measure(self) -> None:
        self.work_ms.append(statistics.median(workload_ms() for _ in range(7)))
        self.python_cpu.append(
            statistics.median(child([sys.executable, "-c", "pass"]).cpu for _ in range(7))
        )

    def ratio(self, fig: Figure) -> float | None:
        if fig.value is None or fig.reference is None:
            return None
        if fig.reference == "python":
            ref = statistics.median(self.python_cpu) if self.python_cpu else None
            value = fig.value
        else:
            ref = statistics.median(self.work_ms) if self.work_ms else None
            value = fig.value * {"ms": 1.0, "s": 1000.0, "s CPU": 1000.0}.get(fig.unit, 1.0)
        return value / ref if ref else None


def workload_ms() -> float:
    """A fixed pure-Python job (dicts, sorting, strings; about 15 ms on a quiet machine)."""
    t0 = time.perf_counter()
    rows = {f"key {i * 7919 % 100_003}": (i * 31) % 977 for i in range(30_000)}
    ordered = sorted(rows.items(), key=lambda kv: (kv[1], kv[0]))
    " ".join(k for k, _v in ordered[:6_000]).split()
    return (time.perf_counter() - t0) * 1000


def timed_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def median_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[round(0.95 * (len(ordered) - 1))]


@dataclass
class ChildRun:
    wall: float
    cpu: float  # user + system seconds of the child
    peak_mb: float  # its peak resident set
    returncode: int
    stdout: str
    killed: str = ""  # why the runner stopped it, if it did

    def result(self) -> dict:
        """The last line the child printed, as JSON (the child's own figures)."""
        lines = [line for line in self.stdout.splitlines() if line.startswith("{")]
        return json.loads(lines[-1]) if lines else {}


def child(
    cmd: list[str], timeout: float = 300, max_rss_mb: float | None = None, env: dict | None = None
) -> ChildRun:
    """Run a command; its CPU time and peak memory are the kernel's accounting (wait4). A child
    over ``timeout`` seconds or ``max_rss_mb`` is killed and reported as such."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})},
        cwd=ROOT, text=True,
    )  # fmt: skip
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    killed = ""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t0 > timeout:
            killed = f"killed after {timeout:.0f} s"
        elif max_rss_mb is not None and _rss_mb(proc.pid) > max_rss_mb:
            killed = f"killed above {max_rss_mb:.0f} MB"
        if killed:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join(5)
    return ChildRun(time.perf_counter() - t0, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                    proc.returncode, "".join(out), killed)  # fmt: skip


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def emit(result: dict) -> None:
    """A child's figures: one JSON line on stdout, read by ``ChildRun.result``."""
    print(json.dumps(result), flush=True)
