"""Open, create and upgrade a project database.

A project is one SQLite file (or, later, a PostgreSQL URL). Its schema is created and upgraded
only by the Alembic migrations shipped in this package; before an existing file is upgraded, a
consistent copy is taken with the SQLite backup API.
"""

from __future__ import annotations

import collections
import functools
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, Select, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session as Db  # the one name of an ORM session in this package
from sqlalchemy.orm import sessionmaker

from rupture_coder.errors import InternalError, ProjectError, StorageError
from rupture_coder.store import health
from rupture_coder.store.files import atomic_write

T = TypeVar("T")

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
CACHE_KIB = (
    32_768  # SQLite's page cache per connection (its default, 2 MiB, thrashes on 50,000 codes)
)
BUSY_TIMEOUT_MS = 5_000  # how long a write waits for another writer before it is refused


def _alembic_config(connection=None) -> Config:
    from alembic.config import Config  # Alembic loads only when a schema is created or upgraded

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:
        raise InternalError(
            f"no database migrations found in {MIGRATIONS}; reinstall rupture-coder"
        )
    return head


_ASSIGNED = re.compile(r"^(revision|down_revision)\b[^=]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def shipped_head() -> str | None:
    """The newest migration shipped, read from the migration files without importing Alembic
    (opening a project that is up to date then costs no Alembic start-up); None if unclear."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((k, v) for k, v in _ASSIGNED.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
        if "down_revision" in found:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # SQLAlchemy, not the driver, starts transactions (see _sqlite_begin)
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # a returned command survives a crash or power loss
    cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")  # big reads: pages stay in memory
    cur.close()


def _sqlite_begin(conn) -> None:
    """Writes take the database's write lock when they begin (BEGIN IMMEDIATE), waiting up to the
    busy timeout for another writer; reads begin deferred and never wait for writers (WAL)."""
    conn.exec_driver_sql(
        "BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN"
    )


_DUMP_CHUNK = 500  # items of a long list encoded by one C call (a few ms)


def json_dumps(value: object) -> str:
    """``json.dumps`` (same text), a long list a few hundred items at a time: a merge's audit
    entry lists 100,000 row changes, and one C call encoding them all would hold the GIL, and so
    freeze the window while the merge runs on a worker, for as long as it takes (one call per
    item took twice as long)."""
    if isinstance(value, list) and len(value) > _DUMP_CHUNK:
        parts = (
            json.dumps(value[k : k + _DUMP_CHUNK])[1:-1] for k in range(0, len(value), _DUMP_CHUNK)
        )
        return "[" + ", ".join(parts) + "]"
    return json.dumps(value)


def _sqlite_read_only_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA query_only=ON")  # a write is refused by SQLite itself
    cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cur.close()


def make_engine(url: str, read_only: bool = False) -> Engine:
    """An engine with the per-dialect settings the app relies on."""
    engine = create_engine(url, json_serializer=json_dumps)
    if engine.dialect.name == "sqlite":
        pragmas = _sqlite_read_only_pragmas if read_only else _sqlite_pragmas
        event.listen(engine, "connect", pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


_WHY = (  # what the database said -> what it means for the person, and what to do
    (("database is locked", "database table is locked", "busy"),
     "another program is writing to the project (another rupture-coder window, a merge, a sync "
     "tool); wait a moment and try again"),
    (("database or disk is full", "disk is full", "no space left"),
     "the disk is full; free some space and try again"),
    (("readonly", "read-only", "permission denied"),
     "the project file or its folder is read-only; check its permissions, or save a copy elsewhere"),
    (("malformed", "not a database", "file is encrypted", "corrupt"),
     "the project file is damaged; restore the latest backup (File > Restore from backup)"),
    (("unable to open database", "no such file"),
     "the project file cannot be reached (was it moved, deleted or on a drive that is gone?)"),
    (("disk i/o error", "input/output error"),
     "the disk reported an input/output error; copy the project somewhere safe"),
)  # fmt: skip


def _read_only(path: Path) -> bool:
    """The project file, its write-ahead log or its folder cannot be written (permissions, an
    immutable flag, a read-only mount): SQLite then reports a plain "disk I/O error"."""
    targets = [path, path.with_name(path.name + "-wal"), path.parent]
    return any(p.exists() and not os.access(p, os.W_OK) for p in targets)


def storage_error(exc: BaseException, doing: str, path: Path | None = None) -> StorageError:
    """Translate a database or file-system failure into a StorageError a person can act on."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).lower()
    if isinstance(original, OSError) and original.strerror:
        text += " " + original.strerror.lower()
    if path is not None and "i/o error" in text and _read_only(path):
        text += " read-only"
    why = next((w for keys, w in _WHY if any(k in text for k in keys)), None)
    if why is None:
        if isinstance(exc, IntegrityError):
            why = f"it conflicts with data already stored ({original})"
        else:
            why = f"the database refused it ({type(original).__name__}: {original})"
    return StorageError(f"{doing}: {why}. Nothing was saved.")


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Consistent copy of a live SQLite database (SQLite online backup API, not a file copy)."""

    def write(tmp: Path) -> None:
        source, copy = sqlite3.connect(src), sqlite3.connect(tmp)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()

    return replace_database_file(dest, write) or dest


def replace_database_file(dest: Path, write: Callable[[Path], T]) -> T:
    """``atomic_write`` for an SQLite file: the file it replaces takes its ``-wal`` and ``-shm``
    with it (SQLite would replay a stale ``-wal`` onto the new file)."""
    result = atomic_write(dest, write)
    for extra in ("-wal", "-shm"):
        Path(f"{dest}{extra}").unlink(missing_ok=True)
    return result


@dataclass
class Project:
    """An open project: its engine and a factory for ORM sessions."""

    url: str
    engine: Engine
    backup: Path | None = None  # the backup taken before an upgrade on this open, if any
    read_only: bool = False  # opened for reading only (read-only file or folder, full disk)

    def __post_init__(self) -> None:
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(write=True), expire_on_commit=False
        )

    @property
    def path(self) -> Path | None:
        u = make_url(self.url)
        return Path(u.database) if u.get_backend_name() == "sqlite" and u.database else None

    def new_session(self) -> Db:
        """A session for one command's transaction; it takes the write lock when it begins."""
        return self._writer()

    @contextmanager
    def read(self) -> Iterator[Db]:
        """A session for queries; it never commits, and its objects stay readable after it closes.
        A database failure comes out as a StorageError."""
        try:
            with self._factory() as s:
                yield s
        except (SQLAlchemyError, sqlite3.Error) as exc:
            raise storage_error(exc, "reading the project failed") from exc

    def close(self) -> None:
        self.engine.dispose()


def raw_rows(db: Db, statement: Select[*tuple[Any, ...]]) -> list[tuple]:
    """The rows of a Core ``select`` as the driver's plain tuples, read in ``db``'s transaction.

    For big reads (a session's 50,000 codes, a study's codes): SQLAlchemy's per-row processing
    costs more than SQLite's own work. The values come as the driver gives them, so select only
    columns whose stored form is what the caller uses (text, numbers; booleans come as 0 or 1)."""
    conn = db.connection()
    driver = conn.connection.driver_connection
    if conn.dialect.name != "sqlite" or driver is None:
        return [tuple(row) for row in conn.execute(statement)]
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    given = compiled.params  # (built anew at each access: once per name was quadratic)
    params = [given[name] for name in compiled.positiontup or ()]
    cursor = driver.cursor()
    try:
        return cursor.execute(str(compiled), params).fetchall()
    except sqlite3.Error as exc:
        raise storage_error(exc, "reading the project failed") from exc
    finally:
        cursor.close()


def named_rows(db: Db, statement: Select[*tuple[Any, ...]]) -> list:
    """``raw_rows`` as named tuples (``row.session_id``), for reads of many rows."""
    cls = _row_class(tuple(c.key for c in statement.selected_columns))
    return [cls._make(r) for r in raw_rows(db, statement)]


@functools.lru_cache(maxsize=32)
def _row_class(names: tuple[str, ...]):
    return collections.namedtuple("Row", names)


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database (Alembic's table), None for a new database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        revisions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        if len(revisions) > 1:  # branches: Alembic says what that means
            from alembic.runtime.migration import MigrationContext

            return MigrationContext.configure(conn).get_current_revision()
    return revisions[0] if revisions else None


def open_project(
    target: str | Path, create: bool = True, create_folder: bool = False, read_only_ok: bool = False
) -> Project:
    """Open (and if needed create or upgrade) a project; ``target`` is a path or a database URL.

    A missing file is created only with ``create``, a missing folder only with ``create_folder``.
    An existing file is checked first (header, then SQLite's quick_check): a damaged one is
    refused with the way back to its latest backup. A project that cannot be written (read-only
    file or folder, full disk) is refused, or opened for reading only with ``read_only_ok``.
    Every refusal is a ProjectError that names the file; nothing is changed."""
    if not isinstance(target, Path) and "://" in str(target):
        return _open_url(str(target))
    path = Path(target).expanduser().resolve()
    exists = _existing_project(path, create, create_folder)
    reason = health.unwritable_reason(path, exists)
    if reason and not (exists and read_only_ok):
        action = "open" if exists else "create"
        raise ProjectError(f"{path}: cannot {action} the project: {reason}. Nothing was changed.")
    read_only = reason is not None
    if read_only and _journal_pending(path):
        raise ProjectError(f"{path}: cannot read the project here: {reason}, and its journal "
                           f"({path.name}-wal) holds changes not yet written into it; open it "
                           "where it can be written. Nothing was changed.")  # fmt: skip
    engine = make_engine(health.readonly_url(path) if read_only else f"sqlite:///{path}", read_only)
    try:
        if exists:
            findings = health.quick_check(engine)
            if findings:
                raise ProjectError(health.damaged_message(path, findings))
        backup = _upgrade(engine, path, exists, read_only)
    except ProjectError:
        engine.dispose()
        raise
    except (DBAPIError, OSError) as exc:
        engine.dispose()
        raise ProjectError(str(storage_error(exc, f"{path}: cannot open the project"))) from None
    return Project(url=f"sqlite:///{path}", engine=engine, backup=backup, read_only=read_only)


def _existing_project(path: Path, create: bool, create_folder: bool) -> bool:
    """Whether ``path`` holds a project to open (checked: a database, whole); creating its folder
    when asked to; ProjectError for a folder, a foreign or cut-off file, or a missing one."""
    if path.is_dir():
        raise ProjectError(f"{path}: is a folder; choose a project file (.rcproj) in it")
    if not path.parent.is_dir():
        if not (create and create_folder):
            raise ProjectError(f"{path}: no such folder {path.parent}; check the path, or ask to "
                               "create the project and its folder (--create)")  # fmt: skip
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProjectError(f"{path}: cannot create the folder: {exc.strerror}") from None
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise ProjectError(
            f"{path}: no such project; check the path, or ask to create it (--create)"
        )
    if exists:
        try:
            health.check_header(path)
        except OSError as exc:
            raise ProjectError(f"{path}: cannot read the project file: {exc.strerror}") from None
        except ValueError as exc:
            if "not an SQLite" in str(exc):
                raise ProjectError(f"{path}: {exc}; choose a project file (.rcproj) or a new "
                                   "file name") from None  # fmt: skip
            raise ProjectError(health.damaged_message(path, [str(exc)], "its header")) from None
    return exists


def _journal_pending(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _open_url(url: str) -> Project:
    engine = make_engine(url)
    try:
        backup = _upgrade(engine, None, True)
    except ProjectError:
        engine.dispose()
        raise
    except (DBAPIError, OSError) as exc:
        engine.dispose()
        where = engine.url.render_as_string(hide_password=True)
        raise ProjectError(str(storage_error(exc, f"{where}: cannot open the project"))) from None
    return Project(url=url, engine=engine, backup=backup)


def _upgrade(
    engine: Engine, path: Path | None, existed: bool, read_only: bool = False
) -> Path | None:
    rev = current_revision(engine)
    if rev is not None and rev == shipped_head():
        return None
    from alembic import command
    from alembic.script import ScriptDirectory

    head = head_revision()
    if rev == head:
        return None
    script = ScriptDirectory.from_config(_alembic_config())
    known = {r.revision for r in script.walk_revisions()}
    where = path or engine.url.render_as_string(hide_password=True)
    if rev is None and inspect(engine).get_table_names():
        raise ProjectError(f"{where}: this database has tables but is not a rupture-coder project")
    if rev is not None and rev not in known:
        raise ProjectError(
            f"{where}: made by a newer rupture-coder (schema revision {rev}; this version knows up "
            f"to {head}); update rupture-coder to open it. The file was not changed."
        )
    if read_only:
        raise ProjectError(f"{where}: made by an older rupture-coder and cannot be upgraded here: "
                           "it is open for reading only; open it where it can be written")  # fmt: skip
    backup = None
    if rev is not None and path is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = backup_sqlite(path, path.with_name(f"{path.name}.backup-rev{rev}-{stamp}"))
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    return backup
