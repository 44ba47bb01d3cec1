"""``rupture-coder import`` and ``rupture-coder sessions``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rupture_coder.domain import ParticipantPlan
from rupture_coder.errors import ImportRefused
from rupture_coder.importers import FORMATS

if TYPE_CHECKING:  # the services (SQLAlchemy) load when a command runs, not for --help
    from rupture_coder.store.db import Project


def add_import_parser(sub, parents) -> None:
    p = sub.add_parser("import", parents=parents, help="import transcripts or media into a project",
                       description="Import transcripts (text, DOCX, SRT, WebVTT, CSV, TSV, XLSX, ELAN) or a "
                       "media session. Every problem is listed; with --on-problem fail (the default) any "
                       "problem leaves the project unchanged.")  # fmt: skip
    p.add_argument("files", nargs="*", metavar="FILE", type=Path)
    p.add_argument(
        "--format", choices=FORMATS, help="file format (default: from the file extension)"
    )
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="column for a field of a CSV/TSV/XLSX/DOCX table (session, order, speaker, start, end, text)")  # fmt: skip
    p.add_argument("--on-problem", choices=("fail", "repair"), default="fail",
                   help="fail: refuse on any problem (default); repair: import with the listed repairs")  # fmt: skip
    p.add_argument("--kind", choices=("individual", "group"), default="individual")
    p.add_argument(
        "--codebook", metavar="ID@VERSION", help="codebook version (default: the bundled 3RS one)"
    )
    p.add_argument("--speaker", action="append", default=[], metavar="LABEL=ROLE[:PSEUDONYM]",
                   help="who a speaker label is, e.g. 'P=client:Client A' (default: guessed from the labels)")  # fmt: skip
    p.add_argument(
        "--segment-length",
        type=float,
        metavar="SECONDS",
        help="segment length (default: the codebook's)",
    )
    p.add_argument(
        "--segment-utterances",
        type=int,
        metavar="N",
        help="segments of N utterances for untimed transcripts",
    )
    p.add_argument(
        "--media", type=Path, metavar="FILE", help="make a media session from a video or audio file"
    )
    p.add_argument(
        "--duration",
        type=float,
        metavar="SECONDS",
        help="media session length (read from --media if not given)",
    )
    p.add_argument("--offset", type=float, default=0.0, metavar="SECONDS",
                   help="with --media: media time = transcript time + offset")  # fmt: skip
    p.add_argument("--title", help="title of a media session")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run_import_command, needs_project=True)


def add_sessions_parser(sub, parents) -> None:
    p = sub.add_parser("sessions", parents=parents, help="list the sessions of a project")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=run_sessions_command, needs_project=True)


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key or not rest:
            raise SystemExit(f"rupture-coder: {what} {value!r}: expected KEY=VALUE")
        out[key.strip()] = rest.strip()
    return out


def run_import_command(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services import ProjectService
    from rupture_coder.services.imports import plan_import, plan_media_import, run_import
    from rupture_coder.services.queries import list_sessions

    overrides = _pairs(args.map, "--map")
    codebook = tuple(args.codebook.split("@", 1)) if args.codebook else None
    if codebook is not None and len(codebook) != 2:
        raise SystemExit("rupture-coder: --codebook expects ID@VERSION, e.g. 3rs-individual@1.0.0")
    if args.media or args.duration:
        if len(args.files) > 1:
            raise SystemExit("rupture-coder: a media session takes at most one transcript FILE")
        plan = plan_media_import(project, args.media, args.duration, args.files[0] if args.files else None,
                                 args.offset, args.format, args.kind, overrides, codebook, args.title)  # fmt: skip
    elif not args.files:
        raise SystemExit(
            "rupture-coder import: give FILE(s), or --media/--duration for a media session"
        )
    else:
        plan = plan_import(project, args.files, args.format, args.kind, overrides, codebook)
    plan.segment_length_s, plan.segment_utterances = args.segment_length, args.segment_utterances
    speakers = _pairs(args.speaker, "--speaker")
    for planned in plan.sessions:
        for i, part in enumerate(planned.participants):
            if part.label in speakers:
                role, _, pseudonym = speakers[part.label].partition(":")
                planned.participants[i] = ParticipantPlan(
                    part.label, pseudonym or part.pseudonym, role
                )
    try:
        change = run_import(ProjectService(project, "cli"), plan, args.on_problem)
    except ImportRefused as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"rupture-coder import: {exc}", file=sys.stderr)
        if args.json:
            print(
                json.dumps(
                    {
                        "imported": [],
                        "problems": [_problem_json(p) for p in exc.problems],
                        "refused": str(exc),
                    }
                )
            )
        return 1
    for problem in plan.problems:
        print(f"repaired: {problem}", file=sys.stderr)
    new_ids = set(change.result) if change is not None else set()
    imported = [s for s in list_sessions(project) if s.id in new_ids]
    if args.json:
        print(json.dumps({"imported": [_session_json(s) for s in imported],
                          "problems": [_problem_json(p) for p in plan.problems], "skipped": plan.skipped}, indent=2))  # fmt: skip
    elif not imported:
        print(f"nothing imported: {len(plan.skipped)} file(s) were already imported")
    else:
        print(f"imported {len(imported)} session(s), {sum(s.utterances for s in imported)} utterances"
              + (f"; {len(plan.problems)} problem(s) repaired" if plan.problems else "")
              + (f"; skipped {len(plan.skipped)} file(s) already imported" if plan.skipped else ""))  # fmt: skip
    return 0


def _problem_json(p) -> dict:
    return {
        "file": p.source,
        "where": p.where,
        "value": p.value,
        "message": p.message,
        "repair": p.repair,
    }


def _session_json(s) -> dict:
    return {
        "id": s.id, "title": s.title, "kind": s.kind, "utterances": s.utterances, "duration_s": s.duration_s,
        "segments": s.segments, "source_file": s.source_file, "codebook": "@".join(s.codebook) if s.codebook else None,
    }  # fmt: skip


def run_sessions_command(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services.queries import list_sessions

    sessions = list_sessions(project)
    if args.json:
        print(json.dumps([_session_json(s) for s in sessions], indent=2))
        return 0
    from rupture_coder.timestamps import format_timestamp

    print(f"{'title':<40} {'kind':<10} {'utt.':>6} {'length':>9} {'segm.':>5}  id")
    for s in sessions:
        print(
            f"{s.title[:40]:<40} {s.kind:<10} {s.utterances:>6} {format_timestamp(s.duration_s):>9} {s.segments:>5}  {s.id}"
        )
    return 0
