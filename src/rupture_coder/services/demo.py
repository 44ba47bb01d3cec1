"""The bundled demo project: both default codebooks, the sample sessions and a demo coder's codes.

Built with the same commands a user's actions run, so the demo is also a smoke test of them.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from platformdirs import user_data_path
from sqlalchemy import select

from rupture_coder.domain import ParticipantPlan
from rupture_coder.importers import parse_text_transcript
from rupture_coder.resources import codebooks_dir, samples_dir
from rupture_coder.services import ProjectService
from rupture_coder.services.coding import AddCode, CodeSpec, FlagCode, SetRating
from rupture_coder.services.project import AddRater, RegisterCodebook, SetSetting
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.db import Project
from rupture_coder.store.models import CodebookVersion, Participant, Segment, Utterance
from rupture_coder.timestamps import parse_timestamp

SEGMENT_RATINGS = ("withdrawal_impact", "confrontation_impact", "segment_resolution")


def build_demo(project: Project, actor: str = "demo") -> None:
    """Fill an empty project with the demo; every step is an audited command."""
    svc = ProjectService(project, actor)
    for path in sorted(codebooks_dir().glob("*.yaml")):
        svc.run(RegisterCodebook(path.read_text(encoding="utf-8"), path.name))
    plan = yaml.safe_load((samples_dir() / "demo-codes.yaml").read_text(encoding="utf-8"))
    first, second = (svc.run(AddRater(name, "coder")).result.id for name in plan["raters"])
    for entry in plan["sessions"]:
        session_id = _demo_session(svc, project, entry)
        _demo_coding(svc, project, session_id, first, entry)
        if "second_coder" in entry:
            _demo_coding(svc, project, session_id, second, {**entry, **entry["second_coder"]})
    svc.run(SetSetting("demo", True, internal=True))


def _demo_session(svc: ProjectService, project: Project, entry: dict) -> str:
    codebook = tuple(entry["codebook"])
    kind = "group" if "group" in codebook[0] else "individual"
    result = parse_text_transcript(samples_dir() / entry["file"], kind=kind)
    if result.problems:
        raise RuntimeError("demo transcript has problems:\n" + "\n".join(map(str, result.problems)))
    parts = [
        ParticipantPlan(label, name, role) for label, (name, role) in entry["participants"].items()
    ]
    return svc.run(CreateSession(result.sessions[0], codebook, parts)).result.id


def _demo_coding(
    svc: ProjectService, project: Project, session_id: str, rater_id: str, entry: dict
) -> None:
    codebook = tuple(entry["codebook"])
    with project.read() as db:
        by_time = {
            u.start_s: u.id for u in db.scalars(select(Utterance).filter_by(session_id=session_id))
        }
        people = {
            p.label: p.id for p in db.scalars(select(Participant).filter_by(session_id=session_id))
        }
        segments = db.scalars(
            select(Segment).filter_by(session_id=session_id).order_by(Segment.index)
        ).all()
    for code in entry["codes"]:
        first = by_time[parse_timestamp(code["at"])]
        last = by_time[parse_timestamp(code["to"])] if "to" in code else None
        spec = CodeSpec(
            code["item"], first, last, note=code.get("note", ""), actor_id=people.get(code.get("actor")),
            target_id=people.get(code.get("target")), level=code.get("level"),
        )  # fmt: skip
        event = svc.run(AddCode(session_id, rater_id, codebook, spec)).result
        if "flag" in code:
            svc.run(FlagCode(event.id, True, code["flag"]))
    for segment, values in zip(segments, entry["segment_ratings"], strict=False):
        for rating_id, value in zip(SEGMENT_RATINGS, values, strict=True):
            na = value == "NA"
            svc.run(
                SetRating(
                    rater_id, codebook, rating_id, None if na else value, na, segment_id=segment.id
                )
            )
    for rating_id, value in entry["session_ratings"].items():
        svc.run(SetRating(rater_id, codebook, rating_id, value, session_id=session_id))


def is_empty(project: Project) -> bool:
    with project.read() as db:
        return db.scalar(select(CodebookVersion.codebook_id).limit(1)) is None


def ensure_demo(project: Project) -> bool:
    """Build the demo into an empty project; return True if it did."""
    if not is_empty(project):
        return False
    build_demo(project)
    return True


def default_project_path() -> Path:
    return user_data_path("rupture-coder", appauthor=False) / "demo.rcproj"
