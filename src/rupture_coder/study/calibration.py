"""Calibration: gold-standard sessions, trainees scored against them, drift over time.

Each criterion is judged on its own (docs/ratings.md, "Calibration"): every segment rating by its
ICC(2,1) against ``calibration.criterion``, and the presence of every item either rater coded by
Cohen's kappa against ``calibration.presence_criterion``. Pooling them hid a failing scale behind
the others; the score now says which criterion failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import func, select

from rupture_coder.agreement import from_long
from rupture_coder.agreement.coefficients import cohen_kappa, percent_agreement
from rupture_coder.agreement.icc import icc_all
from rupture_coder.errors import StudyError
from rupture_coder.services.identity import LEAD_OR_SUPERVISOR, require_role
from rupture_coder.services.settings import get_setting
from rupture_coder.store.db import Project
from rupture_coder.store.models import CodeEvent, GoldSession, Rater, Session, SessionCompletion
from rupture_coder.study.tables import load_study


@dataclass
class Criterion:
    """One judged criterion: a rating's ICC(2,1) or an item's presence kappa."""

    name: str  # the rating's label or the item id
    statistic: str  # "ICC(2,1)" or "kappa"
    value: float | None
    n: int  # segments both have a value for
    threshold: float
    met: bool | None  # None: not judged (``reason`` says why)
    reason: str = ""

    def describe(self) -> str:
        if self.value is None:
            return f"{self.name} {self.statistic} not defined ({self.reason})"
        sign = "≥" if self.met else "<"
        return f"{self.name} {self.statistic} {self.value:.2f} {sign} {self.threshold:.2f}"


@dataclass
class Score:
    session: str
    rater: str
    when: datetime | None
    scales: dict[str, Criterion] = field(default_factory=dict)  # rating id -> its ICC(2,1)
    items: dict[str, Criterion] = field(default_factory=dict)  # item id -> its presence kappa
    agreement: float | None = None  # percent agreement on the judged items' presence
    n_segments: int = 0

    @property
    def failed(self) -> list[str]:
        return [
            c.describe() for c in (*self.scales.values(), *self.items.values()) if c.met is False
        ]

    @property
    def met(self) -> bool:
        judged = [c for c in (*self.scales.values(), *self.items.values()) if c.met is not None]
        return bool(judged) and all(c.met for c in judged)

    @property
    def lowest_icc(self) -> float | None:
        values = [c.value for c in self.scales.values() if c.value is not None]
        return min(values) if values else None


def _scale_criteria(project: Project, raters: list[str], sid: str, threshold: float) -> dict:
    ratings = load_study(project, "segment-rating", raters, [sid])
    out = {}
    for table in ratings.tables:
        icc = icc_all(from_long(table.data, level="interval"))["ICC(2,1)"]
        met = None if icc.value is None else bool(icc.value >= threshold)
        out[table.key] = Criterion(table.label, "ICC(2,1)", icc.value, icc.n_units or 0, threshold, met,
                                   icc.reason or "")  # fmt: skip
    return out


def _item_criteria(project: Project, raters: list[str], sid: str, threshold: float):
    presence = load_study(project, "segment-presence", raters, [sid])
    out, judged = {}, []
    for table in presence.tables:
        if table.kind != "item" or not table.data.value.any():
            continue  # an item neither rater coded is not judged
        m = from_long(table.data, level="nominal", categories=[0, 1])
        kappa = cohen_kappa(m)
        if kappa.value is None:  # both coded it everywhere: judged by their agreement
            agree = percent_agreement(m).value
            out[table.key] = Criterion(table.key, "kappa", None, kappa.n_units or 0, threshold,
                                       agree == 1.0, kappa.reason or "")  # fmt: skip
        else:
            out[table.key] = Criterion(table.key, "kappa", kappa.value, kappa.n_units or 0, threshold,
                                       bool(kappa.value >= threshold))  # fmt: skip
        judged.append(table.data.assign(unit=table.data.unit.astype(str) + " " + table.key))
    agreement = None
    if judged:
        m = from_long(pd.concat(judged), level="nominal", categories=[0, 1])
        agreement = percent_agreement(m).value
    n_segments = len(presence.tables[0].data) // 2 if presence.tables else 0
    return out, agreement, n_segments


def score(project: Project, trainee_id: str) -> list[Score]:
    """The trainee against the gold coder on every gold session the trainee coded."""
    ratings_threshold = float(get_setting(project, "calibration.criterion"))
    presence_threshold = float(get_setting(project, "calibration.presence_criterion"))
    with project.read() as db:
        gold = {g.session_id: g.rater_id for g in db.scalars(select(GoldSession))}
        trainee = db.get(Rater, trainee_id)
        if trainee is None:
            raise StudyError(f"no rater {trainee_id!r} in this project")
        titles = {s.id: s.title for s in db.scalars(select(Session))}
        when = dict(
            db.execute(
                select(SessionCompletion.session_id, SessionCompletion.completed_at).filter_by(
                    rater_id=trainee_id
                )
            ).all()
        )
        last_code = dict(
            db.execute(
                select(CodeEvent.session_id, func.max(CodeEvent.updated_at))
                .where(CodeEvent.rater_id == trainee_id)
                .group_by(CodeEvent.session_id)
            ).all()
        )
    out = []
    for sid, gold_id in gold.items():
        if gold_id == trainee_id or (sid not in when and sid not in last_code):
            continue
        raters = [trainee_id, gold_id]
        s = Score(titles[sid], trainee.name, when.get(sid) or last_code.get(sid))
        s.scales = _scale_criteria(project, raters, sid, ratings_threshold)
        s.items, s.agreement, s.n_segments = _item_criteria(
            project, raters, sid, presence_threshold
        )
        out.append(s)
    return sorted(out, key=lambda s: (s.when or datetime.min, s.session))


SCORE_COLUMNS = [
    "rater",
    "gold session",
    "date",
    "ICC(2,1) per rating",
    "presence: items met",
    "% agree",
    "criterion",
]


def calibration_table(project: Project) -> tuple[list[Score], list[list], dict[str, float]]:
    """Every coder's and lead's scores against the gold sessions, as rows under SCORE_COLUMNS;
    the last column says "met", or "not met: " and the criteria that failed."""
    require_role(project, LEAD_OR_SUPERVISOR, "calibration")
    from rupture_coder.services import queries

    criteria = {
        "ratings": float(get_setting(project, "calibration.criterion")),
        "presence": float(get_setting(project, "calibration.presence_criterion")),
    }
    scores = [
        s
        for r in queries.raters(project)
        if r.role in ("coder", "lead")
        for s in score(project, r.id)
    ]
    rows = []
    for s in scores:
        iccs = "; ".join(
            f"{c.name} {'–' if c.value is None else f'{c.value:.2f}'}" for c in s.scales.values()
        )
        items = f"{sum(bool(c.met) for c in s.items.values())} of {len(s.items)}"
        verdict = (
            "met" if s.met else "not met: " + "; ".join(s.failed or ["nothing could be judged"])
        )
        rows.append([s.rater, s.session, s.when.strftime("%Y-%m-%d") if s.when else "", iccs, items,
                     s.agreement, verdict])  # fmt: skip
    return scores, rows, criteria
