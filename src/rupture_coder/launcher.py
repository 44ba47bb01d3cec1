"""The ``rupture-coder`` entry point: no subcommand opens the desktop app, a subcommand runs headless.

The only module that knows both the GUI and the CLI; neither imports the other.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from rupture_coder import cli

    args = cli.build_parser().parse_args(argv)
    if args.command is None:
        from rupture_coder.gui.app import run_gui

        return run_gui(args.project, args.create)
    return cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
