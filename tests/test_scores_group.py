"""Group sessions: pairing of repairs, scores by level and actor, joint-unit agreement, and the
adapted group codebook (docs/ratings.md, examples 9, 9b and 10)."""

from __future__ import annotations

import pytest
from score_sessions import GRP10, GRP11, load, register, summary, timed_session

from rupture_coder.codebook import load_codebook
from rupture_coder.errors import ImportFileError
from rupture_coder.resources import codebooks_dir
from rupture_coder.study.tables import load_study

HEAD = "session,item,utterance,actor,target,level"


def test_example_9_repairs_count_for_the_same_pairing_or_the_group_level(service, tmp_path):
    register(service, GRP11)
    timed_session(service, "G9", n=18, step=30, codebook=GRP11)
    load(
        service,
        tmp_path,
        "Kim",
        f"""{HEAD}
G9,W2,2,Ann,Leader,member-therapist
G9,C6,3,Bob,Ann,member-member
G9,R9,4,Leader,,therapist-group
G9,R1,5,Ann,Bob,member-member
G9,W4,6,Bob,,member-group
G9,R10,7,Leader,,therapist-group
G9,R4,10,Leader,Ann,therapist-member
G9,C3,12,Bob,Leader,member-therapist
G9,R9,13,Leader,,therapist-group""",
    )
    s = summary(service, "G9", "Kim")
    assert (s.segments, s.episodes, s.episodes_repaired, s.unlinked_strategies) == (2, 4, 3, 1)
    episodes = {tuple(e.markers): e for e in s.episode_list}
    assert episodes[("W2",)].repairs == ["R4"] and episodes[("W2",)].pairing == ["Ann", "Leader"]
    assert episodes[("C6",)].repairs == ["R1"] and episodes[("C6",)].level == "member-member"
    assert episodes[("W4",)].repairs == ["R10", "R9"] and episodes[("W4",)].pairing == [
        "Bob",
        "group",
    ]
    assert episodes[("C3",)].repairs == [] and not episodes[("C3",)].repaired
    levels = s.by_level
    assert (
        levels["member-therapist"]["episodes"],
        levels["member-therapist"]["episodes_repaired"],
    ) == (2, 1)
    assert (levels["member-member"]["episodes"], levels["member-member"]["episodes_repaired"]) == (
        1,
        1,
    )
    assert (levels["member-group"]["episodes"], levels["member-group"]["episodes_repaired"]) == (
        1,
        1,
    )
    assert levels["member-therapist"]["segments_with_withdrawal"] == 1
    assert levels["member-therapist"]["segments_with_confrontation"] == 1
    assert levels["therapist-group"]["segments_with_resolution"] == 2
    assert levels["therapist-group"]["item_segments"] == {"R9": 2, "R10": 1}
    assert levels["therapist-member"]["segments_with_resolution"] == 1
    assert levels["member-member"]["segments_with_resolution"] == 1
    assert s.by_actor["Ann"] == {"withdrawal": 1, "confrontation": 0, "resolution": 1}
    assert s.by_actor["Bob"] == {"withdrawal": 1, "confrontation": 2, "resolution": 0}
    assert s.by_actor["Leader"] == {"withdrawal": 0, "confrontation": 0, "resolution": 4}


def test_example_9b_agreement_on_the_joint_unit(service, tmp_path):
    timed_session(service, "G9b", n=18, step=30, codebook=GRP10)
    load(service, tmp_path, "Kim", f"{HEAD}\nG9b,C1,2,Ann,Bob,member-member")
    load(service, tmp_path, "Lee", f"{HEAD}\nG9b,C1,3,Bob,Leader,member-therapist")
    study = load_study(service.project, "segment-presence", ["Kim", "Lee"], codebook=GRP10)
    tables = {t.key: t for t in study.tables}
    item = tables["C1"].data.pivot(index="unit", columns="rater", values="value")
    assert (item.Kim == item.Lee).mean() == 1.0  # on the item alone they agree
    joint = tables["C1@joint"]
    assert joint.kind == "joint"
    wide = joint.data.pivot(index="unit", columns="rater", values="value")
    assert len(wide) == 4 and (wide.Kim == wide.Lee).mean() == 0.5
    assert sorted(wide.Kim.tolist()) == [0, 0, 0, 1] and sorted(wide.Lee.tolist()) == [0, 0, 0, 1]
    assert "confrontation@joint" in tables and "W2@joint" in tables


def test_example_10_the_group_codebook_restricts_items_by_level(service, tmp_path):
    register(service, GRP11)
    timed_session(service, "G10", n=18, step=30, codebook=GRP11)
    with pytest.raises(ImportFileError) as refused:
        load(
            service,
            tmp_path,
            "Kim",
            f"""{HEAD}
G10,C1,2,Ann,Leader,member-therapist
G10,C1,5,Ann,Bob,member-member
G10,C3,8,Ann,Bob,member-member
G10,R4,11,Ann,Bob,member-member""",
        )
    problems = [str(p) for p in refused.value.problems]
    assert len(problems) == 2
    assert "line 3" in problems[0] and "level" in problems[0]
    assert "item C1 may be coded only at level member-therapist, not member-member" in problems[0]
    assert "line 4" in problems[1] and "member-therapist or member-group" in problems[1]
    accepted = load(
        service,
        tmp_path,
        "Kim",
        f"""{HEAD}
G10,C1,2,Ann,Leader,member-therapist
G10,R4,11,Ann,Bob,member-member""",
    )
    assert accepted.codes == 2
    # 1.0.0 projects keep working: the same C1 between members is still accepted there
    timed_session(service, "G10 old", n=18, step=30, codebook=GRP10)
    assert load(service, tmp_path, "Kim", f"{HEAD}\nG10 old,C1,5,Ann,Bob,member-member").codes == 1


def test_group_1_1_0_wording_fits_every_level_it_may_be_coded_at():
    cb = load_codebook(codebooks_dir() / "3rs-group-1.1.0.yaml")
    member_levels = [lv.id for lv in cb.group.levels if lv.target_role != "therapist"]
    for item in cb.items():
        levels = item.levels or [lv.id for lv in cb.group.levels]
        if set(levels) & set(member_levels):
            assert "therapist" not in item.label.lower(), item.id
    for item in cb.category_of("R1").items:
        assert item.definition.startswith("The therapist or a member"), item.id
    assert cb.item("C1").levels == ["member-therapist"]
    old = load_codebook(codebooks_dir() / "3rs-group-1.0.0.yaml")
    assert cb.mappings[0].from_version == "1.0.0" and {i.id for i in old.items()} == {
        i.id for i in cb.items()
    }


def test_codes_of_group_1_0_0_and_1_1_0_are_compared_through_the_mapping(service, tmp_path):
    register(service, GRP11)
    timed_session(service, "old", n=18, step=30, codebook=GRP10)
    timed_session(service, "new", n=18, step=30, codebook=GRP11)
    load(
        service,
        tmp_path,
        "Kim",
        f"{HEAD}\nold,W2,2,Ann,Leader,member-therapist\nnew,W2,2,Ann,Leader,member-therapist",
    )
    study = load_study(
        service.project, "session-frequency", ["Kim"], codebook=("3rs-group", "1.1.0")
    )
    assert next(t for t in study.tables if t.key == "W2").data.value.tolist() == [1, 1]
