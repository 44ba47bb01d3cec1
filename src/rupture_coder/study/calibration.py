"""Calibration: gold-standard sessions, trainees scored against them, drift over time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import func, select

from rupture_coder.agreement import from_long
from rupture_coder.agreement.coefficients import cohen_kappa, percent_agreement
from rupture_coder.agreement.icc import icc_all
from rupture_coder.errors import StudyError
from rupture_coder.store.db import Project
from rupture_coder.store.models import CodeEvent, GoldSession, Rater, Session, SessionCompletion
from rupture_coder.study.tables import load_study


@dataclass
class Score:
    session: str
    rater: str
    when: datetime | None
    icc21: float | None  # segment ratings against gold, ICC(2,1)
    kappa: float | None  # item presence per segment against gold, Cohen's kappa (pooled over items)
    agreement: float | None  # percent agreement on presence
    n_segments: int


def score(project: Project, trainee_id: str) -> list[Score]:
    """The trainee against the gold coder on every gold session the trainee coded."""
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
        presence = load_study(project, "segment-presence", [trainee_id, gold_id], [sid])
        items = pd.concat(
            [
                t.data.assign(unit=t.data.unit.astype(str) + " " + t.key)
                for t in presence.tables
                if t.kind == "item"
            ]
        )
        pm = from_long(items, level="nominal", categories=[0, 1])
        ratings = load_study(project, "segment-rating", [trainee_id, gold_id], [sid])
        rdata = (
            pd.concat(
                [t.data.assign(unit=t.data.unit.astype(str) + " " + t.key) for t in ratings.tables]
            )
            if ratings.tables
            else pd.DataFrame(columns=["unit", "rater", "value"])
        )
        icc = icc_all(from_long(rdata, level="interval")).get("ICC(2,1)") if len(rdata) else None
        out.append(Score(titles[sid], trainee.name, when.get(sid) or last_code.get(sid), icc.value if icc else None,
                         cohen_kappa(pm).value, percent_agreement(pm).value, len(presence.tables[0].data) // 2 if presence.tables else 0))  # fmt: skip
    return sorted(out, key=lambda s: (s.when or datetime.min, s.session))


SCORE_COLUMNS = [
    "rater",
    "gold session",
    "date",
    "ICC(2,1) ratings",
    "kappa presence",
    "% agree",
    "criterion",
]


def calibration_table(project: Project) -> tuple[list[Score], list[list], float]:
    """Every coder's and lead's scores against the gold sessions, as rows under SCORE_COLUMNS,
    with the criterion (project setting ``calibration.criterion``) met or not."""
    from rupture_coder.services import queries
    from rupture_coder.services.settings import get_setting

    criterion = float(get_setting(project, "calibration.criterion"))
    scores = [
        s
        for r in queries.raters(project)
        if r.role in ("coder", "lead")
        for s in score(project, r.id)
    ]
    rows = [
        [s.rater, s.session, s.when.strftime("%Y-%m-%d") if s.when else "", s.icc21, s.kappa, s.agreement,
         "met" if s.icc21 is not None and s.icc21 >= criterion else "not met"]
        for s in scores
    ]  # fmt: skip
    return scores, rows, criterion
