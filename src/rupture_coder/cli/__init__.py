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
    # --project is also accepted after the subcommand; SUPPRESS keeps a value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", type=Path, default=argparse.SUPPRESS, help="project file")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_import_parser(sub, [common])
    add_agreement_parser(sub, [common])
    add_study_parsers(sub, [common])
    add_sessions_parser(sub, [common])
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


def _with_project(args: argparse.Namespace) -> int:
    from rupture_coder.services.demo import default_project_path, ensure_demo
    from rupture_coder.store.db import open_project

    try:
        project = open_project(args.project or default_project_path())
    except ProjectError as exc:
        print(f"rupture-coder: {exc}", file=sys.stderr)
        return 2
    try:
        if args.project is None:
            ensure_demo(project)
        return args.func(args, project)
    finally:
        project.close()
