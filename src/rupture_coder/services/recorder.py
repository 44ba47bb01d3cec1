"""Row-level change capture: what every command wrote, for the audit log and for undo/redo.

The recorder hooks the ORM session's flush, so no command can write a row without it being
recorded. A recorded change can be inverted and applied again through SQLAlchemy Core, after
checking that the rows still are as the change left them.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import (
    Date,
    DateTime,
    Table,
    and_,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Dialect

from rupture_coder.errors import UndoConflict
from rupture_coder.store.db import Db
from rupture_coder.store.models import AuditEntry, Base

Op = Literal["insert", "update", "delete"]
_SKIP = {AuditEntry.__tablename__}
_ORDER = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}  # parents first


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is UTC:  # the same text, sooner (a merge encodes 200,000 of them)
            return value.isoformat()
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


@functools.cache
def _temporal(table: Table) -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    """(every column, the DateTime columns, the Date columns) of a table: what encode/decode touch."""
    return (
        frozenset(table.c.keys()),
        tuple(c.key for c in table.c if isinstance(c.type, DateTime)),
        tuple(c.key for c in table.c if isinstance(c.type, Date)),
    )


def decode(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """A row as stored in JSON (the audit, a package) back to column values; KeyError on a key
    the table does not have."""
    columns, datetimes, dates = _temporal(table)
    unknown = values.keys() - columns
    if unknown:
        raise KeyError(sorted(unknown)[0])
    out = dict(values)
    for key in datetimes:
        if out.get(key) is not None:
            out[key] = datetime.fromisoformat(out[key])
    for key in dates:
        if out.get(key) is not None:
            out[key] = date.fromisoformat(out[key])
    return out


def _written_as_encode_writes(text: Any, value: datetime) -> bool:
    """Is ``text`` (that ``datetime.fromisoformat`` read as ``value``) what ``encode(value)``
    gives, "YYYY-MM-DDTHH:MM:SS.ffffff+00:00"? Then it need not be formatted again."""
    return (
        value.tzinfo is UTC
        and value.microsecond != 0
        and len(text) == 32
        and text[4] == "-" and text[7] == "-" and text[10] == "T" and text[13] == ":"
        and text[16] == ":" and text[19] == "."
        and text.endswith("+00:00")
    )  # fmt: skip


def decode_pair(table: Table, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(``decode(table, values)``, the row as ``encode_row`` gives it back): ``values`` itself
    when its times are written as ``encode`` writes them (a package's rows are)."""
    out = decode(table, values)
    _columns, datetimes, dates = _temporal(table)
    encoded: dict[str, Any] | None = None
    for key in datetimes:
        value = out.get(key)
        if value is not None and not _written_as_encode_writes(values[key], value):
            encoded = dict(values) if encoded is None else encoded
            encoded[key] = encode(value)
    for key in dates:
        if out.get(key) is not None:
            encoded = dict(values) if encoded is None else encoded
            encoded[key] = encode(out[key])
    return out, values if encoded is None else encoded


def encode_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A row's column values as JSON can hold them (the inverse of ``decode``)."""
    _columns, datetimes, dates = _temporal(table)
    out = dict(row)
    for key in datetimes + dates:
        if out.get(key) is not None:
            out[key] = encode(out[key])
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

    def __init__(self, session: Db):
        self.changes: list[RowChange] = []
        self._deleted: dict[int, dict[str, Any]] = {}
        self._session = session
        session.info["change_recorder"] = self
        event.listen(session, "before_flush", self._before_flush)
        event.listen(session, "after_flush", self._after_flush)

    def close(self) -> None:
        self._session.info.pop("change_recorder", None)
        event.remove(self._session, "before_flush", self._before_flush)
        event.remove(self._session, "after_flush", self._after_flush)

    def _before_flush(self, session: Db, _ctx, _instances) -> None:
        for obj in session.deleted:  # the rows still exist: take their whole content now
            if obj.__tablename__ not in _SKIP:
                self._deleted[id(obj)] = snapshot(obj)

    def _after_flush(self, session: Db, _ctx) -> None:
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


def bulk_insert(
    session: Db,
    model: type[Base],
    rows: list[dict[str, Any]],
    encoded: list[dict[str, Any]] | None = None,
) -> None:
    """Insert many rows in one executemany, recorded for the audit and undo like any insert.

    Each row must give every column (the caller fills defaults such as ids). ``encoded``: the
    same rows as ``encode_row`` gives them, when the caller has them (``decode_pair``).
    """
    if not rows:
        return
    table: Table = model.__table__
    missing = {c.name for c in table.columns} - set(rows[0])
    if missing:
        raise ValueError(
            f"bulk_insert into {table.name} needs every column; missing {sorted(missing)}"
        )
    session.flush()  # keep the order: earlier ORM inserts (parents) first
    conn = session.connection()
    plan = _insert_plan(table, conn.dialect)
    if plan is None:
        session.execute(insert(table), rows)
    else:  # SQLAlchemy's own statement and bind processors, without its per-row bookkeeping
        sql, get, processed = plan
        try:
            params = [list(get(row)) for row in rows]
        except KeyError as exc:
            raise ValueError(
                f"bulk_insert into {table.name} needs every column; missing {exc.args[0]!r}"
            ) from None
        for i, process in processed:
            for values in params:
                values[i] = process(values[i])
        conn.exec_driver_sql(sql, [tuple(values) for values in params])
    recorder: ChangeRecorder | None = session.info.get("change_recorder")
    if recorder is not None:
        pk_cols = [c.name for c in table.primary_key.columns]
        _columns, datetimes, dates = _temporal(table)
        temporal = datetimes + dates
        changes = recorder.changes
        if encoded is None:
            encoded = []
            for row in rows:
                text = dict(row)
                for key in temporal:
                    if text.get(key) is not None:
                        text[key] = encode(text[key])
                encoded.append(text)
        for text in encoded:
            changes.append(
                RowChange("insert", table.name, {k: text[k] for k in pk_cols}, None, text)
            )


@functools.cache
def _insert_plan(table: Table, dialect: Dialect) -> tuple[str, Any, tuple] | None:
    """(SQL, a getter of a row's values in the order of its parameters, (position, bind
    processor) of those SQLAlchemy processes) of an insert of every column of the table; None
    for a dialect with named parameters."""
    compiled = insert(table).compile(dialect=dialect)
    if not compiled.positional or compiled.positiontup is None:
        return None
    keys = tuple(compiled.positiontup)
    if set(keys) != {c.key for c in table.columns} or len(keys) < 2:
        return None
    processors = (table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in keys)
    processed = tuple((i, p) for i, p in enumerate(processors) if p is not None)
    return compiled.string, operator.itemgetter(*keys), processed


def _where(table: Table, pk: dict[str, Any]):
    return and_(*(table.c[k] == v for k, v in decode(table, pk).items()))


def _current_rows(session: Db, table: Table, changes: list[RowChange]) -> dict[tuple, dict]:
    """The rows the changes touch, as they are now, keyed by encoded primary key."""
    pk_cols = [c.name for c in table.primary_key.columns]
    found: dict[tuple, dict] = {}
    if len(pk_cols) == 1:
        col = table.c[pk_cols[0]]
        keys = [decode(table, c.pk)[pk_cols[0]] for c in changes]
        for i in range(0, len(keys), 500):
            for row in session.execute(select(table).where(col.in_(keys[i : i + 500]))).mappings():
                found[(encode(row[pk_cols[0]]),)] = dict(row)
    else:
        for c in changes:
            row = session.execute(select(table).where(_where(table, c.pk))).mappings().first()
            if row is not None:
                found[tuple(c.pk[k] for k in pk_cols)] = dict(row)
    return found


def _check(change: RowChange, row: dict | None) -> None:
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


def apply_changes(session: Db, changes: list[RowChange]) -> None:
    """Apply changes in an order the foreign keys accept; refuse all if any row moved on."""
    by_table: dict[str, list[RowChange]] = {}
    for change in changes:
        by_table.setdefault(change.table, []).append(change)
    for name, group in by_table.items():
        table = Base.metadata.tables[name]
        pk_cols = [c.name for c in table.primary_key.columns]
        current = _current_rows(session, table, group)
        for change in group:
            _check(change, current.get(tuple(change.pk[k] for k in pk_cols)))
    if session.get_bind().dialect.name == "sqlite":
        # foreign keys are checked at commit, so the order below only has to respect unique keys
        session.execute(text("PRAGMA defer_foreign_keys = ON"))
    for name in sorted(by_table, key=lambda n: -_ORDER[n]):  # deletes first, children first:
        table = Base.metadata.tables[name]  # frees unique keys (segment indexes...) for re-inserts
        doomed = [c for c in by_table[name] if c.op == "delete"]
        pk_cols = [c.name for c in table.primary_key.columns]
        if len(pk_cols) == 1:
            keys = [decode(table, c.pk)[pk_cols[0]] for c in doomed]
            for i in range(0, len(keys), 500):
                session.execute(delete(table).where(table.c[pk_cols[0]].in_(keys[i : i + 500])))
        else:
            for c in doomed:
                session.execute(delete(table).where(_where(table, c.pk)))
    for name in sorted(by_table, key=lambda n: _ORDER[n]):  # then inserts, parents first
        rows = [
            decode(Base.metadata.tables[name], c.after or {})
            for c in by_table[name]
            if c.op == "insert"
        ]
        if rows:
            session.execute(insert(Base.metadata.tables[name]), rows)
    for c in (c for c in changes if c.op == "update"):
        table = Base.metadata.tables[c.table]
        session.execute(
            update(table).where(_where(table, c.pk)).values(**decode(table, c.after or {}))
        )
