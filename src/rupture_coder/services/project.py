"""Commands on the project as a whole: settings, raters, codebook versions, sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from sqlalchemy import ColumnElement, exists, or_, select

from rupture_coder.codebook import Codebook, parse_codebook_text
from rupture_coder.codebook.loader import content_hash
from rupture_coder.domain import clean_rater_name, rater_name_key
from rupture_coder.errors import CommandError
from rupture_coder.store.db import Db
from rupture_coder.store.models import (
    RATER_ROLES,
    Base,
    CodebookVersion,
    CodeEvent,
    ProjectSetting,
    Rater,
    SegmentRating,
    Session,
    SessionRating,
)


@dataclass
class SetSetting:
    """Change a project setting (checked against its description in services/settings.py);
    ``value=None`` goes back to the default. Undo restores the previous value."""

    key: str
    value: Any
    internal: bool = False  # a key the app keeps for itself (not checked, not listed)
    command_name: ClassVar[str] = "set setting"

    def describe(self) -> str:
        return f"set {self.key} = {self.value!r}" if self.value is not None else f"reset {self.key}"

    def apply(self, db: Db) -> Any:
        from rupture_coder.services.settings import INTERNAL, spec

        value = self.value
        if not (self.internal and self.key in INTERNAL):
            definition = spec(self.key)
            value = definition.default if value is None else definition.parse(value)
        row = db.get(ProjectSetting, self.key)
        if self.value is None:
            if row is not None:
                db.delete(row)
        elif row is None:
            db.add(ProjectSetting(key=self.key, value=value))
        else:
            row.value = value
        return value


@dataclass
class AddRater:
    name: str
    role: str = "coder"
    rater_id: str | None = None
    command_name: ClassVar[str] = "add rater"

    def describe(self) -> str:
        return f"add {self.role} {self.name!r}"

    def apply(self, db: Db) -> Rater:
        if self.role not in RATER_ROLES:
            raise CommandError(f"unknown rater role {self.role!r}; expected one of {RATER_ROLES}")
        from rupture_coder.services.consensus import CONSENSUS

        name = valid_rater_name(self.name)
        if rater_name_key(name) == rater_name_key(CONSENSUS):
            raise CommandError(
                f"{name!r} is the app's own rater for reconciled codes; give another name"
            )
        same = rater_named(db, name)
        if same is not None:
            raise CommandError(
                f"there is already a rater {same.name!r} ({same.role}); give another name"
            )
        rater = Rater(name=name, role=self.role)
        if self.rater_id:
            rater.id = self.rater_id
        db.add(rater)
        db.flush()
        return rater


def valid_rater_name(name: str) -> str:
    """The name as it is stored, or a CommandError saying why it cannot be a rater's name."""
    try:
        return clean_rater_name(name)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def rater_named(db: Db, name: str) -> Rater | None:
    """The earliest rater whose name is ``name`` compared as ``rater_name_key`` compares names
    (SQLite's lower() folds ASCII only: "Émile" and "ÉMILE" would differ, and even "Émile"
    would not find "Émile")."""
    want = rater_name_key(name)
    for rater in db.scalars(select(Rater).order_by(Rater.created_at)):
        if rater_name_key(rater.name) == want:
            return rater
    return None


def codebook_in_use(db: Db, codebook_id: str, version: str) -> bool:
    """True when any code, rating or session refers to this codebook version (it is frozen)."""
    checks = [
        exists().where(CodeEvent.codebook_id == codebook_id, CodeEvent.codebook_version == version),
        exists().where(
            SegmentRating.codebook_id == codebook_id, SegmentRating.codebook_version == version
        ),
        exists().where(
            SessionRating.codebook_id == codebook_id, SessionRating.codebook_version == version
        ),
        exists().where(Session.codebook_id == codebook_id, Session.codebook_version == version),
    ]
    return bool(db.scalar(select(or_(*checks))))


_PARSED: dict[str, Codebook] = {}
M = TypeVar("M", bound=Base)


def get_row(db: Db, model: type[M], key: Any, what: str) -> M:
    """The stored row with this primary key; CommandError ("no session ...") when there is none."""
    obj = db.get(model, key)
    if obj is None:
        raise CommandError(f"no {what} {key}")
    return obj


def find_row(db: Db, model: type[M], **filters: Any) -> M | None:
    """The row matching ``filters``, typed as ``model`` even when that is one of several models."""
    return db.scalar(select(model).filter_by(**filters))


def find_rows(db: Db, model: type[M], *where: ColumnElement[bool]) -> Sequence[M]:
    """The rows matching ``where``, typed as ``model`` (select() would type a union as Base)."""
    return db.scalars(select(model).where(*where)).all()


def stored_codebook(db: Db, codebook_id: str | None, version: str | None) -> Codebook:
    """The stored codebook version, parsed once per content hash."""
    if codebook_id is None or version is None:
        raise CommandError("no codebook is assigned; assign a codebook version first")
    row = db.get(CodebookVersion, (codebook_id, version))
    if row is None:
        raise CommandError(f"codebook {codebook_id} {version} is not in this project")
    if row.content_hash not in _PARSED:
        _PARSED[row.content_hash] = parse_codebook_text(row.content, f"{codebook_id} {version}")
    return _PARSED[row.content_hash]


@dataclass
class RegisterCodebook:
    """Store a codebook version's full text. Re-registering identical text changes nothing;
    different text under a version that codes refer to is refused: that needs a new version."""

    text: str
    source: str = "<codebook>"
    command_name: ClassVar[str] = "register codebook"

    def describe(self) -> str:
        return f"register codebook from {self.source}"

    def apply(self, db: Db) -> Codebook:
        cb = parse_codebook_text(self.text, self.source)
        digest = content_hash(self.text)
        for mapping in cb.mappings:
            old_row = db.get(CodebookVersion, (cb.id, mapping.from_version))
            if old_row is None:
                continue
            old_ids = {i.id for i in parse_codebook_text(old_row.content).items()}
            unknown = sorted(set(mapping.items) - old_ids)
            if unknown:
                raise CommandError(
                    f"{self.source}: the mapping from {mapping.from_version} names item(s) "
                    f"{', '.join(unknown)}, which {cb.id} {mapping.from_version} does not have"
                )
        row = db.get(CodebookVersion, (cb.id, cb.version))
        if row is None:
            db.add(
                CodebookVersion(
                    codebook_id=cb.id,
                    version=cb.version,
                    title=cb.title,
                    kind=cb.kind,
                    content=self.text,
                    content_hash=digest,
                )
            )
        elif row.content_hash != digest:
            if codebook_in_use(db, cb.id, cb.version):
                raise CommandError(
                    f"{self.source}: codebook {cb.id} {cb.version} is frozen (codes refer to it) and "
                    "this file differs from the stored text; give the changed codebook a new "
                    "version number"
                )
            row.title, row.kind, row.content, row.content_hash = (
                cb.title,
                cb.kind,
                self.text,
                digest,
            )
        return cb
