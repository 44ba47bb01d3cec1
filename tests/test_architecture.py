"""The layers hold: import-linter's contracts (pyproject.toml), and no Qt loaded by the core."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import rupture_coder

SRC = Path(rupture_coder.__file__).parent
ROOT = Path(__file__).resolve().parents[1]  # the checkout (its pyproject has the contracts), also
# when the package under test is installed elsewhere (make pythons: a non-editable install)
QT_ROOTS = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "pyqtgraph", "qtpy")


def lint_imports(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    tool = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(tool), "--no-cache", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_every_import_contract_is_kept():
    out = lint_imports()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout and "3 kept" in out.stdout


def test_the_contracts_see_a_broken_layer(tmp_path):
    """The linter really reads our imports: with services declared above study it must object."""
    config = tmp_path / "reversed.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "rupture_coder"\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "reversed"\ntype = "layers"\n'
        'layers = ["rupture_coder.services", "rupture_coder.study"]\n'
    )
    out = lint_imports("--config", str(config))
    assert out.returncode == 1 and "rupture_coder.study" in out.stdout and "BROKEN" in out.stdout


def core_modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages([str(SRC)], "rupture_coder.")
        if not m.name.startswith(
            ("rupture_coder.gui", "rupture_coder.launcher", "rupture_coder.__main__")
        )
        and ".migrations" not in m.name
    ]


def test_importing_every_core_module_loads_no_qt():
    """Catches what a static contract cannot: imports made at run time."""
    modules = core_modules()
    assert len(modules) > 10
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {QT_ROOTS!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core modules loaded Qt: {out.stdout}"


def test_gui_never_commits_or_opens_a_write_session():
    """Views go through services.queries (reads) and ProjectService.run (writes)."""
    offenders = [
        p.name
        for p in (SRC / "gui").rglob("*.py")
        if ".commit(" in (text := p.read_text(encoding="utf-8")) or "new_session(" in text
    ]
    assert offenders == []
