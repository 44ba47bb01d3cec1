"""The codebook format's item levels, strategy families and N/A rule: accepted where they make
sense, refused with the file line and field otherwise; 1.0.0 files keep loading."""

from __future__ import annotations

import pytest

from rupture_coder.cli import main
from rupture_coder.codebook import CodebookError, load_codebook, parse_codebook_text
from rupture_coder.resources import codebooks_dir

GROUP = (codebooks_dir() / "3rs-group-1.1.0.yaml").read_text(encoding="utf-8")
INDIVIDUAL = (codebooks_dir() / "3rs-individual-1.1.0.yaml").read_text(encoding="utf-8")


def test_both_versions_of_both_codebooks_load():
    for name in ("individual", "group"):
        for version in ("1.0.0", "1.1.0"):
            cb = load_codebook(codebooks_dir() / f"3rs-{name}-{version}.yaml")
            assert cb.version == version
    old = load_codebook(codebooks_dir() / "3rs-individual-1.0.0.yaml")
    assert old.families() == [] and not any(r.na_only_without_rupture for r in old.ratings)
    new = parse_codebook_text(INDIVIDUAL)
    assert [f.id for f in new.families()] == ["immediate", "exploratory", "indirect"]
    assert new.rupture_type_of("R10") == "resolution" and new.rupture_type_of("nope") == "other"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GROUP.replace("levels: [member-therapist]\n", "levels: [member-nobody]\n", 1), 141,
         "level 'member-nobody' is not one of the levels"),
        (GROUP.replace("levels: [member-therapist]\n", "levels: [therapist-group]\n", 1), 141,
         "level 'therapist-group' has a therapist as actor, but the item is coded for ['member']"),
        (GROUP.replace("levels: [member-therapist]\n", "levels: []\n", 1), 141, "at least 1 item"),
        (INDIVIDUAL.replace("        hotkey: Q\n", "        hotkey: Q\n        levels: [member-member]\n", 1),
         None, "only items of a group codebook have levels"),
        (INDIVIDUAL.replace("items: [R1, R2, R3]", "items: [R1, R2, W3]"), 162,
         "'W3' is not an item of category 'resolution'"),
        (INDIVIDUAL.replace("items: [R9, R10, R11]", "items: [R9, R10, R1]"), 164,
         "'R1' is already in family 'immediate'"),
        (INDIVIDUAL.replace("{id: indirect,", "{id: immediate,"), 164, "duplicate family id 'immediate'"),
        (INDIVIDUAL.replace("  - id: contribution\n    min: 1\n    max: 5\n    allow_na: true\n",
                            "  - id: contribution\n    min: 1\n    max: 5\n    allow_na: false\n"),
         None, "scale 'contribution' does not allow N/A"),
    ],
)  # fmt: skip
def test_bad_levels_families_and_na_rules_are_refused_with_their_place(text, line, words):
    with pytest.raises(CodebookError) as refused:
        parse_codebook_text(text, "lab.yaml")
    problems = [str(p) for p in refused.value.problems]
    assert any(words in p for p in problems), problems
    if line is not None:
        assert any(p.startswith(f"lab.yaml:{line}:") for p in problems), problems


def test_codebook_show_prints_levels_families_and_the_mapping(capsys):
    assert main(["codebook", "show", str(codebooks_dir() / "3rs-group-1.1.0.yaml")]) == 0
    out = capsys.readouterr().out
    assert (
        "C1   [Q]       Complaints about the therapist - presence (actors: member) (levels: member-therapist)"
        in out
    )
    assert "family immediate: Immediate (renegotiating tasks and goals) (R1, R2, R3)" in out
    assert "N/A allowed only without ruptures" in out
    assert "Maps from 1.0.0: every item to the same id" in out
