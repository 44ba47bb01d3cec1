"""Start-up stays quick: ``rupture-coder --help`` loads no statistics, database or Qt library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("pandas", "scipy", "numpy", "sqlalchemy", "alembic", "PySide6", "pydantic", "statsmodels")

PROBE = """
import json, sys
from rupture_coder.launcher import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def loaded_by(*args: str) -> tuple[int, set[str]]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["code"], set(result["loaded"])


def test_help_loads_no_heavy_library():
    code, loaded = loaded_by("--help")
    assert code == 0
    assert not loaded & set(HEAVY), f"--help imported {sorted(loaded & set(HEAVY))}"


def test_every_command_help_is_there_and_the_help_of_a_command_stays_light():
    command = Path(sys.executable).with_name("rupture-coder")
    out = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    for name in (
        "import",
        "agreement",
        "package",
        "merge",
        "export",
        "report",
        "sessions",
        "codebook",
    ):
        assert name in out.stdout
    code, loaded = loaded_by("export", "--help")
    assert code == 0 and not loaded & {"pandas", "scipy", "alembic", "PySide6"}
    # the options the agreement command lists come from the statistics' own definitions
    from rupture_coder.agreement import LEVELS
    from rupture_coder.agreement.coefficients import WEIGHTS

    out = subprocess.run(
        [str(command), "agreement", "--help"], capture_output=True, text=True, timeout=120
    )
    assert all(level in out.stdout for level in LEVELS) and all(w in out.stdout for w in WEIGHTS)


def test_a_command_still_runs_with_its_use_case_loaded(tmp_path):
    command = Path(sys.executable).with_name("rupture-coder")
    project = tmp_path / "p.rcproj"
    out = subprocess.run([str(command), "sessions", "--project", str(project), "--json", "--create"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0 and json.loads(out.stdout) == []
