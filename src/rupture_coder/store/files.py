"""Whole-file writes that never leave a half-written file behind.

``atomic_write`` hands the writer a temporary file in the target's folder, flushes it to disk
(fsync), moves it over the target in one step (``os.replace``) and syncs the folder, so after a
crash or power loss the target is either the old file or the complete new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def atomic_write(path: str | Path, write: Callable[[Path], T]) -> T:
    """Call ``write(tmp)`` to fill a temporary file, then put it in place of ``path`` atomically.

    The folder must exist. On any failure the temporary file is removed and ``path`` is unchanged.
    """
    results: list[T] = []
    atomic_write_all([(Path(path), lambda tmp: results.append(write(tmp)))], _nothing)
    return results[0]


def _nothing(_path: Path | None) -> None:
    """No check between the files (a single file: nothing to cancel between)."""


def atomic_write_all(
    writes: Sequence[tuple[Path, Callable[[Path], object]]], before: Callable[[Path | None], None]
) -> None:
    """``atomic_write`` for several files that stand or fall together: each is filled in a
    temporary file (``before(path)`` first: it may raise, a cancel) and only when all are written
    (and ``before(None)`` has passed) are they put in place. On any failure, a cancel included,
    no file is changed."""
    temps: list[tuple[Path, Path]] = []
    try:
        for path, write in writes:
            before(path)
            if path.is_dir():  # os.replace would fail naming the temporary file, not this one
                raise IsADirectoryError(
                    errno.EISDIR, "is a folder, not a file; name the file to write", str(path)
                )
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{path.name}.", suffix=".part", dir=path.parent
            )
            os.close(fd)
            temps.append((Path(tmp_name), path))
            write(Path(tmp_name))
            with open(tmp_name, "rb") as fh:
                os.fsync(fh.fileno())
        before(None)
        for tmp, path in temps:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _path in temps:
            tmp.unlink(missing_ok=True)
        raise
    for folder in {path.parent for _tmp, path in temps}:
        _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(fd)
    os.close(fd)
