"""The application's log: a rotating file in the user's log folder (platformdirs).

The desktop app and the CLI write here what a person may need to send with a report: every
refused or failed command, and the traceback of every defect. Nothing here imports Qt."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from platformdirs import user_log_dir

MAX_BYTES = 1_000_000  # one file; five older ones are kept beside it
BACKUPS = 5


def log_path() -> Path:
    """Where the log is written (``RUPTURE_CODER_LOG`` overrides the user's log folder)."""
    override = os.environ.get("RUPTURE_CODER_LOG")
    if override:
        return Path(override)
    return Path(user_log_dir("rupture-coder", "rupture-coder")) / "rupture-coder.log"


def setup_logging(level: int = logging.INFO, *, stderr_fallback: bool = True) -> Path:
    """Send the package's log records to the rotating file (once per process); returns its path.

    When the file cannot be opened, the records go to stderr, or nowhere with
    ``stderr_fallback=False`` (the CLI, whose stderr holds one line per refusal)."""
    path = log_path()
    logger = logging.getLogger("rupture_coder")
    for h in [h for h in logger.handlers if getattr(h, "_rupture_coder", False)]:
        if getattr(h, "baseFilename", None) == str(path.absolute()):
            return path
        logger.removeHandler(h)  # the log moved (RUPTURE_CODER_LOG changed): follow it
        h.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:  # a read-only home must not stop the app: keep records on stderr then
        handler = logging.StreamHandler() if stderr_fallback else logging.NullHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    handler._rupture_coder = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
    return path
