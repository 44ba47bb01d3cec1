"""``rupture-coder settings``: list, show and change the project settings (each change one
audited command; ``reset`` goes back to the default)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the services load when the command runs, not for --help
    from rupture_coder.store.db import Project


def add_settings_parser(sub, parents) -> None:
    p = sub.add_parser(
        "settings",
        parents=parents,
        help="list, get, set or reset the project settings",
        description="Project settings (impact threshold, repair window, reaction offset, media "
        "jump, calibration criterion). Each change is recorded in the audit log and can be "
        "undone in the app (Edit > Undo) while it is open, or reset here.",
    )
    action = p.add_subparsers(dest="action", metavar="ACTION")
    ls = action.add_parser(
        "list", parents=parents, help="every setting with its value, default and allowed values"
    )
    ls.add_argument("--json", action="store_true")
    get = action.add_parser("get", parents=parents, help="one setting's value")
    get.add_argument("key")
    put = action.add_parser("set", parents=parents, help="change a setting")
    put.add_argument("key")
    put.add_argument("value")
    reset = action.add_parser("reset", parents=parents, help="back to the default")
    reset.add_argument("key")
    p.set_defaults(func=run_settings, needs_project=True, action="list", json=False)


def run_settings(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.services import ProjectService
    from rupture_coder.services.project import SetSetting
    from rupture_coder.services.settings import all_settings, spec

    if args.action == "list":
        rows = all_settings(project)
        if args.json:
            print(json.dumps([{"key": s.key, "value": v, "default": s.default, "is_default": d,
                               "allowed": s.allowed(), "description": s.description}
                              for s, v, d in rows], indent=2))  # fmt: skip
            return 0
        for s, value, is_default in rows:
            mark = " (default)" if is_default else f" (default {s.default:g})"
            print(f"{s.key:<28} {value:g}{(' ' + s.unit) if s.unit else ''}{mark}")
            print(f"{'':<28} {s.description}; {s.allowed()}")
        return 0
    definition = spec(args.key)
    if args.action == "get":
        value = next(v for s, v, _d in all_settings(project) if s.key == definition.key)
        print(f"{value:g}")
        return 0
    service = ProjectService(project, "cli")
    value = service.run(SetSetting(definition.key, None if args.action == "reset" else args.value))
    print(f"{definition.key} = {value.result:g}")
    return 0
