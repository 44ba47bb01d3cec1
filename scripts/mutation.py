"""A small AST mutation driver: does the test suite notice a wrong score?

For each mutation point of the given modules (a comparison, an arithmetic or boolean operator, a
small integer, a condition, a ``min``/``max`` call ...) it writes the module with that one change
into a private copy of ``src/``, runs the given tests against the copy in a separate process, and
counts the mutant *killed* when the tests fail. The score is killed / all. Survivors are listed with
their line, so a test can be written for each (or the line marked ``# pragma: no mutate`` when the
change cannot alter a result, e.g. a cache or a message).

    .venv/bin/python scripts/mutation.py src/rupture_coder/study/summaries.py \\
        --tests tests/test_scores.py tests/test_scores_group.py

One process at a time (the machine is shared); ``--limit`` and ``--only`` help while iterating.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SWAP_CMP = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_SWAP_BIN = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
}
_SWAP_CALL = {"min": "max", "max": "min", "any": "all", "all": "any"}


@dataclass(frozen=True)
class Mutant:
    index: int
    line: int
    what: str


class _Mutator(ast.NodeTransformer):
    """Walks the tree; counts mutation points; applies the one numbered ``target`` (if any)."""

    def __init__(self, skip_lines: set[int], target: int | None = None):
        self.skip_lines = skip_lines
        self.target = target
        self.found: list[Mutant] = []

    def _point(self, node: ast.AST, what: str) -> bool:
        line = getattr(node, "lineno", 0)
        if line in self.skip_lines:
            return False
        self.found.append(Mutant(len(self.found), line, what))
        return self.found[-1].index == self.target

    def visit_Compare(self, node: ast.Compare) -> ast.AST:  # noqa: N802 - ast API
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            swap = _SWAP_CMP.get(type(op))
            if swap and self._point(node, f"{type(op).__name__} -> {swap.__name__}"):
                node.ops[i] = swap()
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        swap = _SWAP_BIN.get(type(node.op))
        if swap and self._point(node, f"{type(node.op).__name__} -> {swap.__name__}"):
            node.op = swap()
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        swap = _SWAP_BIN.get(type(node.op))
        if swap and self._point(node, f"{type(node.op).__name__}= -> {swap.__name__}="):
            node.op = swap()
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        swap = ast.Or if isinstance(node.op, ast.And) else ast.And
        if self._point(node, f"{type(node.op).__name__} -> {swap.__name__}"):
            node.op = swap()
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._point(node, "drop not"):
            return node.operand
        if isinstance(node.op, ast.USub) and self._point(node, "drop unary minus"):
            return node.operand
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:  # noqa: N802
        value = node.value
        if isinstance(value, bool):
            if self._point(node, f"{value} -> {not value}"):
                return ast.copy_location(ast.Constant(not value), node)
        elif isinstance(value, int) and abs(value) < 10_000:
            if self._point(node, f"{value} -> {value + 1}"):
                return ast.copy_location(ast.Constant(value + 1), node)
        elif isinstance(value, float) and self._point(node, f"{value} -> {value + 1}"):
            return ast.copy_location(ast.Constant(value + 1.0), node)
        return node

    def visit_If(self, node: ast.If) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        if self._point(node.test, "negate if"):
            node.test = ast.UnaryOp(ast.Not(), node.test)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        if self._point(node.test, "negate conditional expression"):
            node.test = ast.UnaryOp(ast.Not(), node.test)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:  # noqa: N802
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in _SWAP_CALL:
            swap = _SWAP_CALL[node.func.id]
            if self._point(node, f"{node.func.id}() -> {swap}()"):
                node.func = ast.copy_location(ast.Name(swap, ast.Load()), node.func)
        return node

    def visit_Continue(self, node: ast.Continue) -> ast.AST:  # noqa: N802
        if self._point(node, "continue -> break"):
            return ast.copy_location(ast.Break(), node)
        return node

    # docstrings, annotations and f-string parts are not behaviour
    def visit_Expr(self, node: ast.Expr) -> ast.AST:  # noqa: N802
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return node
        return self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:  # noqa: N802
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:  # noqa: N802
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:  # noqa: N802
        node.body = [self.visit(b) for b in node.body]
        node.args.defaults = [self.visit(d) for d in node.args.defaults]
        node.args.kw_defaults = [d if d is None else self.visit(d) for d in node.args.kw_defaults]
        return node  # decorators and annotations declare; they are not mutated

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:  # noqa: N802
        # fields declared in a class body (dataclass defaults) are declarations too
        node.body = [b if isinstance(b, ast.AnnAssign) else self.visit(b) for b in node.body]
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:  # noqa: N802
        return node


def _skipped_lines(source: str) -> set[int]:
    return {i for i, line in enumerate(source.splitlines(), 1) if "pragma: no mutate" in line}


def mutants(source: str) -> list[Mutant]:
    mutator = _Mutator(_skipped_lines(source))
    mutator.visit(ast.parse(source))
    return mutator.found


def function_lines(source: str, names: list[str]) -> set[int]:
    """The lines of the named top-level functions and classes."""
    out: set[int] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in names:
            out |= set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return out


def mutate(source: str, index: int) -> str:
    mutator = _Mutator(_skipped_lines(source), index)
    tree = mutator.visit(copy.deepcopy(ast.parse(source)))
    return ast.unparse(ast.fix_missing_locations(tree))


def _run_tests(src_copy: Path, tests: list[str], timeout: float) -> tuple[bool, float]:
    env = {**os.environ, "PYTHONPATH": str(src_copy), "QT_QPA_PLATFORM": "offscreen"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    started = time.monotonic()
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, time.monotonic() - started
    return done.returncode == 0, time.monotonic() - started


AGREEMENT_TESTS = [
    "tests/test_agreement_stats.py",
    "tests/test_agreement_designs.py",
    "tests/test_agreement_edges.py",
]

# Named targets: a module (or several), the functions (or classes) of it to mutate (none: all),
# and the tests that pin them.
TARGETS: dict[str, tuple[str | tuple[str, ...], list[str], list[str]]] = {
    "elan-times": (
        "rupture_coder/importers/elan.py",
        ["_spread", "_slot_times", "_slots", "parse_eaf"],
        ["tests/test_importers.py", "-k", "elan"],
    ),
    "time-fields": (
        "rupture_coder/importers/checks.py",
        ["parse_time_field", "Problems"],
        ["tests/test_importers.py"],
    ),
    "text-lines": (
        "rupture_coder/importers/text.py",
        ["parse_lines"],
        ["tests/test_importers.py", "tests/test_import_text.py"],
    ),
    "zip-guard": (
        "rupture_coder/limits.py",
        ["_directory_size", "_check_members", "_unsafe_name", "open_zip", "_CappedMember"],
        ["tests/test_limits.py"],
    ),
    "xml-yaml-guards": (
        "rupture_coder/limits.py",
        ["check_xml", "check_yaml", "read_capped", "capped_lines", "check_count", "check_length"],
        ["tests/test_limits.py", "tests/test_codebook.py"],
    ),
    "packages": (
        (
            "rupture_coder/study/packages.py",
            "rupture_coder/study/package_file.py",
            "rupture_coder/services/merge.py",
        ),
        [],  # every function of the merge code
        [
            "tests/test_packages.py",
            "tests/test_package_edges.py",
            "tests/test_package_attacks.py",
            "tests/test_merge_cli.py",
        ],
    ),
    # the session scores of docs/ratings.md (issue 12): the rules, then the reading of a session
    "scoring": (
        "rupture_coder/study/scoring.py",
        [],
        [
            "tests/test_scoring_core.py",
            "tests/test_scores.py",
            "tests/test_scores_group.py",
            "tests/test_summary_details.py",
        ],
    ),
    "summaries": (
        "rupture_coder/study/summaries.py",
        [],
        [
            "tests/test_scoring_core.py",
            "tests/test_scores.py",
            "tests/test_scores_group.py",
            "tests/test_summary_details.py",
            "tests/test_scales.py",
        ],
    ),
    "placement": (
        "rupture_coder/services/segmentation.py",
        ["locate_segment", "utterance_times", "locate", "order_key"],
        ["tests/test_scoring_core.py", "tests/test_scores.py", "tests/test_summary_details.py"],
    ),
    # the agreement statistics (issue 13), each pinned by the published examples and the oracles
    **{
        f"agreement-{name}": (f"rupture_coder/agreement/{name}.py", [], AGREEMENT_TESTS)
        for name in ("coefficients", "icc", "specific", "events", "bootstrap", "tables")
    },
    "project-health": (
        "rupture_coder/store/health.py",
        ["check_header", "quick_check", "unwritable_reason", "latest_backup"],
        [
            "tests/test_store.py",
            "tests/test_project_damage.py",
            "-k",
            "not full_disk and not read_only",
        ],
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", type=Path, help="source files under src/")
    parser.add_argument(
        "--target", choices=sorted(TARGETS), help="a named module, its functions and its tests"
    )
    parser.add_argument("--tests", nargs="+", default=[], help="pytest arguments")
    parser.add_argument("--only", type=int, nargs="*", help="run only these mutant numbers")
    parser.add_argument(
        "--functions", nargs="*", help="mutate only these top-level functions and classes"
    )
    parser.add_argument("--limit", type=int, help="stop after this many mutants per module")
    parser.add_argument(
        "--sample",
        type=int,
        help="a seeded random sample of this many mutants per module (an estimate of the score)",
    )
    parser.add_argument("--seed", type=int, default=1, help="the sample's seed (default 1)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)
    if args.target:
        module, functions, tests = TARGETS[args.target]
        named = [module] if isinstance(module, str) else list(module)
        args.modules = [*args.modules, *(ROOT / "src" / m for m in named)]
        if functions:
            args.functions = [*(args.functions or []), *functions]
        args.tests = [*args.tests, *tests]
    if not args.modules:
        parser.error("give source files under src/ or --target NAME")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: remove the private copy
    if args.list:
        for module in args.modules:
            rel = module.resolve().relative_to(ROOT / "src")
            source = module.read_text(encoding="utf-8")
            keep = function_lines(source, args.functions) if args.functions else None
            for m in mutants(source):
                if keep is None or m.line in keep:
                    print(f"{rel}:{m.line}: #{m.index} {m.what}")
        return 0
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        copy_root = Path(tmp) / "src"
        shutil.copytree(ROOT / "src", copy_root, ignore=shutil.ignore_patterns("__pycache__"))
        for beside in ("codebooks", "sample_transcripts", "docs"):  # found next to src/
            (Path(tmp) / beside).symlink_to(ROOT / beside)
        ok, baseline = _run_tests(copy_root, args.tests, timeout=3600)
        if not ok:
            print("the tests fail without any mutation; fix them first", file=sys.stderr)
            return 2
        print(f"tests pass unmutated in {baseline:.1f} s")
        killed = total = 0
        survivors: list[str] = []
        for module in args.modules:
            module = module.resolve()
            rel = module.relative_to(ROOT / "src")
            source = module.read_text(encoding="utf-8")
            found = mutants(source)
            if args.functions:
                keep = function_lines(source, args.functions)
                found = [m for m in found if m.line in keep]
            if args.only:
                found = [m for m in found if m.index in args.only]
            if args.limit:
                found = found[: args.limit]
            if args.sample and args.sample < len(found):
                print(
                    f"{rel}: a sample of {args.sample} of {len(found)} mutants (seed {args.seed})"
                )
                found = sorted(
                    random.Random(args.seed).sample(found, args.sample), key=lambda m: m.index
                )
            target = copy_root / rel
            for m in found:
                target.write_text(mutate(source, m.index), encoding="utf-8")
                survived, seconds = _run_tests(copy_root, args.tests, timeout=3 * baseline + 30)
                total += 1
                killed += not survived
                mark = "SURVIVED" if survived else "killed"
                print(f"{rel}:{m.line}: #{m.index} {m.what}: {mark} ({seconds:.1f} s)", flush=True)
                if survived:
                    survivors.append(f"{rel}:{m.line}: #{m.index} {m.what}")
            target.write_text(source, encoding="utf-8")
        score = killed / total if total else 1.0
        print(f"\nmutation score: {killed} of {total} mutants killed = {score:.1%}")
        for s in survivors:
            print(f"  survived: {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
