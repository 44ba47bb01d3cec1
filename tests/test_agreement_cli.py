"""``rupture-coder agreement FILE``: any tidy table, JSON and readable output."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from test_agreement_stats import KRIPPENDORFF_2011, SHROUT_FLEISS

from rupture_coder.agreement import from_long
from rupture_coder.agreement.coefficients import gwet_ac
from rupture_coder.cli import main


def tidy(rows, path):
    long = [
        (u, f"coder {chr(65 + r)}", v)
        for u, row in enumerate(rows)
        for r, v in enumerate(row)
        if v is not None
    ]
    pd.DataFrame(long, columns=["segment", "coder", "score"]).to_csv(path, index=False)
    return str(path)


def agreement(path: str, *extra: str) -> int:
    return main(
        ["agreement", path, "--unit", "segment", "--rater", "coder", "--value", "score", *extra]
    )


def test_json_keys_and_values(tmp_path, capsys):
    path = tidy(KRIPPENDORFF_2011, tmp_path / "k.csv")
    assert agreement(path, "--level", "interval", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["n_units"], out["n_raters"]) == (11, 4)
    for key in (
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac1",
        "icc",
    ):
        assert key in out
    assert (
        round(out["krippendorff_alpha"]["value"], 3) == 0.849
        and len(out["krippendorff_alpha"]["ci95"]) == 2
    )
    assert (
        out["cohen_kappa"]["value"] is None and "exactly two raters" in out["cohen_kappa"]["reason"]
    )
    assert set(out["icc"]) == {
        "ICC(1,1)",
        "ICC(2,1)",
        "ICC(3,1)",
        "ICC(1,k)",
        "ICC(2,k)",
        "ICC(3,k)",
    }


def test_icc_through_the_cli_and_readable_output(tmp_path, capsys):
    path = tidy(SHROUT_FLEISS, tmp_path / "sf.csv")
    assert agreement(path, "--level", "interval") == 0
    text = capsys.readouterr().out
    assert "6 units with two or more ratings, 4 raters" in text
    assert "ICC(2,1) two-way random effects, absolute agreement" in text and "0.290" in text


def test_two_raters_weighted_kappa(tmp_path, capsys):
    rng = np.random.default_rng(5)
    a = rng.integers(1, 6, 60)
    b = np.clip(a + rng.integers(-1, 2, 60), 1, 5)
    path = tidy(np.c_[a, b].tolist(), tmp_path / "two.csv")
    assert main(["agreement", path, "--unit", "segment", "--rater", "coder", "--value", "score",
                 "--level", "ordinal", "--weights", "linear", "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    from sklearn.metrics import cohen_kappa_score

    assert out["cohen_kappa"]["value"] == pytest.approx(
        cohen_kappa_score(a, b, weights="linear"), abs=1e-6
    )
    assert "linear" in out["cohen_kappa"]["name"] and "icc" not in out


def test_bad_tables_are_refused_with_the_reason(tmp_path, capsys):
    path = tidy([[1, 2], [2, 2]], tmp_path / "t.csv")
    assert (
        main(["agreement", path, "--unit", "segment", "--rater", "rater", "--value", "score"]) == 1
    )
    assert "no column 'rater'; the columns are segment, coder, score" in capsys.readouterr().err
    assert main(["agreement", path, "--unit", "segment"]) == 1
    assert "--rater COL" in capsys.readouterr().err


def test_annomi_ten_annotators_client_talk_type(annomi_dir, capsys):
    """The worked example of docs/agreement.md."""
    csv = str(annomi_dir / "AnnoMI-full.csv")
    assert main(["agreement", csv, "--unit", "transcript_id,utterance_id", "--rater", "annotator_id",
                 "--value", "client_talk_type", "--missing", "n/a", "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert (out["n_units"], out["n_raters"]) == (212, 10)
    assert out["categories"] == ["change", "neutral", "sustain"]
    assert round(out["krippendorff_alpha"]["value"], 3) == 0.467
    # Gwet's conventions: the 4,605 client utterances coded once count for chance agreement
    assert out["n_units_rated"] == 4817 and out["fleiss_kappa"]["n_units_chance"] == 4817
    from irrCAC.raw import CAC

    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df = df[df.client_talk_type != "n/a"]
    wide = df.pivot(
        index=["transcript_id", "utterance_id"], columns="annotator_id", values="client_talk_type"
    )
    ref = CAC(wide, categories=["change", "neutral", "sustain"], digits=15)
    assert out["fleiss_kappa"]["value"] == pytest.approx(
        ref.fleiss()["est"]["coefficient_value"], abs=1e-6
    )
    assert out["gwet_ac1"]["value"] == pytest.approx(
        ref.gwet()["est"]["coefficient_value"], abs=1e-6
    )
    assert (
        out["fleiss_kappa"]["band"] == "fair"
        and round(out["percent_agreement"]["value"], 3) == 0.700
    )


# -- the CLI as a separate process -------------------------------------------------------------------
def cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    """``rupture-coder agreement ...`` run as its own process, as a person runs it."""
    return subprocess.run([sys.executable, "-m", "rupture_coder", "agreement", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def sessions_table(path, rows, sessions):
    """rows: units x raters; sessions: each unit's session."""
    long = [(u, sessions[u], f"coder {chr(65 + r)}", v)
            for u, row in enumerate(rows) for r, v in enumerate(row) if v is not None]  # fmt: skip
    pd.DataFrame(long, columns=["segment", "session", "coder", "score"]).to_csv(path, index=False)
    return str(path)


def test_declared_categories_session_bootstrap_and_apa_in_a_process(tmp_path):
    rng = np.random.default_rng(71)
    rows, sessions = [], []
    for s in range(12):
        for _ in range(6):
            t = int(rng.integers(1, 6))
            rows.append(
                [t, int(np.clip(t + rng.integers(-1, 2), 1, 5)), None if rng.random() < 0.3 else t]
            )
            sessions.append(f"s{s}")
    path = sessions_table(tmp_path / "r.csv", rows, sessions)
    base = [path, "--unit", "segment", "--rater", "coder", "--value", "score", "--level", "interval",
            "--categories", "1,2,3,4,5,6,7", "--cluster", "session", "--bootstrap", "300", "--seed", "4"]  # fmt: skip
    done = cli(*base, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    for key in (
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac1",
    ):
        assert "value" in out[key]
    assert set(out["icc"]) == {
        "ICC(1,1)",
        "ICC(2,1)",
        "ICC(3,1)",
        "ICC(1,k)",
        "ICC(2,k)",
        "ICC(3,k)",
    }
    assert out["categories"] == ["1", "2", "3", "4", "5", "6", "7"] and out["categories_declared"]
    assert out["bootstrap"] == {"replicates": 300, "seed": 4, "resampled": "sessions", "n_clusters": 12,
                                "method": "percentile", "note": "only 12 sessions to resample: the interval is rough"}  # fmt: skip
    # the declared points 6 and 7, never used, widen the scale: the AC2 is not the observed-scale one
    m = from_long(pd.read_csv(path), "segment", "coder", "score", "interval", [1, 2, 3, 4, 5, 6, 7])
    assert out["gwet_ac1"]["value"] == pytest.approx(gwet_ac(m, "quadratic").value, abs=1e-6)
    assert out["icc"]["ICC(2,1)"]["n_units"] < out["icc"]["ICC(1,1)"]["n_units"] == 72
    assert (
        len(out["krippendorff_alpha"]["ci95_bootstrap"]) == 2
        and out["krippendorff_alpha"]["band_ci"]
    )
    assert out["within_one_point"]["value"] > out["percent_agreement"]["value"]
    assert "within one scale point" in cli(*base).stdout  # the readable form
    again = cli(*base, "--json")
    assert json.loads(again.stdout) == out  # seeded: the same figures every time
    apa = cli(*base, "--apa", "--subject", "rupture impact")
    assert apa.returncode == 0 and apa.stdout.startswith(
        "Inter-rater reliability of rupture impact"
    )
    assert "ICC(A,1); McGraw & Wong, 1996" in apa.stdout and "from 12 session values" in apa.stdout


def test_nominal_weights_and_bad_options_are_refused_in_a_process(tmp_path):
    path = tidy([["a", "b"], ["b", "b"], ["c", "a"]], tmp_path / "n.csv")
    done = cli(
        path, "--unit", "segment", "--rater", "coder", "--value", "score", "--weights", "quadratic"
    )
    assert done.returncode == 1 and "nominal categories have no order" in done.stderr
    assert "Traceback" not in done.stderr
    done = cli(
        path, "--unit", "segment", "--rater", "coder", "--value", "score", "--categories", "a,b"
    )
    assert done.returncode == 1 and "not among the categories" in done.stderr
    done = cli(
        path, "--unit", "segment", "--rater", "coder", "--value", "score", "--bootstrap", "-5"
    )
    assert done.returncode == 1 and "0 (none) to 100,000 resamples, not -5" in done.stderr
    done = cli(
        path,
        "--unit",
        "segment",
        "--rater",
        "coder",
        "--value",
        "score",
        "--bootstrap",
        "1000000000",
    )
    assert done.returncode == 1 and "not 1,000,000,000" in done.stderr
    done = cli(
        path,
        "--events",
        "--rater",
        "coder",
        "--code",
        "score",
        "--start",
        "segment",
        "--tolerance",
        "-1",
    )
    assert done.returncode == 1 and "--tolerance is 0 s or more" in done.stderr
    done = cli(
        path, "--events", "--rater", "coder", "--code", "score", "--start", "segment", "--tick", "0"
    )
    assert done.returncode == 1 and "--tick is longer than 0 s" in done.stderr
    done = cli(
        path, "--unit", "segment", "--rater", "coder", "--value", "score", "--cluster", "visit"
    )
    assert done.returncode == 1 and "no column 'visit'" in done.stderr


def test_na_and_presence_agreement_in_a_process(tmp_path):
    a = ["N/A", "N/A", "N/A", "N/A", 1, 2, 3, 4, 5, 5]
    b = ["N/A", "N/A", "N/A", 4, 1, 2, 3, 5, 5, 4]
    path = tidy([[x, y] for x, y in zip(a, b, strict=True)], tmp_path / "na.csv")
    done = cli(path, "--unit", "segment", "--rater", "coder", "--value", "score", "--level", "ordinal",
               "--categories", "1,2,3,4,5", "--na", "N/A", "--json")  # fmt: skip
    out = json.loads(done.stdout)
    assert out["na_agreement"]["percent_agreement"]["value"] == pytest.approx(0.9)
    assert out["na_agreement"]["kappa"]["value"] == pytest.approx(0.36 / 0.46, abs=1e-6)
    assert out["cohen_kappa"]["n_units"] == 6
    rows = [[1, 1]] * 3 + [[1, 0]] * 2 + [[0, 1]] * 2 + [[0, 0]] * 93
    out = json.loads(cli(tidy(rows, tmp_path / "p.csv"), "--unit", "segment", "--rater", "coder",
                         "--value", "score", "--categories", "0,1", "--json").stdout)  # fmt: skip
    assert out["positive_agreement"]["value"] == pytest.approx(0.6)
    assert out["primary"] == "cohen_kappa"


def test_event_agreement_from_a_table_in_a_process(tmp_path):
    """Both coders put W2 at 10 s (point events): they agree. One codes C1 at 30 s, the other at
    31 s: within the 2 s tolerance. A's R4 at 60 s and B's R1 at 61 s pair as a disagreement."""
    events = pd.DataFrame(
        [("A", "W2", 10), ("B", "W2", 10), ("A", "C1", 30), ("B", "C1", 31), ("A", "R4", 60),
         ("B", "R1", 61), ("A", "W1", 90)],
        columns=["coder", "code", "onset"],
    )  # fmt: skip
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    done = cli(str(path), "--events", "--rater", "coder", "--code", "code", "--start", "onset",
               "--tolerance", "2", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    pairs = [
        (p["a"] and p["a"]["category"], p["b"] and p["b"]["category"])
        for p in out["sessions"][0]["pairs"]
    ]
    assert pairs == [("W2", "W2"), ("C1", "C1"), ("R4", "R1"), ("W1", None)]
    # table: C1, R1, R4, W1, W2, (none); agreements 2 of 4 pairs
    assert out["event_kappa"]["confusion_matrix"]["counts"][4][4] == 1
    assert out["time_kappa"]["value"] > 0.5  # a point event marks its tick; tolerance 2 s
    text = cli(
        str(path), "--events", "--rater", "coder", "--code", "code", "--start", "onset"
    ).stdout
    assert "event-based Cohen's kappa" in text and "time-based Cohen's kappa" in text
    bad = cli(str(path), "--events", "--rater", "coder", "--code", "code", "--start", "code")
    assert bad.returncode == 1 and "line 2: code must be a time in seconds, not 'W2'" in bad.stderr


def test_project_events_and_ratings_in_a_process(demo_path):
    done = cli(
        "--project",
        str(demo_path),
        "--codebook",
        "3rs-individual@1.0.0",
        "--unit",
        "events",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["raters"] == ["Demo coder", "Second coder"] and out["n_sessions"] == 1
    session = out["sessions"][0]
    assert (session["events_a"], session["events_b"]) == (17, 14)
    assert 0 < out["event_kappa"]["value"] < 1 and out["time_kappa"]["value"] is not None
    ratings = cli("--project", str(demo_path), "--codebook", "3rs-individual@1.0.0", "--unit", "segment-rating",
                  "--apa")  # fmt: skip
    assert (
        ratings.returncode == 0 and "Inter-rater reliability of Withdrawal impact" in ratings.stdout
    )
    assert "from 1 session," in ratings.stdout and "both raters" in ratings.stdout
