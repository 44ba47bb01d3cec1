"""Run every benchmark: python -m bench [name ...]. Figures are medians over repeated runs."""

from __future__ import annotations

import sys

from bench import (
    bench_agreement,
    bench_commands,
    bench_gui,
    bench_import,
    bench_scores,
    bench_study,
)

BENCHES = {
    "commands": bench_commands.run,
    "import": bench_import.run,
    "agreement": bench_agreement.run,
    "gui": bench_gui.run,
    "study": bench_study.run,
    "scores": bench_scores.run,
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    for name in names:
        print(f"== {name}")
        for label, value in BENCHES[name]():
            print(f"  {label:<60} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
