"""Helpers for benchmarks: timing and synthetic sessions."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], repeat: int = 50) -> tuple[float, float]:
    """Median and 95th percentile of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def fmt(ms: tuple[float, float]) -> str:
    return f"median {ms[0]:7.2f} ms   p95 {ms[1]:7.2f} ms"
