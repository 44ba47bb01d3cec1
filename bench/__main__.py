"""Run the benchmarks and print one table: python -m bench [name ...]; ``name:part,part`` runs only
those parts of a benchmark that has them (``python -m bench study:agreement,export``).

Every figure is a median (with its 95th percentile where there are many samples), its target and its
ratio to a reference measured in the same run: "work" is a fixed pure-Python workload (the figure in
ms divided by the workload's ms), "python" is the CPU time of ``python -c pass``. The references are
measured before and after the benchmarks; the table gives both and the load of the machine.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import traceback

from bench.common import Figure, References

BENCHES = ("startup", "workspace", "commands", "import", "agreement", "study", "scores", "worker")


def _value(fig: Figure) -> str:
    if fig.value is None:
        return "-"
    if fig.unit == "x":
        return f"{fig.value:.2f}x"
    digits = 0 if fig.unit in ("ms", "MB") and fig.value >= 100 else 1 if fig.unit == "ms" else 2
    text = f"{fig.value:.{digits}f} {fig.unit}"
    if fig.p95 is not None:
        text += f" (p95 {fig.p95:.{digits}f})"
    return text


def _target(fig: Figure) -> str:
    if fig.target is None:
        return ""
    unit = "" if fig.unit == "x" else f" {fig.unit}"
    text = f"< {fig.target:g}{unit}" if fig.unit != "x" else f"< {fig.target:g}x"
    if fig.p95_target is not None:
        text += f", p95 < {fig.p95_target:g}"
    return text


def table(figures: list[Figure], refs: References) -> str:
    rows = [("figure", "size", "median", "target", "ok", "ratio to ref.")]
    for fig in figures:
        ratio = refs.ratio(fig)
        ok = {True: "yes", False: "NO", None: ""}[fig.ok]
        ref = f"{ratio:.1f} x {fig.reference}" if ratio is not None else ""
        rows.append(
            (
                fig.name,
                fig.size,
                _value(fig),
                _target(fig),
                ok,
                ref + (f"  {fig.note}" if fig.note else ""),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(r[i].ljust(widths[i]) for i in range(5)) + "  " + r[5])
        if k == 0:
            lines.append("-" * (sum(widths) + 2 * 5 + 13))
    return "\n".join(lines)


def _quiet_offscreen_qt() -> None:
    """The offscreen platform warns on every window resize that it has no window manager: a
    thousand lines that would bury the table."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if "does not support propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    _quiet_offscreen_qt()
    refs = References()
    started = time.perf_counter()
    load = os.getloadavg()
    refs.measure()
    figures: list[Figure] = []
    failed = []
    for name in names:
        print(f"running {name}...", file=sys.stderr, flush=True)
        module, _, parts = name.partition(":")
        try:
            run = importlib.import_module(f"bench.bench_{module}").run
            figures += run(parts.split(",")) if parts else run()
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
            figures.append(Figure(f"{name}: failed (traceback above)", "", None, ""))
    refs.measure()
    print(table(figures, refs))
    work = " / ".join(f"{w:.1f}" for w in refs.work_ms)
    py = " / ".join(f"{p * 1000:.0f}" for p in refs.python_cpu)
    print(f"\nreferences (before / after): work {work} ms; python -c pass {py} ms CPU. "
          f"Load average at the start {load[0]:.2f}, at the end {os.getloadavg()[0]:.2f}; "
          f"{time.perf_counter() - started:.0f} s in all.")  # fmt: skip
    missed = [f.name.strip() for f in figures if f.ok is False]
    if missed:
        print(f"{len(missed)} figure(s) over target: {'; '.join(missed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
