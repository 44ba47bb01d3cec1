"""Agreement and summaries on a project's codes: units as 3RS labs define them, across versions."""

from __future__ import annotations

import json

import pytest
from helpers import IND, make_session
from test_versions import V1, V11

from rupture_coder.cli import main
from rupture_coder.errors import StudyError
from rupture_coder.services import queries
from rupture_coder.services.coding import AddCode, CodeSpec
from rupture_coder.services.project import AddRater, RegisterCodebook
from rupture_coder.store.db import open_project
from rupture_coder.study.summaries import session_summary
from rupture_coder.study.tables import load_study


def run_json(capsys, *args) -> dict:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def by_key(out: dict) -> dict:
    return {r["key"]: r for r in out["results"]}


def test_segment_presence_on_the_demo(demo_path, capsys):
    out = run_json(
        capsys,
        "agreement",
        "--project",
        str(demo_path),
        "--codebook",
        "3rs-individual@1.0.0",
        "--json",
    )
    assert out["unit"] == "segment-presence" and out["raters"] == ["Demo coder", "Second coder"]
    res = by_key(out)
    assert len(res) == 25 + 3  # every item, and each category pooled
    w2 = res["W2"]  # both coded W2 in segment 1 only
    assert (w2["n_units"], w2["percent_agreement"]["value"], w2["cohen_kappa"]["value"]) == (
        3,
        1.0,
        1.0,
    )
    c3 = res["C3"]  # only the demo coder coded C3 (segment 1): agreement on 2 of 3 segments
    assert c3["percent_agreement"]["value"] == pytest.approx(2 / 3)
    assert c3["cohen_kappa"]["confusion_matrix"]["counts"] == [[2, 0], [1, 0]]  # rows: Demo coder
    r11 = res["R11"]  # nobody coded it: agreement is perfect but kappa is not defined
    assert r11["percent_agreement"]["value"] == 1.0 and r11["cohen_kappa"]["value"] is None
    assert "chance agreement is 1" in r11["cohen_kappa"]["reason"]
    assert (
        res["withdrawal"]["kind"] == "category"
        and res["withdrawal"]["percent_agreement"]["value"] == 1.0
    )


def test_segment_and_session_ratings_on_the_demo(demo_path, capsys):
    out = run_json(capsys, "agreement", "--project", str(demo_path), "--codebook", "3rs-individual@1.0.0",
                   "--unit", "segment-rating", "--json")  # fmt: skip
    res = by_key(out)
    assert set(res) == {"withdrawal_impact", "confrontation_impact", "segment_resolution"}
    wi = res["withdrawal_impact"]  # [4, 2, 1] by both coders
    assert wi["icc"]["ICC(2,1)"]["value"] == pytest.approx(1.0) and wi["level"] == "interval"
    ci = res["confrontation_impact"]  # [3, 1, 1] vs [2, 1, 1]
    assert 0 < ci["icc"]["ICC(2,1)"]["value"] < 1 and ci["icc"]["ICC(2,1)"]["band"]
    assert res["segment_resolution"]["n_units"] == 2  # segment 3 is N/A for both: not a rating
    na = res["segment_resolution"]["na_agreement"]  # ... but both agree it is N/A
    assert na["percent_agreement"]["value"] == 1.0 and na["percent_agreement"]["n_units"] == 3
    assert na["specific_agreement_na"]["value"] == 1.0
    # project mode takes the categories from the codebook's scale, used or not
    assert wi["categories"] == ["1", "2", "3", "4", "5"] and wi["categories_declared"] is True
    assert wi["n_clusters"] == 1 and "no bootstrap CI below 5" in wi["bootstrap"]["note"]
    sess = run_json(capsys, "agreement", "--project", str(demo_path), "--codebook", "3rs-individual@1.0.0",
                    "--unit", "session-rating", "--json")  # fmt: skip
    one = by_key(sess)["session_resolution"]
    assert one["n_units"] == 1 and one["icc"]["ICC(2,1)"]["value"] is None
    assert "fewer than two units" in one["icc"]["ICC(2,1)"]["reason"]


def test_project_errors_are_explained(demo_path, capsys):
    assert main(["agreement", "--project", str(demo_path)]) == 1
    assert "2 different codebooks" in capsys.readouterr().err
    assert (
        main(
            [
                "agreement",
                "--project",
                str(demo_path),
                "--codebook",
                "3rs-individual@1.0.0",
                "--raters",
                "Nobody",
            ]
        )
        == 1
    )
    assert "no rater 'Nobody'" in capsys.readouterr().err


def test_codes_of_two_versions_are_compared_only_through_a_mapping(service):
    session, utts, _segs, _ = make_session(service, n=12, step=60)
    service.run(RegisterCodebook(V11, "v11.yaml"))
    ann, bob = (service.run(AddRater(n)).result for n in ("Ann", "Bob"))
    service.run(AddCode(session.id, ann.id, IND, CodeSpec("W7", utts[2].id)))  # 1.0.0: W7
    service.run(
        AddCode(session.id, bob.id, ("3rs-individual", "1.1.0"), CodeSpec("W8", utts[3].id))
    )  # 1.1.0: W8
    study = load_study(service.project, "segment-presence")
    assert study.codebook.version == "1.1.0"
    w8 = next(t for t in study.tables if t.key == "W8").data
    assert sorted(w8[w8.value == 1].rater) == [
        "Ann",
        "Bob",
    ]  # Ann's W7 carried to W8 by the mapping
    unmapped = V1.replace("version: 1.0.0", "version: 2.0.0")
    service.run(RegisterCodebook(unmapped, "v2.yaml"))
    with pytest.raises(StudyError, match=r"2\.0\.0 declares no mapping from 1\.[01]\.0"):
        load_study(service.project, "segment-presence")


def test_session_summary_of_the_demo_coder(demo_path):
    p = open_project(demo_path)
    session = next(s for s in queries.list_sessions(p) if s.title == "Individual session 7")
    rater = next(r for r in queries.raters(p) if r.name == "Demo coder")
    s = session_summary(p, session.id, rater.id)
    # by hand (docs/ratings.md): presence items count the segments they occur in, so the two W2
    # codes of segment 1 count once; R4 occurs in segments 1 and 2
    assert s.category_frequency == {"withdrawal": 6, "confrontation": 2, "resolution": 8}
    assert s.item_segments["W2"] == 1 and s.item_frequency["W2"] == 1
    assert (s.segments_with_withdrawal, s.segments_with_confrontation) == (2, 1)
    assert s.ratings["withdrawal_impact"].mean == pytest.approx(7 / 3, abs=1e-4)
    assert s.ratings["confrontation_impact"].mean == pytest.approx(5 / 3, abs=1e-4)
    assert (s.ratings["withdrawal_impact"].max, s.ratings["confrontation_impact"].max) == (4, 3)
    assert s.rupture_share_at_threshold == pytest.approx(1 / 3, abs=1e-4)  # segment 1 only
    assert (s.ratings["segment_resolution"].mean, s.ratings["segment_resolution"].na) == (4, 1)
    assert s.session_ratings["session_resolution"] == 4
    # episodes: {W2, W2, W3, W5, W4} R4; {W1} R9; {C3, C5} R5 R3 R2; {W7} R4 R7 R8
    assert (s.episodes, s.episodes_repaired) == (4, 4)
    assert [e.markers for e in s.episode_list] == [
        ["W2", "W2", "W3", "W5", "W4"],
        ["W1"],
        ["C3", "C5"],
        ["W7"],
    ]
    last = s.episode_list[-1]
    assert (last.segments, last.repairs) == ([2], ["R4", "R7", "R8"])
    assert s.episode_list[2].repairs == ["R5", "R3", "R2"]
    p.close()
