"""A small AST mutation driver: does a test fail when the code is wrong?

    .venv/bin/python scripts/mutation.py [--list] [TARGET ...]

Each target is a set of functions and the tests that pin them. For every comparison, arithmetic
or boolean operator, and small integer constant in those functions, one mutant is made (``<``
becomes ``<=``, ``+`` becomes ``-``, ``and`` becomes ``or``, ``n`` becomes ``n + 1``, ``not x``
becomes ``x``), written into a copy of ``src/``, and the target's tests run against it (in a
separate process, so that the command-line tests run the mutant too). A mutant the tests do not
notice "survives"; the score is the share killed. Survivors are printed for review: some are
equivalent (no input can tell them apart), the others are missing tests.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

TARGETS = {
    "elan-times": (
        "rupture_coder/importers/elan.py",
        ("_spread", "_slot_times", "_slots", "parse_eaf"),
        ["tests/test_importers.py", "-k", "elan"],
    ),
    "time-fields": (
        "rupture_coder/importers/checks.py",
        ("parse_time_field", "Problems.append"),
        ["tests/test_importers.py"],
    ),
    "text-lines": (
        "rupture_coder/importers/text.py",
        ("parse_lines",),
        ["tests/test_importers.py", "tests/test_import_text.py"],
    ),
    "zip-guard": (
        "rupture_coder/limits.py",
        ("_directory_size", "_check_members", "_unsafe_name", "open_zip", "_CappedMember.readinto"),
        ["tests/test_limits.py"],
    ),
    "xml-yaml-guards": (
        "rupture_coder/limits.py",
        ("check_xml", "check_yaml", "read_capped", "capped_lines", "check_count", "check_length"),
        ["tests/test_limits.py", "tests/test_codebook.py"],
    ),
    "project-health": (
        "rupture_coder/store/health.py",
        ("check_header", "quick_check", "unwritable_reason", "latest_backup"),
        [
            "tests/test_store.py",
            "tests/test_project_damage.py",
            "-k",
            "not full_disk and not read_only",
        ],
    ),
}

SWAPS = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
    ast.And: ast.Or, ast.Or: ast.And,
}  # fmt: skip


@dataclass
class Mutant:
    line: int
    what: str
    tree: ast.Module


def _functions(tree: ast.Module, names: tuple[str, ...]) -> list[ast.AST]:
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            found.append(node)
        elif isinstance(node, ast.ClassDef):
            found += [
                f
                for f in node.body
                if isinstance(f, ast.FunctionDef) and f"{node.name}.{f.name}" in names
            ]
    return found


def _sites(fn: ast.AST) -> list[ast.AST]:
    """Mutable nodes of a function, nested functions included, docstrings and f-strings left out."""
    skip = {id(n) for n in ast.walk(fn) if isinstance(n, ast.JoinedStr) for n in ast.walk(n)}
    out = []
    for node in ast.walk(fn):
        if id(node) in skip:
            continue
        if (
            isinstance(node, ast.Compare | ast.BinOp | ast.BoolOp | ast.AugAssign)
            or isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.Not)
            or isinstance(node, ast.Constant)
            and type(node.value) is int
            or isinstance(node, ast.Constant)
            and type(node.value) is bool
        ):
            out.append(node)
    return out


def mutants(source: str, names: tuple[str, ...]) -> list[Mutant]:
    base = ast.parse(source)
    count = sum(len(_sites(fn)) for fn in _functions(base, names))
    out: list[Mutant] = []
    for k in range(count):
        tree = copy.deepcopy(base)
        site = [s for fn in _functions(tree, names) for s in _sites(fn)][k]
        what = _mutate(site)
        if what:
            out.append(Mutant(site.lineno, what, ast.fix_missing_locations(tree)))
    return out


def _mutate(node: ast.AST) -> str | None:
    if isinstance(node, ast.Compare):
        old = type(node.ops[0])
        if old not in SWAPS:
            return None
        node.ops[0] = SWAPS[old]()
        return f"{old.__name__} -> {SWAPS[old].__name__}"
    if isinstance(node, ast.BinOp | ast.BoolOp | ast.AugAssign):
        old = type(node.op)
        if old not in SWAPS:
            return None
        node.op = SWAPS[old]()
        return f"{old.__name__} -> {SWAPS[old].__name__}"
    if isinstance(node, ast.UnaryOp):
        node.op = ast.UAdd()  # "not x" becomes "+x": truthiness kept, negation gone
        return "not x -> x"
    if isinstance(node, ast.Constant) and type(node.value) is bool:
        node.value = not node.value
        return f"{not node.value} -> {node.value}"
    if isinstance(node, ast.Constant):
        node.value += 1
        return f"{node.value - 1} -> {node.value}"
    return None


def _pytest(tests: list[str], work: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(work / "src"), QT_QPA_PLATFORM="offscreen",
               PYTHONDONTWRITEBYTECODE="1")  # fmt: skip
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)  # fmt: skip


def run_target(name: str, work: Path) -> tuple[int, int, list[str]]:
    module, names, tests = TARGETS[name]
    source = (SRC / module).read_text(encoding="utf-8")
    baseline = _pytest(tests, work)  # the tests must pass on the unchanged copy, or nothing counts
    if baseline.returncode != 0:
        raise SystemExit(f"{name}: the tests fail without a mutant:\n{baseline.stdout[-2000:]}")
    found = mutants(source, names)
    killed, survivors = 0, []
    target = work / "src" / module
    try:
        for m in found:
            target.write_text(ast.unparse(m.tree), encoding="utf-8")
            run = _pytest(tests, work)
            if run.returncode != 0:
                killed += 1
            else:
                survivors.append(f"{module}:{m.line}: {m.what}")
            print(
                f"  {'killed ' if run.returncode else 'SURVIVED'} {module}:{m.line} {m.what}",
                flush=True,
            )
    finally:
        target.write_text(source, encoding="utf-8")
    return killed, len(found), survivors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="*", metavar="TARGET", help=", ".join(TARGETS))
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = ap.parse_args(argv)
    names = args.targets or list(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        ap.error(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    if args.list:
        for name in names:
            module, functions, _tests = TARGETS[name]
            for m in mutants((SRC / module).read_text(encoding="utf-8"), functions):
                print(f"{name}: {module}:{m.line}: {m.what}")
        return 0
    work = Path(tempfile.mkdtemp(prefix="mutants-"))
    shutil.copytree(SRC / "rupture_coder", work / "src" / "rupture_coder")
    for bundled in ("codebooks", "sample_transcripts"):  # found beside src/, as in a checkout
        (work / bundled).symlink_to(ROOT / bundled)
    report = []
    try:
        for name in names:
            print(f"== {name}", flush=True)
            killed, total, survivors = run_target(name, work)
            report.append((name, killed, total, survivors))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name, killed, total, survivors in report:
        print(f"{name:<18} {killed}/{total} killed ({100 * killed / max(total, 1):.0f}%)")
        for s in survivors:
            print(f"    survived: {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
