"""Small builders shared by tests."""

from __future__ import annotations

from sqlalchemy import select

from rupture_coder.domain import ParsedSession, ParsedUtterance, ParticipantPlan
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.models import Participant, Segment, Utterance

IND = ("3rs-individual", "1.0.0")
GRP = ("3rs-group", "1.0.0")


def make_session(svc, kind="individual", n=12, step=60.0):
    speakers = ["T", "P"] if kind == "individual" else ["Leader", "Ann", "Bob"]
    utts = [
        ParsedUtterance(speakers[i % len(speakers)], f"utterance {i}", i * step) for i in range(n)
    ]
    parsed = ParsedSession(title=f"{kind} test", utterances=utts, kind=kind)
    plans = None
    if kind == "group":
        plans = [
            ParticipantPlan("Leader", "Leader", "therapist"),
            ParticipantPlan("Ann", "Ann", "member"),
            ParticipantPlan("Bob", "Bob", "member"),
        ]
    session = svc.run(CreateSession(parsed, IND if kind == "individual" else GRP, plans)).result
    with svc.project.read() as db:
        utterances = db.scalars(
            select(Utterance).filter_by(session_id=session.id).order_by(Utterance.position)
        ).all()
        segments = db.scalars(
            select(Segment).filter_by(session_id=session.id).order_by(Segment.index)
        ).all()
        people = {
            p.label: p.id for p in db.scalars(select(Participant).filter_by(session_id=session.id))
        }
    return session, utterances, segments, people
