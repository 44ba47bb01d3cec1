"""Rater names through the CLI, each command a separate process. Names are compared as a person
reads them: case ignored in every script (SQLite's lower() folds ASCII only, so "Émile" could be
added twice and then never found by name), composed and decomposed letters alike, inner spaces
collapsed; control and invisible characters are refused; ``codes import --rater ann`` files the
codes under the existing Ann instead of adding a second coder."""

from __future__ import annotations

import pytest
from test_lab_roundtrip import SAMPLE, SESSION, ok, refused, rows, write_codes


@pytest.fixture
def lab(tmp_path):
    lab = tmp_path / "lab.rcproj"
    ok("raters", "add", "Lena", "--role", "lead", "--create", project=lab)
    return lab


def names(lab):
    return sorted(n for (n,) in rows(lab, "select name from raters"))


@pytest.mark.parametrize("again", ["Émile", "ÉMILE", "E\u0301mile", "  émile ", "\uff25\u0301mile"])
def test_a_name_with_a_non_ascii_capital_is_one_rater(lab, again):
    ok("raters", "add", "Émile", project=lab)
    line = refused("raters", "add", again, project=lab)
    assert "there is already a rater 'Émile' (coder)" in line
    assert names(lab) == ["Lena", "Émile"]
    assert "Émile is now a supervisor" in ok(
        "raters", "set-role", again, "--role", "supervisor", project=lab
    )
    assert rows(lab, "select role from raters where name = 'Émile'") == [("supervisor",)]


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Ann\u200b", "U+200B"),
        ("A\nB", "U+000A"),
        ("Bob\x1b[31m", "U+001B"),
        ("\u202ennA", "U+202E"),
        ("Ann\tLee", "U+0009"),
    ],
)
def test_control_and_invisible_characters_are_refused(lab, name, found):
    line = refused("raters", "add", name, project=lab)
    assert "may not hold control or invisible characters" in line and found in line
    assert names(lab) == ["Lena"]


def test_long_names_and_the_consensus_name_are_refused_and_spaces_collapsed(lab):
    assert "at most 80 characters" in refused("raters", "add", "y" * 81, project=lab)
    assert "the app's own rater" in refused("raters", "add", "CONSENSUS", project=lab)
    ok("raters", "add", " Mary   Jane ", project=lab)
    assert "already a rater 'Mary Jane'" in refused("raters", "add", "mary jane", project=lab)
    assert names(lab) == ["Lena", "Mary Jane"]


def test_codes_import_finds_the_rater_whatever_the_case(lab, tmp_path):
    ok("import", str(SAMPLE), project=lab)
    ok("raters", "add", "Åsa", project=lab)
    codes = write_codes(tmp_path / "codes.csv", [f"{SESSION},W2,3,"])
    out = ok("codes", "import", str(codes), "--rater", "åsa", project=lab)
    assert "for Åsa in" in out and "a new coder" not in out
    assert names(lab) == ["Lena", "Åsa"]
    assert rows(lab, "select r.name from code_events c join raters r on r.id = c.rater_id") == [
        ("Åsa",)
    ]
    line = refused("codes", "import", str(codes), "--rater", "Eve\u200b", project=lab)
    assert "invisible" in line and names(lab) == ["Lena", "Åsa"]
    # the consensus is filled only by recorded reconcile decisions, never by an import
    for name in ("Consensus", " consensus "):
        line = refused("codes", "import", str(codes), "--rater", name, project=lab)
        assert "the app's own rater for reconciled codes" in line
    assert names(lab) == ["Lena", "Åsa"]
    assert rows(lab, "select count(*) from code_events") == [(1,)]
