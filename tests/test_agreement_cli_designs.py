"""The study designs of issue 13 through ``rupture-coder agreement`` run as a separate process, each
against an independent value: a hand ANOVA for rotating coders, irrCAC for units rated once (the
categories given), Fleiss (1971) for kappa per category, and the AnnoMI worked example of
docs/ratings.md with its session bootstrap and methods sentence."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy.stats import f as f_dist
from test_agreement_cli import cli, tidy
from test_agreement_designs import UNBALANCED, irrcac
from test_agreement_stats import DATA

ARGS = ("--unit", "segment", "--rater", "coder", "--value", "score")


def run_json(path: str, *extra: str) -> dict:
    done = cli(path, *ARGS, *extra, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_rotating_coders_get_the_one_way_icc_hand_computed(tmp_path):
    """docs/ratings.md: (1, 3), (4, 5, 6), (1, 2, 3), (5, 5) by four raters in rotation.
    MS_B = 22.5 / 3 = 7.5, MS_W = 6 / 6 = 1, k0 = 37/15: ICC(1,1) = 195/269, ICC(1,k) = 13/15."""
    out = run_json(tidy(UNBALANCED, tmp_path / "rot.csv"), "--level", "interval")
    one, mean = out["icc"]["ICC(1,1)"], out["icc"]["ICC(1,k)"]
    assert one["value"] == pytest.approx(float(Fraction(195, 269)), abs=1e-6)
    assert mean["value"] == pytest.approx(13 / 15, abs=1e-6)
    assert (one["n_units"], mean["n_units"]) == (4, 4)
    k0 = 37 / 15
    fl, fu = 7.5 / f_dist.ppf(0.975, 3, 6), 7.5 * f_dist.ppf(0.975, 6, 3)
    assert one["ci95"] == [pytest.approx((fl - 1) / (fl + k0 - 1), abs=1e-6),
                           pytest.approx((fu - 1) / (fu + k0 - 1), abs=1e-6)]  # fmt: skip
    for form in ("ICC(2,1)", "ICC(3,1)", "ICC(2,k)", "ICC(3,k)"):
        assert out["icc"][form]["value"] is None and "one-way" in out["icc"][form]["reason"]
    design = out["icc_design"]
    assert design["supported_forms"] == ["ICC(1,1)", "ICC(1,k)"] and "rotate" in design["design"]
    assert out["primary"] == "icc/ICC(1,1)"
    # the keys of the JSON contract are all there beside the new ones
    for key in (
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac1",
    ):
        assert "value" in out[key]
    assert set(out["icc"]) == {f"ICC({m},{k})" for m in (1, 2, 3) for k in ("1", "k")}
    text = cli(tidy(UNBALANCED, tmp_path / "rot.csv"), *ARGS, "--level", "interval").stdout
    assert "ICC(1,1)" in text and "0.725" in text


def test_units_rated_once_inform_chance_agreement_as_in_irrcac(tmp_path):
    rng = np.random.default_rng(29)
    data = rng.integers(1, 5, size=(30, 3)).astype(float)
    data[rng.random(data.shape) < 0.35] = np.nan
    data[:6, 1:] = np.nan  # six units rated once
    rows = [[None if math.isnan(v) else int(v) for v in r] for r in data]
    rows = [r for r in rows if any(v is not None for v in r)]
    out = run_json(tidy(rows, tmp_path / "once.csv"), "--categories", "1,2,3,4")
    ref = irrcac(rows, [1, 2, 3, 4])
    rated_twice = sum(sum(v is not None for v in r) >= 2 for r in rows)
    assert (out["n_units"], out["n_units_rated"]) == (rated_twice, len(rows))
    for key, est in (("fleiss_kappa", ref.fleiss()["est"]), ("gwet_ac1", ref.gwet()["est"])):
        assert out[key]["value"] == pytest.approx(est["coefficient_value"], abs=1e-6), key
        assert out[key]["se"] == pytest.approx(est["se"], abs=1e-6), key
        assert out[key]["ci95"] == [pytest.approx(x, abs=1e-6) for x in est["confidence_interval"]]
        assert out[key]["n_units"] == rated_twice and out[key]["n_units_chance"] == len(rows)
    assert out["percent_agreement"]["value"] == pytest.approx(ref.fleiss()["est"]["pa"], abs=1e-6)
    assert out["krippendorff_alpha"]["n_units"] == rated_twice


def test_kappa_per_category_reproduces_fleiss_1971(tmp_path):
    """30 patients, 6 psychiatrists: overall kappa .430; per category .245, .245, .520, .471, .566."""
    counts = pd.read_csv(DATA / "fleiss1971.csv", comment="#")
    rows = [[cat for cat, n in row.items() for _ in range(n)] for _, row in counts.iterrows()]
    out = run_json(tidy(rows, tmp_path / "fleiss.csv"))
    assert round(out["fleiss_kappa"]["value"], 3) == 0.430
    per = {k: round(v["value"], 3) for k, v in out["kappa_per_category"].items()}
    assert per == {"depression": 0.245, "personality_disorder": 0.245, "schizophrenia": 0.520,
                   "neurosis": 0.471, "other": 0.566}  # fmt: skip
    assert all(v["n_units"] == 30 for v in out["kappa_per_category"].values())
    assert set(out["specific_agreement"]) == set(per)


def test_the_annomi_worked_example_with_its_session_bootstrap(annomi_dir, tmp_path):
    """docs/ratings.md, "Worked example: ten annotators of AnnoMI", as printed there."""
    csv = str(annomi_dir / "AnnoMI-full.csv")
    args = [csv, "--unit", "transcript_id,utterance_id", "--rater", "annotator_id",
            "--value", "client_talk_type", "--missing", "n/a", "--cluster", "transcript_id"]  # fmt: skip
    done = cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["n_units"], out["n_raters"], out["n_units_rated"]) == (212, 10, 4817)

    def shown(stat: dict, key: str = "ci95_bootstrap") -> list[float]:
        return [round(x, 3) for x in stat[key]]

    alpha = out["krippendorff_alpha"]
    assert round(alpha["value"], 3) == 0.467 and shown(alpha, "ci95") == [0.412, 0.522]
    assert shown(alpha) == [0.380, 0.587]
    assert (alpha["band"], alpha["band_ci"]) == ("fair", "poor to fair")
    assert round(out["fleiss_kappa"]["value"], 3) == 0.419
    assert shown(out["fleiss_kappa"]) == [0.365, 0.514]
    assert round(out["gwet_ac1"]["value"], 3) == 0.596 and shown(out["gwet_ac1"]) == [0.560, 0.661]
    per = {k: round(v["value"], 3) for k, v in out["kappa_per_category"].items()}
    assert per == {"change": 0.496, "neutral": 0.391, "sustain": 0.339}
    assert out["bootstrap"]["n_clusters"] == 7 and out["bootstrap"]["replicates"] == 1000
    apa = cli(*args, "--apa", "--subject", "client talk type")
    assert apa.returncode == 0, apa.stderr
    sentence = " ".join(apa.stdout.split())
    assert sentence.startswith(
        "Inter-rater agreement on client talk type was assessed on 212 units"
    )
    assert "Krippendorff's α = .47, 95% CI [.38, .59]" in sentence
    assert "1,000 resamples" in sentence and "percent agreement was 70.0%" in sentence
    refused = cli(*args, "--weights", "quadratic")
    assert refused.returncode == 1 and "nominal categories have no order" in refused.stderr
