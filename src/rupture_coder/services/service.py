"""The service layer: every change of data is one command run here.

``ProjectService.run`` gives each command one transaction, records what it wrote in one audit
row, commits before returning, keeps the undo/redo stacks and tells listeners what changed.
Views never write to the database; they call ``run`` and listen.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from sqlalchemy.exc import SQLAlchemyError

from rupture_coder.errors import (
    Cancelled,
    InternalError,
    NothingToUndo,
    RuptureCoderError,
    UndoConflict,
)
from rupture_coder.services.identity import authorize
from rupture_coder.services.notices import Notice
from rupture_coder.services.recorder import ChangeRecorder, RowChange, apply_changes
from rupture_coder.store.db import Db, Project, storage_error
from rupture_coder.store.models import AuditEntry


class Command(Protocol):
    """A change of data. ``apply`` writes through the ORM session and returns its result."""

    command_name: ClassVar[str]

    def apply(self, session: Db) -> Any: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class ChangeSet:
    """What one command (or an undo/redo) changed; handed to every listener after commit."""

    command: str
    summary: str
    audit_id: int | None
    changes: tuple[RowChange, ...]
    result: Any = None
    notice: Notice = field(default_factory=Notice)  # the same change in domain terms

    @classmethod
    def build(cls, command: str, summary: str, audit_id, changes, result=None) -> ChangeSet:
        notice = Notice()
        notice.add_changes(changes)
        return cls(command, summary, audit_id, tuple(changes), result, notice)


Listener = Callable[[ChangeSet], None]
FailureListener = Callable[[RuptureCoderError], None]
log = logging.getLogger(__name__)


class ProjectService:
    """Runs commands against a project on behalf of one actor (a rater or user name)."""

    def __init__(self, project: Project, actor: str, rater_id: str | None = None):
        self.project = project
        self.actor = actor
        # the rater who acts (the GUI's identity): commands their role may not run are refused
        # (services/identity.py); a coder copy always acts as the rater it was made for
        self.rater_id = rater_id
        self._undo: list[int] = []
        self._redo: list[int] = []
        self._sizes: dict[int, int] = {}  # audit id -> row changes it holds
        self._listeners: list[Listener] = []
        self._failure_listeners: list[FailureListener] = []

    # -- listeners -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def subscribe_failures(self, listener: FailureListener) -> Callable[[], None]:
        """Hear every command, undo or redo that failed (nothing of it was written)."""
        self._failure_listeners.append(listener)
        return lambda: self._failure_listeners.remove(listener)

    def _notify_failure(self, error: RuptureCoderError) -> None:
        for listener in list(self._failure_listeners):
            listener(error)

    def _notify(self, change: ChangeSet) -> None:
        for listener in list(self._listeners):
            listener(change)

    # -- commands --------------------------------------------------------------------------
    def run(self, cmd: Command) -> ChangeSet:
        """Run one command in one transaction; it is committed when this returns.

        Every failure comes out as a RuptureCoderError (a refusal, or a StorageError saying why
        the database did not take it); either way nothing of the command was written."""
        with self._failures(cmd.describe()), self.project.new_session() as session:
            recorder = ChangeRecorder(session)
            try:
                with session.begin():
                    authorize(session, self.rater_id, cmd)
                    result = cmd.apply(session)
                    session.flush()
                    changes = list(recorder.changes)
                    audit_id = None
                    if changes:
                        entry = self._audit(session, cmd.command_name, cmd.describe(), changes)
                        audit_id = entry.id
            finally:
                recorder.close()
        change = ChangeSet.build(cmd.command_name, cmd.describe(), audit_id, changes, result)
        if audit_id is not None:
            self._undo.append(audit_id)
            self._sizes[audit_id] = len(changes)
            self._redo.clear()
            self._notify(change)
        return change

    @contextmanager
    def _failures(self, doing: str) -> Iterator[None]:
        """Turn every failure of a write into a RuptureCoderError naming what was not saved."""
        try:
            yield
        except (NothingToUndo, Cancelled):
            raise  # not failures: nothing was meant to be written (a cancel is the person's choice)
        except RuptureCoderError as exc:
            log.info("%s refused: %s", doing, exc)
            self._notify_failure(exc)
            raise
        except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
            error = storage_error(exc, f"{doing} was not saved", self.project.path)
            log.warning("%s", error, exc_info=True)
            self._notify_failure(error)
            raise error from exc
        except Exception as exc:  # a defect: say so, keep the details for the log
            log.exception("command %r failed", doing)
            internal = InternalError(
                f"{doing} was not saved: an unexpected error ({type(exc).__name__}: {exc}). "
                "Nothing was written; please report this with the log file."
            )
            self._notify_failure(internal)
            raise internal from exc

    def _audit(
        self, session: Db, name: str, summary: str, changes: list[RowChange], **kw
    ) -> AuditEntry:
        entry = AuditEntry(
            actor=self.actor,
            command=name,
            summary=summary,
            changes=[c.to_json() for c in changes],
            **kw,
        )
        session.add(entry)
        session.flush()
        return entry

    # -- undo / redo -----------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_summary(self) -> str | None:
        return self._summary(self._undo)

    def redo_summary(self) -> str | None:
        return self._summary(self._redo)

    def _summary(self, stack: list[int]) -> str | None:
        if not stack:
            return None
        with self.project.read() as s:
            entry = s.get(AuditEntry, stack[-1])
            return entry.summary if entry is not None else None

    def pending_size(self, redo: bool = False) -> int:
        """How many row changes the next undo (``redo``: redo) replays: a merge's 100,000 take
        seconds, worth a worker and a progress dialog; a key press's one does not."""
        stack = self._redo if redo else self._undo
        return self._sizes.get(stack[-1], 0) if stack else 0

    def undo(self) -> ChangeSet:
        return self._replay(self._undo, self._redo, inverse=True)

    def redo(self) -> ChangeSet:
        return self._replay(self._redo, self._undo, inverse=False)

    def _replay(self, source: list[int], target: list[int], inverse: bool) -> ChangeSet:
        if not source:
            raise NothingToUndo("nothing to undo" if inverse else "nothing to redo")
        audit_id = source[-1]
        verb = "undo" if inverse else "redo"
        with self._failures(verb), self.project.new_session() as session, session.begin():
            original = session.get(AuditEntry, audit_id)
            if original is None:
                raise UndoConflict(
                    f"cannot {verb}: change {audit_id} is no longer in the project's audit log"
                )
            recorded = [RowChange.from_json(c) for c in original.changes]
            changes = [c.inverse() for c in reversed(recorded)] if inverse else recorded
            apply_changes(session, changes)  # raises UndoConflict and rolls back if rows moved on
            summary = f"{verb}: {original.summary}"
            link = {"undoes": audit_id} if inverse else {"redoes": audit_id}
            entry = self._audit(session, verb, summary, changes, **link)
            new_id = entry.id
        source.pop()
        target.append(audit_id)
        change = ChangeSet.build(verb, summary, new_id, changes)
        self._notify(change)
        return change
