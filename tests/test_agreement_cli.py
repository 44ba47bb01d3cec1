"""``rupture-coder agreement FILE``: any tidy table, JSON and readable output."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_agreement_stats import KRIPPENDORFF_2011, SHROUT_FLEISS

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
