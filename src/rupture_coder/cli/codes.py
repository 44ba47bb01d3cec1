"""``rupture-coder codes import``: coded events and ratings from a lab's spreadsheets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rupture_coder.errors import ImportFileError

if TYPE_CHECKING:  # the database layer loads when the command runs, not for --help
    from rupture_coder.store.db import Project


def add_codes_parser(sub, parents) -> None:
    codes = sub.add_parser("codes", help="add coded events and ratings from CSV files")
    actions = codes.add_subparsers(dest="codes_command", metavar="ACTION", required=True)
    p = actions.add_parser(
        "import",
        parents=parents,
        help="add CODES.csv (and RATINGS.csv) as one undoable command",
        description="Add one rater's coded events (CODES.csv: session, item, utterance or time_s "
        "or segment; optional last_utterance, end_s, count, actor, target, level, note) and "
        "ratings (RATINGS.csv: session, segment (empty for a session rating), scale (the rating's "
        "id, e.g. withdrawal_impact), value (a number or NA)). Every row is checked as the coding "
        "form checks it; any bad row refuses both files, naming the line and field. See docs/import.md.",
    )
    p.add_argument("codes", type=Path, metavar="CODES.csv")
    p.add_argument("--ratings", type=Path, metavar="RATINGS.csv")
    p.add_argument(
        "--rater", help="whose codes these are (a rater's name or id; a new name adds a coder)"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run_codes_import, needs_project=True)


def run_codes_import(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services.service import ProjectService
    from rupture_coder.study.code_import import acting_rater, import_codes

    who = acting_rater(project, args.rater)
    try:
        result = import_codes(ProjectService(project, who), args.codes, args.ratings, who)
    except ImportFileError as exc:
        print(f"rupture-coder codes import: {exc}", file=sys.stderr)
        if args.json:
            print(json.dumps({"imported": False, "problems": [str(p) for p in exc.problems]}))
        return 1
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
        return 0
    added = " (a new coder)" if result.rater_created else ""
    print(
        f"imported {result.codes} code(s) and {result.ratings} rating(s) for {result.rater}{added} "
        f"in {len(result.sessions)} session(s): {', '.join(result.sessions) or '-'}; "
        "one command (undo it in the app with Edit > Undo)"
    )
    return 0
