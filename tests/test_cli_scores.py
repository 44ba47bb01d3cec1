"""`rupture-coder codes import` and `rupture-coder summary`, run as separate processes on a real
project file, as a lab moving from spreadsheets would run them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from score_sessions import IND11, register, timed_session

from rupture_coder import cli
from rupture_coder.resources import default_codebook_path
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.project import RegisterCodebook
from rupture_coder.store.db import open_project

EXE = Path(sys.executable).with_name("rupture-coder")
CODES = '''session,item,utterance,time_s,segment,note
E7,W2,2,,,
E7,R1,3,,,
E7,R2,4,,,
E7,C3,7,,,"client: ""these exercises are pointless"""
E7,W3,16,,,
E7,W4,17,,,
E7,R4,18,,,
E7,R10,19,,,
'''
RATINGS = "session,segment,scale,value\n" + "\n".join(
    [f"E7,{i},withdrawal_impact,{v}" for i, v in enumerate([2, 1, 1, 3], 1)]
    + [f"E7,{i},confrontation_impact,{v}" for i, v in enumerate([1, 3, 1, 1], 1)]
    + ["E7,,session_resolution,4", "E7,,therapist_contribution,2"]
)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "lab.rcproj"
    project = open_project(path)
    svc = ProjectService(project, "setup")
    for kind in ("individual", "group"):
        p = default_codebook_path(kind)
        svc.run(RegisterCodebook(p.read_text(encoding="utf-8"), p.name))
    register(svc, IND11)
    timed_session(svc, "E7", n=20, step=60, codebook=IND11)
    project.close()
    return path


def test_codes_import_then_summary_as_separate_processes(project_file, tmp_path):
    (tmp_path / "codes.csv").write_text(CODES, encoding="utf-8")
    (tmp_path / "ratings.csv").write_text(RATINGS, encoding="utf-8")
    done = run("codes", "import", str(tmp_path / "codes.csv"), "--ratings", str(tmp_path / "ratings.csv"),
               "--project", str(project_file), "--rater", "Ann", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["codes"], result["ratings"], result["rater"], result["rater_created"]) == (
        8,
        10,
        "Ann",
        True,
    )
    done = run(
        "summary", "--project", str(project_file), "--session", "E7", "--rater", "Ann", "--json"
    )
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout)
    assert (s["segments"], s["segments_with_withdrawal"], s["segments_with_confrontation"]) == (
        4,
        2,
        1,
    )
    assert (s["segments_with_any_marker"], s["episodes"], s["episodes_repaired"]) == (3, 3, 2)
    assert s["item_segments"]["W2"] == 1 and s["item_segments"]["R11"] == 0
    assert s["ruptures_per_5_min"] == pytest.approx(0.7895, abs=1e-4)
    w = s["ratings"]["withdrawal_impact"]
    assert (w["mean"], w["max"], w["n"]) == (1.75, 3, 4)
    assert s["session_ratings"] == {"session_resolution": 4, "therapist_contribution": 2}
    done = run("agreement", "--project", str(project_file), "--codebook", "3rs-individual@1.1.0",
               "--unit", "segment-rating", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["warnings"] == [
        "Ann has not marked session 'E7' complete: its scores may change"
    ]
    text = run("summary", "--project", str(project_file), "--session", "E7", "--rater", "Ann")
    assert text.returncode == 0 and "episodes repaired" in text.stdout and "2 of 3" in text.stdout
    # one undoable command: the project's audit holds one "import codes" entry
    project = open_project(project_file)
    try:
        sid = next(x.id for x in queries.list_sessions(project) if x.title == "E7")
        notes = [
            c.note for c in queries.codes(project, sid, next(r.id for r in queries.raters(project)))
        ]
        assert 'client: "these exercises are pointless"' in notes
    finally:
        project.close()


def test_a_bad_row_refuses_the_whole_file_naming_line_and_field(project_file, tmp_path):
    bad = CODES.replace("E7,W4,17,,,", "E7,W9,17,,,").replace("E7,R4,18,,,", "E7,R4,99,,,")
    (tmp_path / "codes.csv").write_text(bad, encoding="utf-8")
    done = run(
        "codes",
        "import",
        str(tmp_path / "codes.csv"),
        "--project",
        str(project_file),
        "--rater",
        "Ann",
    )
    assert done.returncode == 1
    assert "line 7: item: 'W9' is not an item of 3rs-individual 1.1.0" in done.stderr
    assert "line 8: utterance: 99 is not an utterance of session 'E7' (it has 20)" in done.stderr
    assert "nothing was imported" in done.stderr and "Traceback" not in done.stderr
    done = run(
        "summary", "--project", str(project_file), "--session", "E7", "--rater", "Ann", "--json"
    )
    assert done.returncode == 1 and "no rater 'Ann'" in done.stderr  # not even the rater was added


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("item,utterance\nW2,2\n", "missing column 'session'"),
        ("session,item\nE7,W2\n", "utterance, time_s or segment"),
        ("session,item,utterance\nE7,W2,two\n", "line 2: utterance: 'two' is not a whole number"),
        ("session,item,time_s\nE7,W2,-5\n", "line 2: time_s: -5"),
        ("session,item,utterance\nNope,W2,2\n", "line 2: session: no session 'Nope'"),
        ("session,item,utterance,colour\nE7,W2,2,red\n", "unknown column 'colour'"),
        ("session,item,utterance\nE7,W2,2\nE7,W2,2\n", "line 3: item: W2 is already coded there"),
        ("", "is empty"),
        ("session,item,utterance\n\x00\x01garbage", "not a text (CSV) file"),
    ],
)
def test_hostile_and_damaged_code_files_are_refused_with_a_reason(
    project_file, tmp_path, capsys, content, expected
):
    """The same command line, in this process (the separate-process runs are above)."""
    path = tmp_path / "codes.csv"
    path.write_text(content, encoding="utf-8")
    status = cli.main(
        ["codes", "import", str(path), "--project", str(project_file), "--rater", "Ann"]
    )
    err = capsys.readouterr().err
    assert status == 1 and expected in err, err


def test_codes_import_needs_a_rater_and_a_readable_file(project_file, tmp_path):
    (tmp_path / "codes.csv").write_text(CODES, encoding="utf-8")
    done = run("codes", "import", str(tmp_path / "codes.csv"), "--project", str(project_file))
    assert done.returncode == 1 and "--rater" in done.stderr
    done = run(
        "codes",
        "import",
        str(tmp_path / "nowhere.csv"),
        "--project",
        str(project_file),
        "--rater",
        "A",
    )
    assert done.returncode == 1 and "cannot read" in done.stderr
    # a spreadsheet saved as Windows-1252 (Excel's "CSV") reads as the transcripts do
    (tmp_path / "cp1252.csv").write_bytes(
        "session,item,utterance,note\nE7,W2,2,caf\xe9\n".encode("cp1252")
    )
    done = run(
        "codes",
        "import",
        str(tmp_path / "cp1252.csv"),
        "--project",
        str(project_file),
        "--rater",
        "A",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    project = open_project(project_file)
    try:
        sid = next(x.id for x in queries.list_sessions(project) if x.title == "E7")
        rater = next(r.id for r in queries.raters(project) if r.name == "A")
        assert [c.note for c in queries.codes(project, sid, rater)] == ["café"]
    finally:
        project.close()


def test_summary_refuses_unknown_sessions_and_raters(project_file):
    done = run("summary", "--project", str(project_file), "--session", "Nope", "--rater", "Ann")
    assert done.returncode == 1 and "no session 'Nope'" in done.stderr
    done = run("summary", "--project", str(project_file), "--session", "E7", "--rater", "Zed")
    assert done.returncode == 1 and "no rater 'Zed'" in done.stderr
    # in a lead's project (not a coder copy) the rater must be named
    done = run("summary", "--project", str(project_file), "--session", "E7")
    assert done.returncode == 1 and "say which rater: --rater NAME" in done.stderr
    assert "Traceback" not in done.stderr
