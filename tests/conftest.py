"""Shared fixtures: real project files in a temporary folder, Qt offscreen."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep tests away from the user's settings and default project.
_HOME = tempfile.mkdtemp(prefix="rupture-coder-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["RUPTURE_CODER_LOG"] = os.path.join(_HOME, "log", "rupture-coder.log")

from rupture_coder.resources import default_codebook_path  # noqa: E402
from rupture_coder.services import ProjectService  # noqa: E402
from rupture_coder.services.demo import build_demo  # noqa: E402
from rupture_coder.services.project import RegisterCodebook  # noqa: E402
from rupture_coder.store.db import backup_sqlite, open_project  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ANNOMI = SHARED / "data" / "annomi"


@pytest.fixture
def project(tmp_path):
    p = open_project(tmp_path / "test.rcproj")
    yield p
    p.close()


@pytest.fixture
def service(project):
    svc = ProjectService(project, actor="tester")
    for kind in ("individual", "group"):
        path = default_codebook_path(kind)
        svc.run(RegisterCodebook(path.read_text(encoding="utf-8"), path.name))
    svc._undo.clear()  # the codebooks are the fixture's, not the test's to undo
    return svc


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "template.rcproj"
    p = open_project(path)
    build_demo(p)
    p.close()
    return path


@pytest.fixture
def demo_path(demo_template, tmp_path) -> Path:
    """A fresh copy of the demo project for one test."""
    return backup_sqlite(demo_template, tmp_path / "demo.rcproj")


@pytest.fixture
def annomi_dir() -> Path:
    missing = [n for n in ("AnnoMI-simple.csv", "AnnoMI-full.csv") if not (ANNOMI / n).exists()]
    if missing:
        pytest.skip(
            f"the shared AnnoMI corpus is not beside this checkout ({', '.join(missing)} not in "
            "../shared/data/annomi)"
        )
    return ANNOMI
