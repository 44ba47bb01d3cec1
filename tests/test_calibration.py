"""Calibration judges each rating scale and each item's presence separately and says which failed
(docs/ratings.md, example 8)."""

from __future__ import annotations

import pytest
from score_sessions import load, rater_id, rating_rows, session_id, timed_session

from rupture_coder.services.gold import MarkGold
from rupture_coder.study.calibration import calibration_table, score

HEAD = "session,item,utterance"
GOLD_CODES = f"{HEAD}\nE8,W2,2\nE8,R4,3\nE8,C3,7\nE8,C5,12"
TRAINEE_CODES = f"{HEAD}\nE8,W2,2\nE8,W2,7\nE8,R4,3\nE8,C3,8"


def ratings(w, c, r) -> str:
    return "session,segment,scale,value\n" + "\n".join(
        rating_rows("E8", name, values)
        for name, values in (
            ("withdrawal_impact", w),
            ("confrontation_impact", c),
            ("segment_resolution", r),
        )
    )


@pytest.fixture
def example_8(service, tmp_path):
    timed_session(service, "E8", n=15, step=60)
    load(service, tmp_path, "Gold", GOLD_CODES, ratings([2, 1, 1], [1, 3, 2], [5, 4, 5]))
    load(service, tmp_path, "Trainee", TRAINEE_CODES, ratings([1, 2, 1], [1, 3, 3], [4, 5, 5]))
    service.run(MarkGold(session_id(service, "E8"), rater_id(service, "Gold")))
    return service


def test_example_8_each_scale_and_each_item_is_judged_separately(example_8):
    (s,) = score(example_8.project, rater_id(example_8, "Trainee"))
    scales = s.scales
    assert scales["withdrawal_impact"].value == pytest.approx(-1.0)
    assert scales["confrontation_impact"].value == pytest.approx(6 / 7)
    assert scales["segment_resolution"].value == pytest.approx(-1.0)
    assert [k for k, c in scales.items() if c.met] == ["confrontation_impact"]
    assert all(c.n == 3 and c.statistic == "ICC(2,1)" for c in scales.values())
    items = s.items
    assert set(items) == {"W2", "R4", "C3", "C5"}  # the 21 items nobody coded are not judged
    assert items["W2"].value == pytest.approx(0.4) and not items["W2"].met
    assert items["R4"].value == 1.0 and items["C3"].value == 1.0
    assert items["C5"].value == pytest.approx(0.0) and not items["C5"].met
    assert not s.met
    assert s.failed == [
        "Withdrawal impact ICC(2,1) -1.00 < 0.70",
        "Resolution in segment ICC(2,1) -1.00 < 0.70",
        "W2 kappa 0.40 < 0.60",
        "C5 kappa 0.00 < 0.60",
    ]


def test_calibration_table_names_the_failed_criteria(example_8):
    scores, rows, criteria = calibration_table(example_8.project)
    assert criteria == {"ratings": 0.70, "presence": 0.60}
    (row,) = rows
    assert row[0] == "Trainee" and row[1] == "E8"
    assert row[-1].startswith("not met: Withdrawal impact ICC(2,1) -1.00 < 0.70")


def test_a_trainee_who_matches_gold_meets_every_criterion(service, tmp_path):
    timed_session(service, "E8", n=15, step=60)
    gold = ratings([2, 1, 1], [1, 3, 2], [5, 4, 5])
    load(service, tmp_path, "Gold", GOLD_CODES, gold)
    load(service, tmp_path, "Trainee", GOLD_CODES, gold)
    service.run(MarkGold(session_id(service, "E8"), rater_id(service, "Gold")))
    (s,) = score(service.project, rater_id(service, "Trainee"))
    assert s.met and s.failed == []
    assert all(c.met for c in (*s.scales.values(), *s.items.values()))


def test_an_undefined_icc_is_reported_with_its_reason_and_not_judged(service, tmp_path):
    timed_session(service, "E8", n=15, step=60)
    same = ratings([1, 1, 1], [1, 3, 2], [5, 4, 5])
    load(service, tmp_path, "Gold", f"{HEAD}\nE8,R4,3", same)
    load(service, tmp_path, "Trainee", f"{HEAD}\nE8,R4,3", same)
    service.run(MarkGold(session_id(service, "E8"), rater_id(service, "Gold")))
    (s,) = score(service.project, rater_id(service, "Trainee"))
    w = s.scales["withdrawal_impact"]
    assert w.value is None and w.met is None and "variance" in w.reason
    assert s.met  # the other scales and R4 agree perfectly; the undefined one is not judged
