"""The codebook format: the shipped codebooks pass; malformed ones are refused, each with its reason."""

from __future__ import annotations

import json
import re

import pytest

from rupture_coder.cli import main
from rupture_coder.codebook import load_codebook, parse_codebook_text
from rupture_coder.codebook.model import normalise_hotkey
from rupture_coder.errors import CodebookError
from rupture_coder.resources import codebooks_dir, default_codebook_path

INDIVIDUAL = default_codebook_path("individual").read_text(encoding="utf-8")
GROUP = default_codebook_path("group").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_shipped_codebooks_are_complete():
    ind = load_codebook(default_codebook_path("individual"))
    assert [i.id for i in ind.items()] == (
        [f"W{n}" for n in range(1, 8)]
        + [f"C{n}" for n in range(1, 8)]
        + [f"R{n}" for n in range(1, 12)]
    )
    assert ind.segment_length_s == 300
    assert {r.id for r in ind.ratings_for("segment")} == {
        "withdrawal_impact",
        "confrontation_impact",
        "segment_resolution",
    }
    session = {r.id: ind.scale(r.scale) for r in ind.ratings_for("session")}
    assert set(session) == {
        "session_resolution",
        "therapist_contribution",
        "overall_withdrawal",
        "overall_confrontation",
    }
    assert session["session_resolution"].allow_na and not session["therapist_contribution"].allow_na
    assert all((s.min, s.max) == (1, 5) for s in session.values())
    assert len(ind.hotkeys()) == 25
    assert "own words" in ind.provenance
    grp = load_codebook(default_codebook_path("group"))
    assert [i.id for i in grp.items()] == [i.id for i in ind.items()]
    assert [lv.id for lv in grp.group.levels] == [
        "member-therapist",
        "member-member",
        "member-group",
        "therapist-member",
        "therapist-group",
    ]
    assert set(grp.item("R4").actor_roles) == {"therapist", "member"}  # members repair too
    assert grp.item("C1").actor_roles == ["member"]


def test_cli_validates_shipped_codebooks(capsys):
    files = [str(p) for p in sorted(codebooks_dir().glob("*.yaml"))]
    assert main(["codebook", "validate", *files]) == 0
    out = capsys.readouterr().out
    assert out.count("OK ") == len(files) == 4


def test_cli_show_prints_items_and_json(capsys):
    assert main(["codebook", "show", str(default_codebook_path("group"))]) == 0
    out = capsys.readouterr().out
    assert "W1" in out and "[Q]" in out and "member-group" in out and "N/A allowed" in out
    assert main(["codebook", "show", "--json", str(default_codebook_path("individual"))]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "3rs-individual" and data["version"] == "1.0.0"


# Each malformed codebook: (name, text, field path, line, words the message must contain)
def _sub(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, old
    return text.replace(old, new, count)


MALFORMED = [
    (
        "duplicate item id",
        _sub(INDIVIDUAL, "      - id: W3\n", "      - id: W2\n"),
        "categories[0].items[2].id",
        line_of(INDIVIDUAL, "      - id: W3\n"),
        "duplicate item id 'W2'",
    ),
    (
        "unknown kind",
        _sub(INDIVIDUAL, '        hotkey: "4"\n', '        hotkey: "4"\n        kind: presense\n'),
        "categories[0].items[3].kind",
        line_of(INDIVIDUAL, '        hotkey: "4"\n') + 1,
        "'presence', 'count' or 'rating'",
    ),
    (
        "hotkey used twice",
        _sub(INDIVIDUAL, "        hotkey: W\n", "        hotkey: q\n"),
        "categories[1].items[1].hotkey",
        line_of(INDIVIDUAL, "        hotkey: W\n"),
        "hotkey 'Q' is used twice",
    ),
    (
        "scale min >= max",
        _sub(INDIVIDUAL, "    min: 1\n    max: 5\n", "    min: 5\n    max: 5\n"),
        "scales[0].max",
        line_of(INDIVIDUAL, "    max: 5\n"),
        "min (5) must be below max (5)",
    ),
    (
        "missing version",
        _sub(INDIVIDUAL, "version: 1.0.0\n", ""),
        "version",
        line_of(INDIVIDUAL, "format:"),
        "required field is missing",
    ),
    (
        "non-semantic version",
        _sub(INDIVIDUAL, "version: 1.0.0\n", "version: '1.0'\n"),
        "version",
        line_of(INDIVIDUAL, "version: 1.0.0"),
        "not a semantic version",
    ),
    (
        "mapping names an item that does not exist",
        _sub(
            INDIVIDUAL,
            "version: 1.0.0\n",
            "version: 1.1.0\nmappings:\n  - from_version: 1.0.0\n    items:\n"
            "      W7: {relation: renamed, to: [W9]}\n",
        ),
        "mappings[0].items.W7.to",
        line_of(INDIVIDUAL, "version: 1.0.0") + 4,
        "names item 'W9', which does not exist",
    ),
    (
        "rating names an unknown scale",
        _sub(INDIVIDUAL, "    scale: contribution\n", "    scale: contrib\n"),
        "ratings[4].scale",
        line_of(INDIVIDUAL, "    scale: contribution\n"),
        "names scale 'contrib', which does not exist",
    ),
    (
        "missing anchor label",
        _sub(INDIVIDUAL, "      2: slight strain, quickly passes\n", ""),
        "scales[0].anchors",
        line_of(INDIVIDUAL, "    anchors:\n"),
        "no anchor label for point(s) [2]",
    ),
    (
        "key given twice in YAML",
        _sub(INDIVIDUAL, "kind: individual\n", "kind: individual\nkind: group\n"),
        "kind",
        line_of(INDIVIDUAL, "kind: individual\n") + 1,
        "appears twice",
    ),
    (
        "unknown field",
        _sub(INDIVIDUAL, "        label: Denial\n", "        label: Denial\n        lable: typo\n"),
        "categories[0].items[0].lable",
        line_of(INDIVIDUAL, "        label: Denial\n") + 1,
        "unknown field 'lable'",
    ),
    (
        "group codebook without roles and levels",
        _sub(INDIVIDUAL, "kind: individual\n", "kind: group\n"),
        "kind",
        line_of(INDIVIDUAL, "kind: individual\n"),
        "needs a 'group' section",
    ),
    (
        "level with an unknown role",
        _sub(
            GROUP,
            "actor_role: member, target_role: therapist}",
            "actor_role: patient, target_role: therapist}",
        ),
        "group.levels[0].actor_role",
        line_of(GROUP, "actor_role: member, target_role: therapist}"),
        "actor role 'patient' is not one of the roles",
    ),
    (
        "rating item without a scale",
        _sub(INDIVIDUAL, '        hotkey: "6"\n', '        hotkey: "6"\n        kind: rating\n'),
        "categories[0].items[5].scale",
        line_of(INDIVIDUAL, "      - id: W6\n"),
        "needs one of the scales",
    ),
    (
        "broken YAML",
        _sub(INDIVIDUAL, "title: 3RS", "title: [3RS"),
        "",
        None,
        "not valid YAML",
    ),
    (
        "bad hotkey",
        _sub(INDIVIDUAL, "        hotkey: Z\n", "        hotkey: Hyper+Z\n"),
        "categories[2].items[9].hotkey",
        line_of(INDIVIDUAL, "        hotkey: Z\n"),
        "unknown modifier 'Hyper'",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "path", "line", "words"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_codebook_is_refused_with_its_reason(
    name, text, path, line, words, tmp_path, capsys
):
    with pytest.raises(CodebookError) as caught:
        parse_codebook_text(text, "bad.yaml")
    problems = caught.value.problems
    match = [p for p in problems if words in p.message]
    assert match, f"{name}: expected {words!r} in {[str(p) for p in problems]}"
    assert match[0].path == path
    if line is not None:
        assert match[0].line == line
    # the same through the command line: non-zero exit, the reason on stderr with file and line
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    assert main(["codebook", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "REFUSED" in err and words in err
    if line is not None:
        assert re.search(rf"bad\.yaml:{line}: {re.escape(path)}:", err), err


def test_every_problem_is_reported_at_once():
    text = _sub(
        _sub(INDIVIDUAL, "        hotkey: W\n", "        hotkey: Q\n"),
        "      - id: W3\n",
        "      - id: W2\n",
    )
    with pytest.raises(CodebookError) as caught:
        parse_codebook_text(text)
    assert len(caught.value.problems) == 2


def test_non_utf8_file_is_refused(tmp_path):
    bad = tmp_path / "latin.yaml"
    bad.write_bytes(INDIVIDUAL.replace("Denial", "D\u00e9ni").encode("cp1252"))
    with pytest.raises(CodebookError, match="not UTF-8"):
        load_codebook(bad)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("a", "A"),
        ("shift+a", "Shift+A"),
        ("Shift+Ctrl+f2", "Ctrl+Shift+F2"),
        ("1", "1"),
        ("space", "Space"),
    ],
)
def test_hotkeys_are_normalised(raw, canonical):
    assert normalise_hotkey(raw) == canonical


def test_documented_json_schema_matches_the_model():
    from rupture_coder.codebook.model import Codebook

    schema_file = codebooks_dir().parent / "docs" / "codebook.schema.json"
    if not schema_file.exists():
        pytest.skip("docs/ is not part of an installed package")
    documented = json.loads(schema_file.read_text(encoding="utf-8"))
    assert documented == Codebook.model_json_schema(), "regenerate docs/codebook.schema.json"
