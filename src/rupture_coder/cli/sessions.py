"""``rupture-coder delete-session``, ``resegment`` and ``attach-transcript``: the session commands
of the app's Session menu, one audited command each."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rupture_coder.errors import CommandError

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    from rupture_coder.services.queries import SessionInfo
    from rupture_coder.store.db import Project


def add_session_command_parsers(sub, parents) -> None:
    p = sub.add_parser("delete-session", parents=parents,
                       help="delete a session with its transcript, codes, ratings and comments")  # fmt: skip
    p.add_argument("session", help="session title or id")
    p.add_argument("--yes", action="store_true", help="do not ask (required without a terminal)")
    p.set_defaults(func=run_delete, needs_project=True)
    p = sub.add_parser("resegment", parents=parents, help="re-cut a session's segments")
    p.add_argument("session", help="session title or id")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--minutes", type=float, help="segments of this many minutes")
    how.add_argument("--utterances", type=int, help="segments of this many utterances")
    p.add_argument("--drop-segment-data", action="store_true",
                   help="delete the segment ratings and segment codes that cannot follow")  # fmt: skip
    p.set_defaults(func=run_resegment, needs_project=True)
    p = sub.add_parser("attach-transcript", parents=parents,
                       help="give a media session (coded by time) its transcript")  # fmt: skip
    p.add_argument("session", help="session title or id")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--offset", type=float, default=0.0, metavar="SECONDS",
                   help="media time = transcript time + offset")  # fmt: skip
    p.add_argument("--on-problem", choices=("fail", "repair"), default="fail")
    p.set_defaults(func=run_attach, needs_project=True)


def find_session(project: Project, wanted: str) -> SessionInfo:
    from rupture_coder.services import queries

    matches = [s for s in queries.list_sessions(project) if wanted in (s.id, s.title)]
    if len(matches) != 1:
        raise CommandError(
            f"no session {wanted!r}; see rupture-coder sessions"
            if not matches
            else f"{len(matches)} sessions are titled {wanted!r}; give its id"
        )
    return matches[0]


def run_delete(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services import ProjectService
    from rupture_coder.services.sessions import DeleteSession

    session = find_session(project, args.session)
    if not args.yes:
        raise CommandError(
            f"deleting {session.title!r} removes everyone's codes and ratings on it; add --yes"
        )
    ProjectService(project, "cli").run(DeleteSession(session.id))
    print(f"deleted {session.title!r}")
    return 0


def run_resegment(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services import ProjectService, queries
    from rupture_coder.services.sessions import Resegment

    session = find_session(project, args.session)
    command = Resegment(
        session.id,
        length_s=args.minutes * 60 if args.minutes else None,
        per_utterances=args.utterances,
        drop_segment_data=args.drop_segment_data,
    )
    ProjectService(project, "cli").run(command)
    print(f"{session.title!r}: {len(queries.segments(project, session.id))} segment(s)")
    return 0


def run_attach(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services import ProjectService, queries
    from rupture_coder.services.imports import attach_transcript_file

    session = find_session(project, args.session)
    service = ProjectService(project, "cli")
    attach_transcript_file(
        service, session.id, args.file, args.offset, repair=args.on_problem == "repair"
    )
    n = len(queries.transcript(project, session.id))
    print(f"{session.title!r}: attached {args.file.name} ({n} utterances)")
    return 0
