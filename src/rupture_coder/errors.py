"""Every error rupture-coder reports to a person, under one root.

The service layer, the study use cases and the CLI raise only these. Each message says what was
refused or failed and what the person can do about it; whatever raised it changed nothing.

    RuptureCoderError
    ├── InputError (also a ValueError): bad input was refused, nothing was written
    │   ├── CodebookError      a codebook file or text (``problems``: every reason, with its line)
    │   ├── ImportFileError    a file to import (``problems``: every reason, with its line or row)
    │   ├── ImportRefused      an import plan was refused (``problems``)
    │   ├── CommandError       a command's arguments do not fit the project
    │   │   └── NotComplete    a session cannot be marked complete (``problems``: what is missing)
    │   ├── IncomparableVersions  codes of two codebook versions cannot be compared
    │   ├── StudyError         a selection cannot be analysed or reported
    │   └── PackageError       a rater package (``problems``)
    ├── NotAllowed             the acting rater's role may not do this (a coder and a lead tool)
    ├── ProjectError           a project cannot be opened or created
    ├── StorageError           the database refused a read or write (locked, full, read-only, damaged)
    ├── InternalError          a defect stopped an action (details in the log); nothing was written
    ├── UndoConflict           the rows an undo or redo would restore changed since
    ├── NothingToUndo          the undo (or redo) stack is empty
    └── Cancelled              the person cancelled a long action; it changed nothing
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class RuptureCoderError(Exception):
    """The root: a failure reported to a person, with a message they can act on."""


class InputError(RuptureCoderError, ValueError):
    """Input was refused; nothing was written. The message says what was expected."""


class _WithProblems(InputError):
    """A refusal that lists every problem found, not only the first."""

    def __init__(self, problems: Sequence[Any], message: str | None = None):
        self.problems = list(problems)
        super().__init__(message if message is not None else "\n".join(map(str, self.problems)))


class CodebookError(_WithProblems):
    """A codebook was refused; ``problems`` lists every reason found (file:line: field: message)."""


class ImportFileError(_WithProblems):
    """A file to import was refused; ``problems`` lists every reason. Nothing was written."""


class ImportRefused(_WithProblems):
    """An import was refused; nothing was written. ``problems`` says why."""

    def __init__(self, problems: Sequence[Any], why: str):
        super().__init__(problems, why)


class CommandError(InputError):
    """A command was refused; nothing was written. The message says why."""


class NotComplete(CommandError):
    """A session cannot be marked complete yet; ``problems`` lists every required rating missing."""

    def __init__(self, problems: Sequence[Any]):
        self.problems = list(problems)
        shown = "; ".join(map(str, self.problems[:6]))
        more = f"; and {len(self.problems) - 6} more" if len(self.problems) > 6 else ""
        super().__init__(
            f"cannot mark complete: {len(self.problems)} required rating(s) missing ({shown}{more})"
        )


class IncomparableVersions(InputError):
    """Codes of these codebook versions cannot be compared; the message says why."""


class StudyError(InputError):
    """The selection cannot be analysed or reported; the message says why."""


class PackageError(_WithProblems):
    """A rater package was refused; ``problems`` says why. Nothing was written."""

    def __init__(self, source: str, problems: Sequence[str]):
        super().__init__(problems, f"{source}: " + "; ".join(problems))


class NotAllowed(RuptureCoderError):
    """The acting rater's role may not do this (a coder asked for a lead's tool, or for another
    rater's codes); nothing was read or written. The message names the role that may."""


class OlderPackage(PackageError):
    """Every package refused was made before the last one merged for its rater (merging it would
    undo newer work); the lead may merge it anyway (``allow_older``)."""


class ProjectError(RuptureCoderError):
    """A project file cannot be opened or created; the message says why and what to do."""


class StorageError(RuptureCoderError):
    """The database refused a read or a write; nothing was saved. The message says why."""


class InternalError(RuptureCoderError):
    """A defect in rupture-coder stopped an action; nothing was written. Details are in the log."""


class UndoConflict(RuptureCoderError):
    """The rows an undo or redo would restore were changed since; nothing was applied."""


class NothingToUndo(RuptureCoderError):
    """There is nothing to undo (or redo)."""


class Cancelled(RuptureCoderError):
    """The person cancelled a long action (a merge, an import, an export...); it changed nothing."""
