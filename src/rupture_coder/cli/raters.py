"""``rupture-coder raters`` (list, add, set-role) and ``handout`` (a coder copy for one rater)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the database layer loads when the command runs, not for --help
    from rupture_coder.services import ProjectService
    from rupture_coder.store.db import Project

ROLES = ("coder", "lead", "supervisor")


def add_raters_parsers(sub, parents) -> None:
    p = sub.add_parser(
        "raters",
        parents=parents,
        help="list the project's raters and roles; a lead adds raters and sets roles",
        description="Without an action, lists the raters (id, name, role). A lead adds raters "
        "(raters add NAME --role ROLE) and sets their roles (raters set-role NAME --role ROLE).",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=run_list, needs_project=True, action=None)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    add = actions.add_parser("add", parents=parents, help="add a rater (a lead's command)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=ROLES, default="coder")
    add.set_defaults(func=run_add)
    role = actions.add_parser("set-role", parents=parents, help="change a rater's role (lead)")
    role.add_argument("name", metavar="NAME", help="the rater's name or id")
    role.add_argument("--role", choices=ROLES, required=True)
    role.set_defaults(func=run_set_role)
    p = sub.add_parser(
        "handout",
        parents=parents,
        help="make a coder copy of the project for one coder (a lead's command)",
        description="Write a copy of the project that holds the sessions, the codebook versions "
        "and the named coder's own codes only, bound to that coder (it opens as them and signs "
        "their packages). Made with SQLite's backup API: nothing still in the -wal file is lost.",
    )
    p.add_argument("--rater", required=True, help="the coder's name or id")
    p.add_argument("--out", required=True, type=Path, metavar="COPY.rcproj")
    p.add_argument(
        "--replace", action="store_true", help="replace COPY.rcproj if it exists (it is lost)"
    )
    p.set_defaults(func=run_handout, needs_project=True)


def _service(project: Project) -> ProjectService:
    from rupture_coder.services import ProjectService
    from rupture_coder.services.identity import acting_identity

    me = acting_identity(project)
    return ProjectService(project, me.name, me.rater_id)


def run_list(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services import queries

    rows = [{"id": r.id, "name": r.name, "role": r.role} for r in queries.raters(project)]
    if args.json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("no raters yet: add the lead with  rupture-coder raters add NAME --role lead")
    else:
        width = max(len(r["name"]) for r in rows)
        for r in rows:
            print(f"{r['id']}  {r['name']:<{width}}  {r['role']}")
    return 0


def run_add(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services.project import AddRater

    rater = _service(project).run(AddRater(args.name, args.role)).result
    print(f"added {rater.name} ({rater.role}), id {rater.id}")
    return 0


def run_set_role(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services.identity import SetRaterRole

    rater = _service(project).run(SetRaterRole(args.name, args.role)).result
    print(f"{rater.name} is now a {rater.role}")
    return 0


def run_handout(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.errors import CommandError
    from rupture_coder.study.handout import hand_out

    out: Path = args.out
    if out.is_file() and not args.replace and out.resolve() != Path(project.path or "").resolve():
        raise CommandError(
            f"{out} exists (a coder's work in it would be lost); choose another file, "
            "or add --replace to replace it"
        )
    made = hand_out(_service(project), args.rater, args.out)
    print(
        f"wrote {made.path}: {made.rater}'s coder copy, {made.sessions} session(s), "
        f"{made.codes} code(s) of theirs"
    )
    return 0
