"""The whole lab through the command line, each step a separate process: the lead creates the
project, imports a transcript, adds two coders and hands out their coder copies; each coder codes
in their own copy and packages it; the lead merges the packages, and merging again changes
nothing. Then what a coder copy refuses, and the rater commands' refusals."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rupture_coder.resources import samples_dir
from rupture_coder.services import queries
from rupture_coder.store.db import open_project

SAMPLE = samples_dir() / "individual-session-07.txt"
SESSION = "Individual session 7"


def cli(*args: str, project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "rupture_coder", *args, "--project", str(project)],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip


def ok(*args: str, project: Path) -> str:
    done = cli(*args, project=project)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def refused(*args: str, project: Path) -> str:
    """The command exits non-zero with one clear line on stderr and no traceback."""
    done = cli(*args, project=project)
    assert done.returncode != 0, (args, done.stdout)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def rows(path: Path, sql: str, *params) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def write_codes(path: Path, lines: list[str]) -> Path:
    path.write_text("session,item,utterance,note\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_whole_lab_round_trip(tmp_path):
    lab = tmp_path / "lab.rcproj"
    # the lead creates the project (naming themselves its lead) and imports a transcript
    assert "added Lena (lead)" in ok(
        "raters", "add", "Lena", "--role", "lead", "--create", project=lab
    )
    ok("import", str(SAMPLE), project=lab)
    ok("raters", "add", "Cody", "--role", "coder", project=lab)
    ok("raters", "add", "Dana", "--role", "coder", project=lab)
    listed = json.loads(ok("raters", "--json", project=lab))
    assert sorted((r["name"], r["role"]) for r in listed) == [
        ("Cody", "coder"), ("Dana", "coder"), ("Lena", "lead")]  # fmt: skip
    ids = {r["name"]: r["id"] for r in listed}
    copies = {}
    for name in ("Cody", "Dana"):
        copies[name] = tmp_path / f"{name.lower()}.rcproj"
        out = ok("handout", "--rater", name, "--out", str(copies[name]), project=lab)
        assert f"{name}'s coder copy, 1 session(s)" in out
        # the copy knows only its rater, holds the key the lead's project issued to them
        assert json.loads(ok("raters", "--json", project=copies[name])) == [
            {"id": ids[name], "name": name, "role": "coder"}]  # fmt: skip
        assert rows(copies[name], "SELECT rater_id, secret FROM rater_keys") == rows(
            lab, "SELECT rater_id, secret FROM rater_keys WHERE rater_id = ?", ids[name]
        )
    # each coder codes in their own copy (no --rater: the copy is theirs) and packages it
    work = {"Cody": [f"{SESSION},W1,3,Cody thinks so", f"{SESSION},C1,10,"],
            "Dana": [f"{SESSION},W1,3,Dana agrees"]}  # fmt: skip
    packages = []
    for name, lines in work.items():
        codes = write_codes(tmp_path / f"{name}.csv", lines)
        assert f"for {name} in 1 session(s)" in ok(
            "codes", "import", str(codes), project=copies[name]
        )
        # and reads their own scores, again without naming themselves
        summary = ok("summary", "--session", SESSION, project=copies[name])
        assert f"{SESSION} — {name} (" in summary and "W1 1" in summary
        package = tmp_path / f"{name}.rcpkg"
        assert f"wrote {package}: {name}, 1 session(s)" in ok(
            "package", "--out", str(package), project=copies[name]
        )
        packages.append(str(package))
    out = ok("merge", *packages, project=lab)
    # each package is signed with the key the lead's project issued for its coder's copy
    assert f"{packages[0]}: signed by Cody (verified); merged 2 code(s)" in out
    assert f"{packages[1]}: signed by Dana (verified); merged 1 code(s)" in out
    project = open_project(lab)
    try:
        (session,) = queries.list_sessions(project)
        stored = {
            name: sorted(
                (c.item_id, c.first_position, c.note)
                for c in queries.codes(project, session.id, ids[name])
            )  # fmt: skip
            for name in ("Cody", "Dana")
        }
        # utterance 3 of the CSV is position 2 (the CSV counts from 1)
        assert stored == {"Cody": [("C1", 9, ""), ("W1", 2, "Cody thinks so")],
                          "Dana": [("W1", 2, "Dana agrees")]}  # fmt: skip
        assert {(r.name, r.role) for r in queries.raters(project)} == {
            ("Lena", "lead"), ("Cody", "coder"), ("Dana", "coder")}  # fmt: skip
    finally:
        project.close()
    audit = rows(lab, "SELECT count(*) FROM audit_log")
    codes = rows(lab, "SELECT rater_id, item_id, note FROM code_events ORDER BY id")
    # merging the same packages again is a no-op
    again = ok("merge", *packages, project=lab)
    assert "nothing changed: already merged; no backup taken" in again
    assert rows(lab, "SELECT count(*) FROM audit_log") == audit
    assert rows(lab, "SELECT rater_id, item_id, note FROM code_events ORDER BY id") == codes


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A lead's project with Cody's and Dana's codes merged, and Dana's coder copy."""
    tmp = tmp_path_factory.mktemp("lab")
    lab = tmp / "lab.rcproj"
    ok("raters", "add", "Lena", "--role", "lead", "--create", project=lab)
    ok("import", str(SAMPLE), project=lab)
    for name in ("Cody", "Dana"):
        ok("raters", "add", name, project=lab)
        ok("handout", "--rater", name, "--out", str(tmp / f"{name}.rcproj"), project=lab)
        codes = write_codes(tmp / f"{name}.csv", [f"{SESSION},W1,3,{name} private note"])
        ok("codes", "import", str(codes), project=tmp / f"{name}.rcproj")
        ok("package", "--out", str(tmp / f"{name}.rcpkg"), project=tmp / f"{name}.rcproj")
        ok("merge", str(tmp / f"{name}.rcpkg"), project=lab)
    # Dana's copy made again after the merge: the lead's project now holds Cody's codes too
    ok("handout", "--rater", "Dana", "--out", str(tmp / "dana-again.rcproj"), project=lab)
    return tmp


ATTACKS = [
    (("package", "--rater", "Cody", "--out", "x.rcpkg"), "not 'Cody'"),
    (("export", "--out", "exported"), "exporting every rater's codes is for a lead"),
    (("agreement",), "inter-rater agreement is for a lead or a supervisor"),
    (("report", "--study", "--out", "study.docx"), "the study report is for a lead"),
    (
        ("report", "--session", SESSION, "--out", "s.docx"),
        "a session report (it shows every rater)",
    ),
    (("merge", "Cody.rcpkg"), "merging rater packages is for a lead"),
    (("raters", "add", "Eve", "--role", "lead"), "is for a lead"),
    (("raters", "set-role", "Dana", "--role", "lead"), "is for a lead"),
    (
        ("handout", "--rater", "Dana", "--out", "again.rcproj"),
        "handing out a coder copy is for a lead",
    ),
    (("codes", "import", "Cody.csv", "--rater", "Cody"), "not 'Cody'"),
    (("summary", "--session", SESSION, "--rater", "Cody"), "not 'Cody'"),
]


@pytest.mark.parametrize(("args", "words"), ATTACKS, ids=[" ".join(a[:2]) for a, _ in ATTACKS])
def test_a_coder_copy_refuses_the_lead_tools_and_other_raters(lab, args, words, monkeypatch):
    monkeypatch.chdir(lab)
    copy = lab / "dana-again.rcproj"
    before = rows(copy, "SELECT count(*) FROM code_events") + rows(
        copy, "SELECT count(*) FROM raters"
    )
    message = refused(*args, project=copy)
    assert words in message and "Dana's coder copy" in message, message
    assert "Cody" not in message.replace("'Cody'", "") or "not 'Cody'" in message
    after = rows(copy, "SELECT count(*) FROM code_events") + rows(
        copy, "SELECT count(*) FROM raters"
    )
    assert after == before
    assert not (lab / "x.rcpkg").exists() and not (lab / "exported").exists()
    assert not (lab / "study.docx").exists() and not (lab / "again.rcproj").exists()


def test_a_coder_copy_holds_nothing_of_the_other_raters(lab):
    """Dana's copy, made after Cody's codes were merged into the lead's project: no trace of
    Cody or the lead in its rows, its audit log, or its bytes (it was vacuumed)."""
    copy = lab / "dana-again.rcproj"
    assert rows(lab / "lab.rcproj", "SELECT count(*) FROM code_events") == [(2,)]
    assert rows(copy, "SELECT name, role FROM raters") == [("Dana", "coder")]
    assert rows(copy, "SELECT note FROM code_events") == [("Dana private note",)]
    for table in ("audit_log", "merged_packages", "consensus_decisions", "review_comments"):
        assert rows(copy, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert len(rows(copy, "SELECT rater_id FROM rater_keys")) == 1
    sequence = rows(copy, "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
    assert not sequence or rows(copy, "SELECT count(*) FROM sqlite_sequence") == [(0,)]
    raw = copy.read_bytes()
    assert b"Cody" not in raw and b"Lena" not in raw and b"Dana private note" in raw
    # a copy made again for the same rater keeps the same secret (earlier copies still sign)
    assert rows(copy, "SELECT secret FROM rater_keys") == rows(
        lab / "Dana.rcproj", "SELECT secret FROM rater_keys"
    )


def test_the_rater_commands_refuse_what_would_break_the_study(tmp_path):
    lab = tmp_path / "lab.rcproj"
    assert "--create" in refused(
        "raters", "add", "Lena", project=lab
    )  # no project made by accident
    assert not lab.exists()
    ok("raters", "add", "Lena", "--role", "lead", "--create", project=lab)
    ok("raters", "add", "Cody", project=lab)
    assert "already a rater 'Cody'" in refused("raters", "add", "cody ", project=lab)
    assert "no rater 'Nobody'" in refused(
        "raters", "set-role", "Nobody", "--role", "lead", project=lab
    )
    assert "only lead" in refused("raters", "set-role", "Lena", "--role", "coder", project=lab)
    assert "Cody is now a supervisor" in ok(
        "raters", "set-role", "Cody", "--role", "supervisor", project=lab
    )
    assert "coder copies are for coders" in refused(
        "handout", "--rater", "Cody", "--out", str(tmp_path / "c.rcproj"), project=lab
    )
    done = cli("raters", "set-role", "Cody", "--role", "boss", project=lab)
    assert done.returncode == 2 and "invalid choice: 'boss'" in done.stderr
    listed = json.loads(ok("raters", "--json", project=lab))
    assert sorted((r["name"], r["role"]) for r in listed) == [
        ("Cody", "supervisor"),
        ("Lena", "lead"),
    ]
    assert not (tmp_path / "c.rcproj").exists()
