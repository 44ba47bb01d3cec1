"""Hand-built sessions for the worked examples of docs/ratings.md.

Each session is a transcript with one utterance every ``step`` seconds, made with the same command
the import runs; codes and ratings arrive the way a lab moving from spreadsheets brings them: as
CODES.csv and RATINGS.csv through ``codes import`` (one undoable command).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from rupture_coder.domain import ParsedSession, ParsedUtterance, ParticipantPlan
from rupture_coder.resources import codebooks_dir
from rupture_coder.services import queries
from rupture_coder.services.project import RegisterCodebook, SetSetting
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.models import Rater
from rupture_coder.study.code_import import import_codes
from rupture_coder.study.summaries import SessionSummary, session_summary

IND10 = ("3rs-individual", "1.0.0")
IND11 = ("3rs-individual", "1.1.0")
GRP10 = ("3rs-group", "1.0.0")
GRP11 = ("3rs-group", "1.1.0")
GROUP_PEOPLE = [("Leader", "therapist"), ("Ann", "member"), ("Bob", "member")]


def register(svc, *keys: tuple[str, str]) -> None:
    """Register bundled codebook versions (the ``service`` fixture has the 1.0.0 ones)."""
    for cb_id, version in keys:
        path = codebooks_dir() / f"{cb_id}-{version}.yaml"
        svc.run(RegisterCodebook(path.read_text(encoding="utf-8"), path.name))


def timed_session(svc, title: str, n: int, step: float, codebook=IND10) -> str:
    """``n`` utterances, one every ``step`` s from 0; group codebooks: Leader, Ann, Bob in turn."""
    group = codebook[0] == "3rs-group"
    speakers = [p for p, _role in GROUP_PEOPLE] if group else ["T", "P"]
    utterances = [
        ParsedUtterance(speakers[i % len(speakers)], f"utterance {i + 1}", i * step)
        for i in range(n)
    ]
    parsed = ParsedSession(
        title=title, utterances=utterances, kind="group" if group else "individual"
    )
    plans = (
        [ParticipantPlan(name, name, role) for name, role in GROUP_PEOPLE]
        if group
        else [
            ParticipantPlan("T", "Therapist", "therapist"),
            ParticipantPlan("P", "Client", "client"),
        ]
    )
    return svc.run(CreateSession(parsed, codebook, plans)).result.id


def load(svc, tmp_path: Path, rater: str, codes: str, ratings: str | None = None):
    """Import CODES.csv (and RATINGS.csv) text for ``rater``, as ``codes import`` does."""
    codes_file = tmp_path / f"codes-{rater}.csv"
    codes_file.write_text(codes.strip() + "\n", encoding="utf-8")
    ratings_file = None
    if ratings is not None:
        ratings_file = tmp_path / f"ratings-{rater}.csv"
        ratings_file.write_text(ratings.strip() + "\n", encoding="utf-8")
    return import_codes(svc, codes_file, ratings_file, rater=rater)


def rater_id(svc, name: str) -> str:
    with svc.project.read() as db:
        return db.scalar(select(Rater.id).filter_by(name=name))


def session_id(svc, title: str) -> str:
    return next(s.id for s in queries.list_sessions(svc.project) if s.title == title)


def summary(svc, title: str, rater: str, **settings) -> SessionSummary:
    for key, value in settings.items():
        svc.run(SetSetting(f"summary.{key}", value))
    return session_summary(svc.project, session_id(svc, title), rater_id(svc, rater))


def rating_rows(title: str, rating: str, values) -> str:
    """RATINGS.csv lines for one segment rating over segments 1..len(values) (None: no row)."""
    return "\n".join(f"{title},{i},{rating},{v}" for i, v in enumerate(values, 1) if v is not None)
