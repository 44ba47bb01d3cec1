"""The core never imports Qt; the GUI never writes to the database itself."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import rupture_coder

SRC = Path(rupture_coder.__file__).parent
QT_ROOTS = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "pyqtgraph", "qtpy")


def core_modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages([str(SRC)], "rupture_coder.")
        if not m.name.startswith("rupture_coder.gui") and ".migrations" not in m.name
    ]


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_importing_every_core_module_loads_no_qt():
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


def test_no_core_source_file_imports_qt():
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "gui" not in p.relative_to(SRC).parts and imported_roots(p) & set(QT_ROOTS)
    ]
    assert offenders == []


def test_gui_does_not_touch_the_database_directly():
    """Views go through rupture_coder.queries (reads) and the service layer (writes)."""
    offenders = []
    for p in (SRC / "gui").rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        if "sqlalchemy" in imported_roots(p) or "rupture_coder.store.models" in text:
            offenders.append(p.name)
        if ".commit(" in text or "new_session(" in text:
            offenders.append(p.name)
    assert offenders == []
