"""Every worked example of docs/ratings.md checked from outside: the session's CODES.csv and
RATINGS.csv go in through ``rupture-coder codes import`` and the scores come out of
``rupture-coder summary --json`` (and ``agreement``, ``settings``, ``export``), each a separate
process, as a lab moving from spreadsheets runs them. The numbers are the ones worked out by hand
in docs/ratings.md (examples 1 to 11; example 8, calibration, is driven through its dialog in
tests/test_gui_calibration.py)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from score_sessions import GRP10, GRP11, IND10, IND11, register, timed_session
from test_scores import COUNT_CODEBOOK

from rupture_coder.resources import default_codebook_path
from rupture_coder.services import ProjectService
from rupture_coder.services.project import RegisterCodebook
from rupture_coder.store.db import open_project

EXE = Path(sys.executable).with_name("rupture-coder")
HEAD = "session,item,utterance,time_s,segment"
GHEAD = "session,item,utterance,actor,target,level"
RHEAD = "session,segment,scale,value"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=180)


def make_project(tmp_path: Path, *sessions: tuple) -> Path:
    """A project file with the bundled codebooks and the hand-built sessions (title, utterances,
    seconds between them, codebook)."""
    path = tmp_path / "lab.rcproj"
    project = open_project(path)
    svc = ProjectService(project, "setup")
    for kind in ("individual", "group"):
        p = default_codebook_path(kind)
        svc.run(RegisterCodebook(p.read_text(encoding="utf-8"), p.name))
    register(svc, IND11, GRP11)
    svc.run(RegisterCodebook(COUNT_CODEBOOK, "count-test.yaml"))
    for title, n, step, codebook in sessions:
        timed_session(svc, title, n=n, step=step, codebook=codebook)
    project.close()
    return path


def codes_import(project: Path, tmp_path: Path, rater: str, codes: str, ratings: str | None = None):
    """``codes import`` in its own process; the completed process."""
    codes_file = tmp_path / f"codes-{rater}.csv"
    codes_file.write_text(codes.strip() + "\n", encoding="utf-8")
    args = ["codes", "import", str(codes_file), "--project", str(project), "--rater", rater]
    if ratings is not None:
        ratings_file = tmp_path / f"ratings-{rater}.csv"
        ratings_file.write_text(ratings.strip() + "\n", encoding="utf-8")
        args += ["--ratings", str(ratings_file)]
    return run(*args, "--json")


def imported(project: Path, tmp_path: Path, rater: str, codes: str, ratings: str | None = None):
    done = codes_import(project, tmp_path, rater, codes, ratings)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def summary(project: Path, title: str, rater: str) -> dict:
    done = run("summary", "--project", str(project), "--session", title, "--rater", rater, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def setting(project: Path, key: str, value: str) -> None:
    done = run("settings", "set", key, value, "--project", str(project))
    assert done.returncode == 0, done.stderr


def agreement(project: Path, *args: str) -> dict:
    done = run("agreement", "--project", str(project), *args, "--json")
    assert done.returncode == 0, done.stderr
    return {r["key"]: r for r in json.loads(done.stdout)["results"]}


def ratings_rows(title: str, rating: str, values) -> str:
    return "\n".join(f"{title},{i},{rating},{v}" for i, v in enumerate(values, 1) if v is not None)


def episodes(s: dict) -> list[tuple]:
    return [(e["markers"], e["repairs"], e["segments"]) for e in s["episode_list"]]


def test_examples_1_to_3_episodes_and_repairs(tmp_path):
    project = make_project(
        tmp_path, ("E1", 10, 60, IND10), ("E2", 15, 60, IND10), ("E3", 20, 60, IND10)
    )
    # example 1: W2, W3, R4 on the segment form of segment 1; W5 on segment 2's form; R9 at 360 s
    e1 = f"{HEAD}\nE1,W2,,,1\nE1,W3,,,1\nE1,R4,,,1\nE1,W5,,,2\nE1,R9,7,,"
    # example 2: W2 on utterance 3 (120 s), R10 at 280 s, R1 at 610 s, C2 on utterance 12
    e2 = f"{HEAD}\nE2,W2,3,,\nE2,R10,,280,\nE2,R1,,610,\nE2,C2,12,,"
    # example 3: one three-marker episode repaired twice, then a two-segment episode
    e3 = f"{HEAD}\nE3,W2,2,,\nE3,W3,3,,\nE3,C2,4,,\nE3,R4,5,,\nE3,R7,7,,\nE3,W5,12,,\nE3,W4,17,,"
    assert imported(project, tmp_path, "Ann", e1 + "\n" + "\n".join(e2.splitlines()[1:])
                    + "\n" + "\n".join(e3.splitlines()[1:]))["codes"] == 16  # fmt: skip
    s = summary(project, "E1", "Ann")
    assert (s["segments"], s["episodes"], s["episodes_repaired"]) == (2, 2, 2)
    assert s["unlinked_strategies"] == 0
    assert episodes(s) == [(["W2", "W3"], ["R4"], [1]), (["W5"], ["R9"], [2])]
    s = summary(project, "E2", "Ann")
    assert (s["segments"], s["partial_segments"]) == (3, 1)
    assert (s["episodes"], s["episodes_repaired"], s["unlinked_strategies"]) == (2, 1, 1)
    assert episodes(s) == [(["W2"], ["R10"], [1]), (["C2"], [], [3])]
    assert [e["utterance"] for e in s["episode_list"]] == [3, 12]
    s = summary(project, "E3", "Ann")
    assert (s["episodes"], s["episodes_repaired"]) == (2, 1)
    assert (s["episodes_with_withdrawal"], s["episodes_with_confrontation"]) == (2, 1)
    assert episodes(s) == [(["W2", "W3", "C2"], ["R4", "R7"], [1]), (["W5", "W4"], [], [3, 4])]
    assert [e["repaired"] for e in s["episode_list"]] == [True, False]


def test_example_3b_the_repair_window_as_a_project_setting(tmp_path):
    project = make_project(tmp_path, ("E3b", 30, 60, IND10))
    imported(project, tmp_path, "Ann", f"{HEAD}\nE3b,W2,2,,\nE3b,R4,7,,\nE3b,C5,17,,\nE3b,R1,27,,")
    for window, repaired, unlinked in ((0, 0, 2), (1, 1, 1), (2, 2, 0)):
        setting(project, "summary.repair_window", str(window))
        s = summary(project, "E3b", "Ann")
        assert (s["segments"], s["repair_window"], s["episodes"]) == (6, window, 2)
        assert (s["episodes_repaired"], s["unlinked_strategies"]) == (repaired, unlinked), window


def test_examples_4_and_5_frequencies_count_segments_and_counts(tmp_path):
    project = make_project(tmp_path, ("E4", 10, 60, IND10), ("E5", 10, 60, ("count-test", "1.0.0")))
    imported(project, tmp_path, "Ann", f"{HEAD}\nE4,W3,2,,\nE4,W3,3,,\nE4,W3,4,,")
    imported(project, tmp_path, "Bob", f"{HEAD}\nE4,W3,3,,")
    for name in ("Ann", "Bob"):
        s = summary(project, "E4", name)
        assert (s["item_segments"]["W3"], s["item_frequency"]["W3"]) == (1, 1)
        assert s["category_frequency"] == {"withdrawal": 1, "confrontation": 0, "resolution": 0}
    freq = agreement(project, "--unit", "session-frequency", "--codebook", "3rs-individual@1.0.0")
    assert freq["W3"]["percent_agreement"]["value"] == 1.0  # both 1 (before: Ann 3, Bob 1)
    # example 5: W2 is a count item; counts 3 + 1 in segment 1 and 2 in segment 2
    imported(
        project, tmp_path, "Cem", "session,item,utterance,count\nE5,W2,2,3\nE5,W2,4,1\nE5,W2,8,2"
    )
    s = summary(project, "E5", "Cem")
    assert (s["item_frequency"]["W2"], s["item_segments"]["W2"]) == (6, 2)
    assert s["category_frequency"]["withdrawal"] == 6
    # the exports hold the same numbers (one implementation)
    done = run("export", "--project", str(project), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "out" / "summaries.csv", encoding="utf-8") as fh:
        rows = {(r["session"], r["rater"]): r for r in csv.DictReader(fh)}
    assert rows[("E5", "Cem")]["withdrawal_frequency"] == "6"
    assert rows[("E4", "Ann")]["withdrawal_frequency"] == "1"
    with open(tmp_path / "out" / "segments.csv", encoding="utf-8") as fh:
        w2 = [r["value"] for r in csv.DictReader(fh) if r["session"] == "E5" and r["item"] == "W2"]
    assert w2 == ["4", "2"]


def test_example_6_blanks_where_nothing_happened(tmp_path):
    project = make_project(tmp_path, ("E6", 30, 60, IND10))
    imported(project, tmp_path, "Ann", f"{HEAD}\nE6,W2,2,,", f"{RHEAD}\nE6,1,withdrawal_impact,3")
    imported(project, tmp_path, "Bob", f"{HEAD}\nE6,W2,2,,",
             f"{RHEAD}\n" + ratings_rows("E6", "withdrawal_impact", [3, 1, 1, 1, 1, 1]))  # fmt: skip
    imported(project, tmp_path, "Cem", f"{HEAD}\nE6,W2,2,,\nE6,W3,8,,",
             f"{RHEAD}\nE6,1,withdrawal_impact,4")  # fmt: skip
    ann, bob, cem = (summary(project, "E6", n) for n in ("Ann", "Bob", "Cem"))
    w = ann["ratings"]["withdrawal_impact"]
    assert (w["mean"], w["max"], w["n"], w["rated"], w["implied"]) == (1.3333, 3, 6, 1, 5)
    w = bob["ratings"]["withdrawal_impact"]
    assert (w["mean"], w["max"], w["n"], w["rated"], w["implied"]) == (1.3333, 3, 6, 6, 0)
    assert ann["share_at_threshold"]["withdrawal"] == bob["share_at_threshold"]["withdrawal"]
    assert ann["share_at_threshold"]["withdrawal"] == 0.1667
    w = cem["ratings"]["withdrawal_impact"]
    assert (w["mean"], w["max"], w["n"], w["missing"]) == (1.6, 4, 5, 1)
    assert cem["share_at_threshold"]["withdrawal"] == 0.2
    assert (
        "segment 2: Withdrawal impact is not rated although W3 is coded (left out of the scores)"
        in cem["warnings"]
    )
    c = ann["ratings"]["confrontation_impact"]
    assert (c["mean"], c["max"], c["n"], c["implied"]) == (1.0, 1, 6, 6)
    assert ann["share_at_threshold"]["confrontation"] == 0.0
    r = ann["ratings"]["segment_resolution"]
    assert (r["mean"], r["max"], r["n"], r["missing"]) == (None, None, 0, 6)
    assert not ann["complete"] and "the session is not marked complete" in ann["warnings"]
    # the segment-rating agreement uses the same values used: Ann and Bob agree on all six
    rated = agreement(project, "--unit", "segment-rating", "--raters", "Ann,Bob",
                      "--codebook", "3rs-individual@1.0.0")  # fmt: skip
    impact = rated["withdrawal_impact"]
    assert (impact["n_units"], impact["percent_agreement"]["value"]) == (6, 1.0)


def test_example_7_shares_rates_and_families(tmp_path):
    project = make_project(tmp_path, ("E7", 20, 60, IND11))
    imported(project, tmp_path, "Ann", f"""{HEAD}
E7,W2,2,,
E7,R1,3,,
E7,R2,4,,
E7,C3,7,,
E7,W3,16,,
E7,W4,17,,
E7,R4,18,,
E7,R10,19,,""", f"{RHEAD}\n" + ratings_rows("E7", "withdrawal_impact", [2, 1, 1, 3])
             + "\n" + ratings_rows("E7", "confrontation_impact", [1, 3, 1, 1]))  # fmt: skip
    s = summary(project, "E7", "Ann")
    assert (s["segments"], s["partial_segments"], s["duration_s"]) == (4, 1, 1140.0)
    assert (s["episodes"], s["episodes_repaired"]) == (3, 2)
    assert (s["segments_with_withdrawal"], s["segments_with_confrontation"]) == (2, 1)
    assert (s["segments_with_any_marker"], s["rupture_share"]) == (3, 0.75)
    assert s["share_at_threshold"] == {"withdrawal": 0.25, "confrontation": 0.25}
    assert s["rupture_share_at_threshold"] == 0.5
    assert s["ruptures_per_5_min"] == 0.7895  # 3 x 300 / 1140, not 3 / 4
    assert s["category_frequency"] == {"withdrawal": 3, "confrontation": 1, "resolution": 4}
    assert s["family_frequency"] == {"immediate": 2, "exploratory": 1, "indirect": 1}
    assert s["family_segments"] == {"immediate": 1, "exploratory": 1, "indirect": 1}
    w, c = s["ratings"]["withdrawal_impact"], s["ratings"]["confrontation_impact"]
    assert (w["mean"], w["max"], c["mean"], c["max"]) == (1.75, 3, 1.5, 3)
    setting(project, "summary.impact_threshold", "2")
    s = summary(project, "E7", "Ann")
    assert s["impact_threshold"] == 2
    assert s["share_at_threshold"] == {"withdrawal": 0.5, "confrontation": 0.25}
    assert s["rupture_share_at_threshold"] == 0.75


def test_example_9_group_pairings_levels_and_actors(tmp_path):
    project = make_project(tmp_path, ("G9", 18, 30, GRP11))
    imported(project, tmp_path, "Kim", f"""{GHEAD}
G9,W2,2,Ann,Leader,member-therapist
G9,C6,3,Bob,Ann,member-member
G9,R9,4,Leader,,therapist-group
G9,R1,5,Ann,Bob,member-member
G9,W4,6,Bob,,member-group
G9,R10,7,Leader,,therapist-group
G9,R4,10,Leader,Ann,therapist-member
G9,C3,12,Bob,Leader,member-therapist
G9,R9,13,Leader,,therapist-group""")  # fmt: skip
    s = summary(project, "G9", "Kim")
    assert (s["segments"], s["episodes"], s["episodes_repaired"]) == (2, 4, 3)
    assert s["unlinked_strategies"] == 1
    found = {
        tuple(e["markers"]): (e["repairs"], e["pairing"], e["level"]) for e in s["episode_list"]
    }
    assert found == {
        ("W2",): (["R4"], ["Ann", "Leader"], "member-therapist"),
        ("C6",): (["R1"], ["Ann", "Bob"], "member-member"),
        ("W4",): (["R10", "R9"], ["Bob", "group"], "member-group"),
        ("C3",): ([], ["Bob", "Leader"], "member-therapist"),
    }
    levels = s["by_level"]
    assert {k: (v["episodes"], v["episodes_repaired"]) for k, v in levels.items() if v["episodes"]} == {
        "member-therapist": (2, 1),
        "member-member": (1, 1),
        "member-group": (1, 1),
    }  # fmt: skip
    assert levels["therapist-group"]["segments_with_resolution"] == 2
    assert levels["therapist-group"]["item_segments"] == {"R9": 2, "R10": 1}
    assert levels["therapist-member"]["segments_with_resolution"] == 1
    assert levels["member-member"]["segments_with_resolution"] == 1
    assert s["by_actor"] == {
        "Ann": {"withdrawal": 1, "confrontation": 0, "resolution": 1},
        "Bob": {"withdrawal": 1, "confrontation": 2, "resolution": 0},
        "Leader": {"withdrawal": 0, "confrontation": 0, "resolution": 4},
    }


def test_example_9b_agreement_on_the_joint_unit(tmp_path):
    project = make_project(tmp_path, ("G9b", 18, 30, GRP10))
    imported(project, tmp_path, "Kim", f"{GHEAD}\nG9b,C1,2,Ann,Bob,member-member")
    imported(project, tmp_path, "Lee", f"{GHEAD}\nG9b,C1,3,Bob,Leader,member-therapist")
    res = agreement(project, "--unit", "segment-presence", "--raters", "Kim,Lee",
                    "--codebook", "3rs-group@1.0.0")  # fmt: skip
    assert (res["C1"]["n_units"], res["C1"]["percent_agreement"]["value"]) == (2, 1.0)
    joint = res["C1@joint"]
    assert (joint["kind"], joint["n_units"], joint["percent_agreement"]["value"]) == (
        "joint",
        4,
        0.5,
    )


def test_example_10_the_group_codebook_refuses_items_at_the_wrong_level(tmp_path):
    project = make_project(tmp_path, ("G10", 18, 30, GRP11), ("G10 old", 18, 30, GRP10))
    done = codes_import(project, tmp_path, "Kim", f"""{GHEAD}
G10,C1,2,Ann,Leader,member-therapist
G10,C1,5,Ann,Bob,member-member
G10,C3,8,Ann,Bob,member-member
G10,R4,11,Ann,Bob,member-member""")  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    problems = json.loads(done.stdout)["problems"]
    assert len(problems) == 2
    assert "line 3" in problems[0]
    assert "item C1 may be coded only at level member-therapist, not member-member" in problems[0]
    assert "line 4" in problems[1] and "member-therapist or member-group" in problems[1]
    assert "nothing was imported" in done.stderr
    good = f"{GHEAD}\nG10,C1,2,Ann,Leader,member-therapist\nG10,R4,11,Ann,Bob,member-member"
    assert imported(project, tmp_path, "Kim", good)["codes"] == 2
    # a 1.0.0 session keeps working: C1 between members is accepted there
    assert (
        imported(project, tmp_path, "Kim", f"{GHEAD}\nG10 old,C1,5,Ann,Bob,member-member")["codes"]
        == 1
    )
    s = summary(project, "G10", "Kim")
    assert (s["episodes"], s["episodes_repaired"], s["codebook"]) == (1, 0, "3rs-group@1.1.0")


def test_example_11_na_only_while_no_rupture_is_coded(tmp_path):
    project = make_project(tmp_path, ("E11", 10, 60, IND11), ("E11b", 10, 60, IND11))
    # no code: N/A on the session's resolution and the therapist's contribution is accepted
    nothing = imported(project, tmp_path, "Ann", HEAD,
                       f"{RHEAD}\nE11,,session_resolution,NA\nE11,,therapist_contribution,NA")  # fmt: skip
    assert (nothing["codes"], nothing["ratings"]) == (0, 2)
    s = summary(project, "E11", "Ann")
    assert s["session_ratings"] == {"session_resolution": "N/A", "therapist_contribution": "N/A"}
    # with W2 coded in segment 1, N/A is refused for the session and for segment 1, not segment 2
    done = codes_import(project, tmp_path, "Bob", f"{HEAD}\nE11b,W2,2,,", f"""{RHEAD}
E11b,,session_resolution,NA
E11b,,therapist_contribution,NA
E11b,1,segment_resolution,NA
E11b,2,segment_resolution,NA""")  # fmt: skip
    assert done.returncode == 1
    problems = json.loads(done.stdout)["problems"]
    assert len(problems) == 3, problems
    assert (
        "line 2" in problems[0]
        and (
            "Session resolution: N/A means that no rupture occurred, but 1 rupture marker is coded in "
            "this session (W2 in segment 1); give a value from 1 to 5"
        )
        in problems[0]
    )
    assert (
        "line 3" in problems[1] and "Therapist contribution to ruptures: N/A means" in problems[1]
    )
    assert "line 4" in problems[2] and "in this segment (W2)" in problems[2]
    done = run("summary", "--project", str(project), "--session", "E11b", "--rater", "Bob")
    assert done.returncode == 1 and "no rater 'Bob'" in done.stderr  # nothing was imported
    ok = imported(project, tmp_path, "Bob", f"{HEAD}\nE11b,W2,2,,",
                  f"{RHEAD}\nE11b,,session_resolution,3\nE11b,2,segment_resolution,NA")  # fmt: skip
    assert (ok["codes"], ok["ratings"]) == (1, 2)
    s = summary(project, "E11b", "Bob")
    assert s["session_ratings"] == {"session_resolution": 3}
    assert (s["ratings"]["segment_resolution"]["na"], s["ratings"]["segment_resolution"]["n"]) == (
        1,
        0,
    )
