"""Row-level change capture: what every command wrote, for the audit log and for undo/redo.

The recorder hooks the ORM session's flush, so no command can write a row without it being
recorded. A recorded change can be inverted and applied again through SQLAlchemy Core, after
checking that the rows still are as the change left them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import Date, DateTime, Table, and_, delete, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from rupture_coder.store.models import AuditEntry, Base

Op = Literal["insert", "update", "delete"]
_SKIP = {AuditEntry.__tablename__}
_ORDER = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}  # parents first


class UndoConflict(RuntimeError):
    """The rows an undo or redo would restore were changed since; nothing was applied."""


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def decode(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        col_type = table.c[key].type
        if value is not None and isinstance(col_type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(col_type, Date):
            value = date.fromisoformat(value)
        out[key] = value
    return out


@dataclass(frozen=True)
class RowChange:
    op: Op
    table: str
    pk: dict[str, Any]
    before: dict[str, Any] | None  # the changed columns before (whole row for a delete)
    after: dict[str, Any] | None  # the changed columns after (whole row for an insert)

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "table": self.table,
            "pk": self.pk,
            "before": self.before,
            "after": self.after,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RowChange:
        return cls(d["op"], d["table"], d["pk"], d["before"], d["after"])

    def inverse(self) -> RowChange:
        op: Op = {"insert": "delete", "delete": "insert", "update": "update"}[self.op]  # type: ignore[assignment]
        return RowChange(op, self.table, self.pk, self.after, self.before)


def _pk(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {c.key: encode(getattr(obj, c.key)) for c in mapper.primary_key}


def snapshot(obj: Any) -> dict[str, Any]:
    return {a.key: encode(getattr(obj, a.key)) for a in inspect(obj).mapper.column_attrs}


class ChangeRecorder:
    """Collects the RowChanges of every flush of one ORM session."""

    def __init__(self, session: Session):
        self.changes: list[RowChange] = []
        self._deleted: dict[int, dict[str, Any]] = {}
        self._session = session
        event.listen(session, "before_flush", self._before_flush)
        event.listen(session, "after_flush", self._after_flush)

    def close(self) -> None:
        event.remove(self._session, "before_flush", self._before_flush)
        event.remove(self._session, "after_flush", self._after_flush)

    def _before_flush(self, session: Session, _ctx, _instances) -> None:
        for obj in session.deleted:  # the rows still exist: take their whole content now
            if obj.__tablename__ not in _SKIP:
                self._deleted[id(obj)] = snapshot(obj)

    def _after_flush(self, session: Session, _ctx) -> None:
        for obj in session.new:
            if obj.__tablename__ not in _SKIP:
                self.changes.append(
                    RowChange("insert", obj.__tablename__, _pk(obj), None, snapshot(obj))
                )
        for obj in session.dirty:
            if obj.__tablename__ in _SKIP or not session.is_modified(obj):
                continue
            before, after = {}, {}
            state = inspect(obj)
            for attr in state.mapper.column_attrs:
                hist = state.attrs[attr.key].history
                if hist.has_changes() and hist.deleted:
                    before[attr.key] = encode(hist.deleted[0])
                    after[attr.key] = encode(getattr(obj, attr.key))
            if before and before != after:
                self.changes.append(RowChange("update", obj.__tablename__, _pk(obj), before, after))
        for obj in session.deleted:
            if obj.__tablename__ not in _SKIP:
                row = self._deleted.pop(id(obj), None) or snapshot(obj)
                self.changes.append(RowChange("delete", obj.__tablename__, _pk(obj), row, None))


def _where(table: Table, pk: dict[str, Any]):
    return and_(*(table.c[k] == v for k, v in decode(table, pk).items()))


def _check(session: Session, change: RowChange) -> None:
    table = Base.metadata.tables[change.table]
    row = session.execute(select(table).where(_where(table, change.pk))).mappings().first()
    if change.before is None:
        if row is not None:
            raise UndoConflict(f"{change.table} {change.pk} exists again; it was re-created since")
        return
    if row is None:
        raise UndoConflict(f"{change.table} {change.pk} no longer exists; it was deleted since")
    for key, expected in change.before.items():
        if encode(row[key]) != expected:
            raise UndoConflict(
                f"{change.table} {change.pk}: {key} is now {encode(row[key])!r}, "
                f"not {expected!r}; it was changed since"
            )


def apply_changes(session: Session, changes: list[RowChange]) -> None:
    """Apply changes in an order the foreign keys accept; refuse all if any row moved on."""
    for change in changes:
        _check(session, change)
    inserts = sorted((c for c in changes if c.op == "insert"), key=lambda c: _ORDER[c.table])
    deletes = sorted((c for c in changes if c.op == "delete"), key=lambda c: -_ORDER[c.table])
    updates = [c for c in changes if c.op == "update"]
    for c in inserts:
        table = Base.metadata.tables[c.table]
        session.execute(insert(table).values(**decode(table, c.after or {})))
    for c in updates:
        table = Base.metadata.tables[c.table]
        session.execute(
            update(table).where(_where(table, c.pk)).values(**decode(table, c.after or {}))
        )
    for c in deletes:
        table = Base.metadata.tables[c.table]
        session.execute(delete(table).where(_where(table, c.pk)))
