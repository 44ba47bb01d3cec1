"""The bundled demo project, built through the app's own commands."""

from __future__ import annotations

from sqlalchemy import func, select

from rupture_coder.services.demo import ensure_demo
from rupture_coder.services.queries import codes, list_sessions, raters, transcript
from rupture_coder.store.db import open_project
from rupture_coder.store.models import AuditEntry, CodeEvent


def test_demo_project_has_sessions_codes_and_ratings(demo_path):
    p = open_project(demo_path)
    sessions = {s.title: s for s in list_sessions(p)}
    assert set(sessions) == {
        "Individual session 7",
        "Skills group, session 3",
        "Skills group, session 4",
    }
    ind = sessions["Individual session 7"]
    assert (ind.kind, ind.utterances, ind.segments, ind.codebook) == (
        "individual",
        53,
        3,
        ("3rs-individual", "1.0.0"),
    )
    assert sessions["Skills group, session 3"].kind == "group"
    coder = next(r for r in raters(p) if r.name == "Demo coder")
    rows = codes(p, ind.id, coder.id)
    assert {"W2", "C5", "R5"} <= {r.item_id for r in rows}
    assert any(r.flagged and "supervision" in r.flag_reason for r in rows)
    group = codes(p, sessions["Skills group, session 3"].id, coder.id)
    assert any(
        r.level == "member-member" and r.actor == "Mia" and r.target == "Ravi" for r in group
    )
    assert transcript(p, ind.id)[1].pseudonym == "Client A"
    with p.read() as db:
        assert db.scalar(select(func.count()).select_from(AuditEntry)) > db.scalar(
            select(func.count()).select_from(CodeEvent)
        )
    assert ensure_demo(p) is False  # never built twice
    p.close()
