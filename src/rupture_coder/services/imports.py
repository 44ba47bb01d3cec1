"""Planning and running an import: read every file, list every problem, then all or nothing.

``plan_import`` reads files and never writes. ``run_import`` refuses a plan with problems unless
the caller chose to import with the listed repairs (and every problem has one), then writes all
sessions through one command: one transaction, one audit entry, one undo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from sqlalchemy import select

from rupture_coder.domain import ImportProblem, ParsedSession, ParticipantPlan, propose_participants
from rupture_coder.errors import ImportRefused
from rupture_coder.importers import ImportError_, read_file
from rupture_coder.limits import MAX_SEGMENTS
from rupture_coder.resources import codebooks_dir
from rupture_coder.services import ChangeSet, ProjectService
from rupture_coder.services.project import RegisterCodebook
from rupture_coder.services.segmentation import session_end
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.db import Db, Project
from rupture_coder.store.models import CodebookVersion
from rupture_coder.store.models import Session as SessionRow
from rupture_coder.tasks import Progress, progress_or_silent

DEFAULT_CODEBOOK = {"individual": ("3rs-individual", "1.1.0"), "group": ("3rs-group", "1.1.0")}


@dataclass
class PlannedSession:
    parsed: ParsedSession
    participants: list[ParticipantPlan]


@dataclass
class ImportPlan:
    sessions: list[PlannedSession] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files already imported (repair: skip)
    codebook: tuple[str, str] = DEFAULT_CODEBOOK["individual"]
    segment_length_s: float | None = None
    segment_utterances: int | None = None

    @property
    def repairable(self) -> bool:
        return all(p.repair for p in self.problems)

    @property
    def utterances(self) -> int:
        return sum(len(s.parsed.utterances) for s in self.sessions)


def plan_import(
    project: Project,
    paths: list[Path],
    fmt: str | None = None,
    kind: str = "individual",
    overrides: dict[str, str] | None = None,
    codebook: tuple[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    progress = progress_or_silent(progress)
    plan = ImportPlan(codebook=codebook or DEFAULT_CODEBOOK[kind])
    imported: dict[str, list[str]] = {}
    with project.read() as db:
        for digest, title in db.execute(select(SessionRow.source_hash, SessionRow.title)):
            if digest is not None:
                imported.setdefault(digest, []).append(title)
    seen_hashes: dict[str, str] = {}
    for k, path in enumerate(paths):
        progress.step(k, len(paths), f"reading {path.name} ({k + 1} of {len(paths)})")
        try:
            result = read_file(path, fmt, kind, overrides)
        except ImportError_ as exc:
            plan.problems.extend(exc.problems)
            continue
        digest = result.sessions[0].source_hash if result.sessions else None
        if digest and (digest in imported or digest in seen_hashes):
            if digest in imported:
                titles = imported[digest]
                earlier = f"as {len(titles)} session(s): {', '.join(sorted(titles)[:3])}{'...' if len(titles) > 3 else ''}"
            else:
                earlier = f"in this import, from {seen_hashes[digest]}"
            plan.problems.append(ImportProblem(str(path), "whole file", f"sha256 {digest[:12]}",
                                               f"the same content was already imported {earlier}",
                                               repair="skip this file"))  # fmt: skip
            plan.skipped.append(str(path))
            continue
        if digest:
            seen_hashes[digest] = str(path)
        plan.problems.extend(result.problems)
        for parsed in result.sessions:
            plan.sessions.append(PlannedSession(parsed, propose_participants(parsed)))
    return plan


def plan_media_import(
    project: Project,
    media: Path | None,
    duration_s: float | None = None,
    transcript: Path | None = None,
    offset_s: float = 0.0,
    fmt: str | None = None,
    kind: str = "individual",
    overrides: dict[str, str] | None = None,
    codebook: tuple[str, str] | None = None,
    title: str | None = None,
) -> ImportPlan:
    """A session coded by time, from a media file or a duration, optionally with a transcript whose
    clock runs ``offset_s`` seconds behind the media clock (media time = transcript time + offset)."""
    from rupture_coder.importers.media import media_session

    plan = ImportPlan(codebook=codebook or DEFAULT_CODEBOOK[kind])
    try:
        session = media_session(media, duration_s, title, kind)
    except ImportError_ as exc:
        plan.problems.extend(exc.problems)
        return plan
    if transcript is not None:
        text_plan = plan_import(project, [transcript], fmt, kind, overrides, codebook)
        plan.problems.extend(text_plan.problems)
        plan.skipped.extend(text_plan.skipped)
        if len(text_plan.sessions) > 1:
            plan.problems.append(ImportProblem(str(transcript), "whole file", str(len(text_plan.sessions)),
                                               "a media session takes a transcript of one session"))  # fmt: skip
            return plan
        if text_plan.sessions:
            shift_times(text_plan.sessions[0].parsed, offset_s)
            session.utterances = text_plan.sessions[0].parsed.utterances
            session.source_file, session.source_hash = (
                transcript.name,
                text_plan.sessions[0].parsed.source_hash,
            )
            session.media_offset_s = offset_s
    plan.sessions.append(PlannedSession(session, propose_participants(session)))
    return plan


def shift_times(parsed: ParsedSession, offset_s: float) -> None:
    for u in parsed.utterances:
        u.start_s = None if u.start_s is None else u.start_s + offset_s
        u.end_s = None if u.end_s is None else u.end_s + offset_s


@dataclass
class ImportSessions:
    """Create every planned session in one transaction (registering the bundled codebook if needed)."""

    plan: ImportPlan
    progress: Progress | None = field(default=None, repr=False, compare=False)
    command_name: ClassVar[str] = "import sessions"

    def describe(self) -> str:
        n = len(self.plan.sessions)
        return f"import {n} session{'s' if n != 1 else ''} ({self.plan.utterances} utterances)"

    def apply(self, db: Db) -> list[str]:
        if db.get(CodebookVersion, self.plan.codebook) is None:
            bundled = codebooks_dir() / f"{self.plan.codebook[0]}-{self.plan.codebook[1]}.yaml"
            if not bundled.exists():
                raise ImportRefused(
                    [], f"codebook {' '.join(self.plan.codebook)} is not in this project"
                )
            RegisterCodebook(bundled.read_text(encoding="utf-8"), bundled.name).apply(db)
        progress = progress_or_silent(self.progress)
        ids = []
        for k, planned in enumerate(self.plan.sessions):
            progress.step(k, len(self.plan.sessions), f"writing {planned.parsed.title}")
            cmd = CreateSession(planned.parsed, self.plan.codebook, planned.participants,
                                self.plan.segment_length_s, self.plan.segment_utterances)  # fmt: skip
            ids.append(cmd.apply(db).id)
        progress.check()  # the last moment to cancel: the transaction is rolled back whole
        return ids


def run_import(
    service: ProjectService,
    plan: ImportPlan,
    on_problem: str = "fail",
    progress: Progress | None = None,
) -> ChangeSet | None:
    """Write the plan, or raise ImportRefused; None when every file was skipped as already imported."""
    if on_problem not in ("fail", "repair"):
        raise ValueError("on_problem is 'fail' or 'repair'")
    if plan.problems and on_problem == "fail":
        raise ImportRefused(
            plan.problems, f"{len(plan.problems)} problem(s) found; nothing was imported"
        )
    if not plan.repairable:
        bad = [p for p in plan.problems if not p.repair]
        raise ImportRefused(
            plan.problems, f"{len(bad)} problem(s) cannot be repaired; nothing was imported"
        )
    if not plan.sessions and plan.skipped:
        return None
    if not plan.sessions:
        raise ImportRefused(plan.problems, "nothing to import")
    _check_segments(plan)
    return service.run(ImportSessions(plan, progress))  # a refused write: a StorageError


def _check_segments(plan: ImportPlan) -> None:
    """A segment length that would cut a session into more than MAX_SEGMENTS pieces is refused
    (a typo such as 0.001 s would otherwise write millions of rows)."""
    length, per = plan.segment_length_s, plan.segment_utterances
    if per is not None and per < 1:
        raise ImportRefused([], f"segments of {per} utterances: give 1 or more")
    if length is None or length == 0:  # the codebook's length, or untimed segments
        return
    if length < 0:
        raise ImportRefused(
            [], f"a segment length of {length:g} s: give a positive number of seconds"
        )
    for planned in plan.sessions:
        end = session_end(planned.parsed.utterances, planned.parsed.duration_s) or 0
        if end / length > MAX_SEGMENTS:
            raise ImportRefused([], f"{planned.parsed.title}: segments of {length:g} s would cut "
                                f"{end:.0f} s into more than {MAX_SEGMENTS:,} segments; choose a longer segment")  # fmt: skip


def attach_transcript_file(
    service: ProjectService,
    session_id: str,
    path: Path,
    offset_s: float = 0.0,
    fmt: str | None = None,
    repair: bool = False,
) -> ChangeSet:
    """Read one transcript file and give it to a media session (AttachTranscript, undoable).

    Refused (ImportRefused, nothing written) when the file has problems, unless ``repair`` and
    every problem has a repair, or when it holds more or less than one session."""
    from rupture_coder.services.sessions import AttachTranscript

    with service.project.read() as db:
        row = db.get(SessionRow, session_id)
        kind = row.kind if row is not None else "individual"
    try:
        result = read_file(path, fmt, kind)
    except ImportError_ as exc:
        raise ImportRefused(
            exc.problems, f"{path.name} cannot be read; nothing was attached"
        ) from None
    unrepaired = [p for p in result.problems if not (repair and p.repair)]
    if unrepaired:
        raise ImportRefused(
            result.problems,
            f"{path.name} has {len(result.problems)} problem(s); nothing was attached",
        )
    if len(result.sessions) != 1:
        raise ImportRefused(
            [], f"{path.name} holds {len(result.sessions)} sessions; attach a file with exactly one"
        )
    return service.run(AttachTranscript(session_id, result.sessions[0], offset_s))
