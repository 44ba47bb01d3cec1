"""``rupture-coder package``, ``merge`` and ``export``: moving a study's codes between people and tools."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rupture_coder.errors import PackageError

if TYPE_CHECKING:  # the use cases load when a command runs, not for --help
    from rupture_coder.store.db import Project


def add_study_parsers(sub, parents) -> None:
    p = sub.add_parser("package", parents=parents, help="write one rater's codes as a package file")
    p.add_argument(
        "--rater", help="rater name or id (a coder copy packages its own rater: leave it out)"
    )
    p.add_argument("--out", required=True, type=Path, metavar="FILE")
    p.set_defaults(func=run_package, needs_project=True)
    p = sub.add_parser("merge", parents=parents, help="merge rater packages into the project")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "--allow-older",
        action="store_true",
        help="merge a package made before the last one merged for its rater (undoes newer work)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_merge, needs_project=True)
    p = sub.add_parser(
        "export", parents=parents, help="tidy CSV or XLSX tables of every code, rating and summary"
    )
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    p.add_argument("--out", required=True, type=Path, metavar="DIR")
    p.set_defaults(func=run_export, needs_project=True)
    p = sub.add_parser(
        "report", parents=parents, help="a DOCX report of one session or of the whole study"
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--session", help="session title or id")
    which.add_argument(
        "--study", action="store_true", help="agreement per unit and item, and calibration"
    )
    p.add_argument("--out", required=True, type=Path, metavar="FILE.docx")
    p.set_defaults(func=run_report, needs_project=True)


def run_package(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services.identity import rater_to_read
    from rupture_coder.study.packages import export_package

    rater = rater_to_read(project, args.rater)  # a coder copy packages only its own rater
    try:
        manifest = export_package(project, rater, args.out)
    except PackageError as exc:
        print(f"rupture-coder package: {exc}", file=sys.stderr)
        return 1
    name = manifest["rater"]["name"]
    print(
        f"wrote {args.out}: {name}, {manifest['sessions']} session(s), {manifest['codes']} code(s); "
        f"signed with the key the lead's project issued to {name}"
    )
    return 0


def run_merge(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services import ProjectService
    from rupture_coder.services.identity import LEAD, require_role
    from rupture_coder.study.packages import merge_lines, merge_packages

    me = require_role(project, LEAD, "merging rater packages")
    try:
        result = merge_packages(
            ProjectService(project, me.name, me.rater_id), args.files, allow_older=args.allow_older
        )
    except PackageError as exc:
        print(f"rupture-coder merge: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for line in merge_lines(result):
        print(line)
    return 0


def run_export(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.study.exports import export_study

    for path in export_study(project, args.out, args.format):
        print(f"wrote {path}")
    return 0


def run_report(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services import queries
    from rupture_coder.study.reports import session_report, study_report

    if args.study:
        print(f"wrote {study_report(project, args.out)}")
        return 0
    matches = [s for s in queries.list_sessions(project) if args.session in (s.id, s.title)]
    if not matches:
        print(
            f"rupture-coder report: no session {args.session!r}; see rupture-coder sessions",
            file=sys.stderr,
        )
        return 1
    print(f"wrote {session_report(project, matches[0].id, args.out)}")
    return 0
