"""A small AST mutation driver for the modules whose mistakes would corrupt results.

    python scripts/mutation.py MODULE.py [MODULE.py ...] [--tests TEST.py ...] [--show-survivors]

Each mutant changes one thing in one module: an arithmetic operator (+ -, * /, ** *), a
comparison (< <=, > >=, == !=, in / not in, is / is not), a boolean operator (and or), a unary
minus or not dropped, a number (n -> n + 1), a boolean constant flipped. Docstrings and other
strings are left alone (they are messages, not arithmetic); a line marked ``# pragma: no mutate``
too. The libraries and the tests are imported once; each mutant runs in a forked child that swaps
the mutated functions' code into the loaded module and runs the given tests with pytest, stopping
at the first failure. A mutant is killed when a test fails (or it errors or times out).
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import os
import signal
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # a forked child must not inherit a BLAS thread pool (deadlock)
SWAP = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.MatMult: ast.Mult,
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.And: ast.Or, ast.Or: ast.And, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd,
}  # fmt: skip


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def mutation_sites(tree: ast.Module, source: str) -> list[tuple[int, str]]:
    """(index, description) of every mutation the module admits, in walk order."""
    skip_lines = {
        i + 1 for i, line in enumerate(source.splitlines()) if "pragma: no mutate" in line
    }
    docs = _docstrings(tree)
    sites = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if line in skip_lines or isinstance(node, ast.ImportFrom | ast.Import):
            continue
        for desc in _mutations(node, docs):
            sites.append((line, desc))
    return sites


def _mutations(node: ast.AST, docs: set[int]) -> list[str]:
    out = []
    if (
        isinstance(node, ast.BinOp | ast.AugAssign)
        and type(node.op) in SWAP
        or isinstance(node, ast.BoolOp)
    ):
        out.append(f"{type(node.op).__name__} -> {SWAP[type(node.op)].__name__}")
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in SWAP:
                out.append(f"compare {i}: {type(op).__name__} -> {SWAP[type(op)].__name__}")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        out.append(f"drop {type(node.op).__name__}")
    elif isinstance(node, ast.Constant) and id(node) not in docs:
        if isinstance(node.value, bool):
            out.append(f"{node.value} -> {not node.value}")
        elif isinstance(node.value, int | float) and not isinstance(node.value, bool):
            out.append(f"{node.value!r} -> {node.value + 1!r}")
    return out


def mutate(tree: ast.Module, source: str, target: int) -> ast.Module:
    tree = copy.deepcopy(tree)
    skip_lines = {
        i + 1 for i, line in enumerate(source.splitlines()) if "pragma: no mutate" in line
    }
    docs = _docstrings(tree)
    count = 0
    for node in ast.walk(tree):
        if getattr(node, "lineno", 0) in skip_lines or isinstance(
            node, ast.ImportFrom | ast.Import
        ):
            continue
        for k, _desc in enumerate(_mutations(node, docs)):
            if count == target:
                _change(node, k)
                return ast.fix_missing_locations(tree)
            count += 1
    raise IndexError(target)


def _change(node: ast.AST, k: int) -> None:
    if isinstance(node, ast.BinOp | ast.AugAssign | ast.BoolOp):
        node.op = SWAP[type(node.op)]()
    elif isinstance(node, ast.Compare):
        swappable = [i for i, op in enumerate(node.ops) if type(op) in SWAP]
        i = swappable[k]
        node.ops[i] = SWAP[type(node.ops[i])]()
    elif isinstance(node, ast.UnaryOp):
        node.op = ast.UAdd() if isinstance(node.op, ast.USub) else _Identity()
    elif isinstance(node, ast.Constant):
        node.value = (not node.value) if isinstance(node.value, bool) else node.value + 1


class _Identity(ast.UAdd):
    """``not x`` -> ``+x`` would change types; instead ``not`` is replaced by ``bool``."""


def _patch(module: types.ModuleType, tree: ast.Module) -> None:
    """Swap the mutated definitions into the loaded module (functions keep their identity)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, _Identity):
            node.__class__ = ast.Call
            node.func, node.args, node.keywords = ast.Name("bool", ast.Load()), [node.operand], []
    ast.fix_missing_locations(tree)
    namespace = {
        "__name__": module.__name__,
        "__file__": module.__file__,
        "__package__": module.__package__,
    }
    exec(compile(tree, module.__file__, "exec"), namespace)
    for name, new in namespace.items():
        old = getattr(module, name, None)
        if isinstance(new, types.FunctionType) and isinstance(old, types.FunctionType):
            old.__code__, old.__defaults__, old.__kwdefaults__ = (
                new.__code__,
                new.__defaults__,
                new.__kwdefaults__,
            )
        elif isinstance(new, type) and isinstance(old, type):
            for attr, value in vars(new).items():
                current = vars(old).get(attr)
                if isinstance(value, types.FunctionType) and isinstance(
                    current, types.FunctionType
                ):
                    current.__code__ = value.__code__
        elif (
            not name.startswith("__") and not isinstance(new, types.ModuleType) and old is not None
        ):
            for mod in list(sys.modules.values()):
                if (
                    getattr(mod, "__name__", "").startswith("rupture_coder")
                    and getattr(mod, name, None) is old
                ):
                    setattr(mod, name, new)


def run_mutant(module, tree, tests: list[str], timeout: float) -> str:
    """Run the tests on one mutant (``tree`` None: on the code as it is) in a forked child."""
    pid = os.fork()
    if pid == 0:  # child
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            if tree is not None:
                _patch(module, tree)
            import pytest

            code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", *tests])
            os._exit(0 if code == 0 else 1)
        except BaseException:
            os._exit(2)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            return "survived" if code == 0 else "killed" if code == 1 else "error"
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.02)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="+", type=Path)
    parser.add_argument(
        "--tests",
        nargs="+",
        default=["tests/test_agreement_stats.py", "tests/test_agreement_designs.py"],
    )
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--show-survivors", action="store_true")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
    import pytest  # noqa: F401  (imported once, before the forks)

    for heavy in ("numpy", "pandas", "scipy.stats", "pingouin", "irrCAC.raw", "statsmodels.api",
                  "sklearn.metrics", "hypothesis", "krippendorff", "rupture_coder.demo"):  # fmt: skip
        importlib.import_module(heavy)

    # the tests' conftest ends the process when pytest is done, so even the clean run is forked
    if run_mutant(None, None, args.tests, args.timeout) != "survived":
        print("mutation: the tests fail without a mutant; fix them first", file=sys.stderr)
        return 2
    total_killed = total = 0
    for path in args.modules:
        name = ".".join(path.resolve().relative_to(ROOT / "src").with_suffix("").parts)
        module = importlib.import_module(name)
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        sites = mutation_sites(tree, source)
        results: dict[str, int] = {}
        survivors = []
        t0 = time.monotonic()
        for i, (line, desc) in enumerate(sites):
            outcome = run_mutant(module, mutate(tree, source, i), args.tests, args.timeout)
            results[outcome] = results.get(outcome, 0) + 1
            if outcome == "survived":
                survivors.append(f"  {path}:{line}: {desc}")
        killed = len(sites) - results.get("survived", 0)
        total_killed += killed
        total += len(sites)
        share = 100 * killed / len(sites) if sites else 100.0
        print(
            f"{path}: {killed}/{len(sites)} mutants killed ({share:.1f}%) {results} in {time.monotonic() - t0:.0f} s"
        )
        if args.show_survivors:
            print("\n".join(survivors))
    if total:
        print(f"total: {total_killed}/{total} killed ({100 * total_killed / total:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
