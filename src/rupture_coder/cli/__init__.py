"""The headless interface: ``rupture-coder COMMAND ...``.

Each command module parses its arguments, calls a use case (study/) or a service command, and
renders the result; nothing else. Every refusal is one of the errors of ``rupture_coder.errors``,
printed as one line on stderr with a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rupture_coder import __version__
from rupture_coder.cli.agreement import add_agreement_parser
from rupture_coder.cli.codebook import add_codebook_parser
from rupture_coder.cli.codes import add_codes_parser
from rupture_coder.cli.imports import add_import_parser, add_sessions_parser
from rupture_coder.cli.raters import add_raters_parsers
from rupture_coder.cli.sessions import add_session_command_parsers
from rupture_coder.cli.settings import add_settings_parser
from rupture_coder.cli.study import add_study_parsers
from rupture_coder.cli.summary import add_summary_parser
from rupture_coder.errors import ProjectError, RuptureCoderError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rupture-coder",
        description="Code psychotherapy sessions for alliance ruptures and repairs. "
        "Without a subcommand, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"rupture-coder {__version__}")
    parser.add_argument(
        "--project", type=Path, help="project file (default: the demo project in your data folder)"
    )
    parser.add_argument("--create", action="store_true", help=CREATE_HELP)
    # --project is also accepted after the subcommand; SUPPRESS keeps a value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", type=Path, default=argparse.SUPPRESS, help="project file")
    common.add_argument(
        "--create", action="store_true", default=argparse.SUPPRESS, help=CREATE_HELP
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_import_parser(sub, [common])
    add_agreement_parser(sub, [common])
    add_study_parsers(sub, [common])
    add_raters_parsers(sub, [common])
    add_sessions_parser(sub, [common])
    add_settings_parser(sub, [common])
    add_session_command_parsers(sub, [common])
    add_codes_parser(sub, [common])
    add_summary_parser(sub, [common])
    add_codebook_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand (the desktop app is started by ``rupture_coder.launcher``)."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help(sys.stderr)
        return 2
    return run(args)


def run(args: argparse.Namespace) -> int:
    from rupture_coder.applog import setup_logging

    # Log records (a refused write's details, a defect's traceback) go to the log file: without
    # a handler Python would print warnings and their tracebacks on stderr.
    setup_logging(stderr_fallback=False)
    try:
        if getattr(args, "needs_project", False) or (
            args.command == "agreement" and args.file is None
        ):
            return _with_project(args)
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except RuptureCoderError as exc:
        print(f"rupture-coder {args.command}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file the command was told to write: missing folder, no room...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"rupture-coder {args.command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


CREATE_HELP = "create the project file and its folder if they do not exist"
WRITING_COMMANDS = ("import", "merge")  # these make a missing project file (in an existing folder)
CHANGING_COMMANDS = ("delete-session", "resegment", "attach-transcript", "handout")  # writable


def _changes(args: argparse.Namespace) -> bool:
    """The command writes: a project that cannot be written is refused up front, by name."""
    return (
        args.command in WRITING_COMMANDS + CHANGING_COMMANDS
        or (args.command == "settings" and getattr(args, "action", None) in ("set", "reset"))
        or (args.command == "raters" and getattr(args, "action", None) is not None)
    )


def _with_project(args: argparse.Namespace) -> int:
    """Open the project for the command. Reading commands never create anything and can read a
    project that cannot be written (read-only, full disk); a missing folder needs --create."""
    from rupture_coder.services.demo import default_project_path, ensure_demo
    from rupture_coder.store.db import open_project

    default = args.project is None
    path = args.project or default_project_path()
    writes = args.command in WRITING_COMMANDS
    asked = default or getattr(args, "create", False)
    new = not Path(path).exists()
    try:
        project = open_project(path, create=asked or writes, create_folder=asked,
                               read_only_ok=not _changes(args))  # fmt: skip
    except ProjectError as exc:
        print(f"rupture-coder: {exc}", file=sys.stderr)
        return 2
    if new and not default:
        print(f"rupture-coder: created the new project {project.path}", file=sys.stderr)
    try:
        if default:
            ensure_demo(project)
        return args.func(args, project)
    finally:
        project.close()
