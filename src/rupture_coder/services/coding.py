"""Coding commands: code events, supervisor flags, segment and session ratings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import select

from rupture_coder.codebook.model import Codebook, ItemKind, Scale
from rupture_coder.errors import CommandError
from rupture_coder.services.places import Places
from rupture_coder.services.progress import rupture_markers
from rupture_coder.services.project import find_row, stored_codebook
from rupture_coder.services.project import get_row as _get
from rupture_coder.store.db import Db
from rupture_coder.store.models import (
    CodeEvent,
    Rater,
    Segment,
    SegmentRating,
    Session,
    SessionRating,
    Utterance,
    utcnow,
)


@dataclass
class CodeSpec:
    """Where and what: the fields of a code event a coder chooses."""

    item_id: str
    first_utterance_id: str | None = None
    last_utterance_id: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    segment_id: str | None = None
    count: int = 1
    value: int | None = None
    actor_id: str | None = None
    target_id: str | None = None
    level: str | None = None
    note: str = ""


_SPEC_FIELDS = tuple(CodeSpec.__dataclass_fields__)


class CodeRefused(CommandError):
    """A code was refused because of one of its fields (``field``: item, utterance, time_s,
    segment, count, value, actor, target or level), so that an import can name it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _check_spec(
    db: Db, cb: Codebook, session: Session, spec: CodeSpec, places: Places | None = None
) -> None:
    places = Places(db) if places is None else places
    try:
        item = cb.item(spec.item_id)
    except KeyError as exc:
        raise CodeRefused("item", exc.args[0]) from None
    if not (spec.first_utterance_id or spec.start_s is not None or spec.segment_id):
        raise CodeRefused("utterance", "a code needs an utterance, a time or a segment")
    if spec.first_utterance_id:
        first = places.utterance(spec.first_utterance_id)
        last = places.utterance(spec.last_utterance_id or spec.first_utterance_id)
        if first[0] != session.id or last[0] != session.id:
            raise CodeRefused("utterance", "the utterances belong to another session")
        if last[1] < first[1]:
            raise CodeRefused("last_utterance", "the last utterance comes before the first")
    if spec.start_s is not None and spec.end_s is not None and spec.end_s < spec.start_s:
        raise CodeRefused(
            "end_s", f"the code ends ({spec.end_s}) before it starts ({spec.start_s})"
        )
    if spec.segment_id and places.segment(spec.segment_id) != session.id:
        raise CodeRefused("segment", "the segment belongs to another session")
    if item.kind == ItemKind.RATING:
        try:
            check_value(cb.scale(item.scale or ""), spec.value, False, item.id)
        except CommandError as exc:
            raise CodeRefused("value", str(exc)) from None
    elif spec.value is not None:
        raise CodeRefused("value", f"item {item.id} is a {item.kind.value} item and takes no value")
    if spec.count < 1 or (item.kind == ItemKind.PRESENCE and spec.count != 1):
        raise CodeRefused(
            "count", f"item {item.id}: count must be 1 for presence items and >= 1 for count items"
        )
    _check_group(places, cb, session, item, spec)


def _check_group(places: Places, cb: Codebook, session: Session, item, spec: CodeSpec) -> None:
    people = {p for p in (spec.actor_id, spec.target_id) if p is not None}
    for pid in people:
        if places.participant(pid)[0] != session.id:
            raise CodeRefused(
                "actor" if pid == spec.actor_id else "target",
                f"participant {pid} is not in this session",
            )
    if cb.group is None:
        if spec.level:
            raise CodeRefused(
                "level", f"codebook {cb.id} is not a group codebook; a code has no level"
            )
        return
    if not spec.actor_id or not spec.level:
        raise CodeRefused(
            "actor" if not spec.actor_id else "level",
            f"{cb.id}: every event needs an actor and a level (who acted, at which level)",
        )
    level = next((lv for lv in cb.group.levels if lv.id == spec.level), None)
    if level is None:
        raise CodeRefused(
            "level",
            f"unknown level {spec.level!r}; expected one of {[lv.id for lv in cb.group.levels]}",
        )
    actor_role = places.participant(spec.actor_id)[1]
    if actor_role != level.actor_role:
        raise CodeRefused(
            "actor", f"level {level.id} needs a {level.actor_role} as actor, not a {actor_role}"
        )
    if item.actor_roles and actor_role not in item.actor_roles:
        raise CodeRefused(
            "actor", f"item {item.id} is coded for {item.actor_roles}, not for a {actor_role}"
        )
    if item.levels and level.id not in item.levels:
        allowed = " or ".join(item.levels)
        raise CodeRefused(
            "level", f"item {item.id} may be coded only at level {allowed}, not {level.id}"
        )
    if level.target_role == cb.group.group_target:
        if spec.target_id:
            raise CodeRefused(
                "target", f"level {level.id} targets the whole group; leave the target empty"
            )
    else:
        if not spec.target_id:
            raise CodeRefused("target", f"level {level.id} needs a target ({level.target_role})")
        target_role = places.participant(spec.target_id)[1]
        if target_role != level.target_role:
            raise CodeRefused(
                "target",
                f"level {level.id} needs a {level.target_role} as target, not a {target_role}",
            )
        if spec.target_id == spec.actor_id:
            raise CodeRefused("target", "actor and target are the same participant")


def check_value(scale: Scale, value: int | None, is_na: bool, what: str) -> None:
    if is_na:
        if not scale.allow_na:
            raise CommandError(f"{what}: N/A is not allowed on scale {scale.id}")
        if value is not None:
            raise CommandError(f"{what}: give a value or N/A, not both")
        return
    if value is None or not scale.min <= value <= scale.max:
        raise CommandError(
            f"{what}: {value!r} is not on scale {scale.id} ({scale.min}..{scale.max})"
        )


def _refuse_na_with_ruptures(
    db: Db, session: Session, rater_id: str, definition, cb: Codebook, segment_id: str | None
) -> None:
    """N/A means "no rupture occurred": refused once the rater coded a rupture marker (in the
    segment, for a segment rating; in the session, for a session rating)."""
    segment = db.get(Segment, segment_id) if segment_id else None
    markers = rupture_markers(db, session, rater_id, segment.index if segment else None)
    if not markers:
        return
    n = len(markers)
    if segment is not None:
        where, listing = "segment", ", ".join(sorted({item for item, _seg in markers}))
    else:
        places = sorted(set(markers), key=lambda m: (m[1] is None, m[1] or 0, m[0]))
        where = "session"
        listing = ", ".join(
            item if seg is None else f"{item} in segment {seg + 1}" for item, seg in places
        )
    scale = cb.scale(definition.scale)
    raise CommandError(
        f"{definition.label}: N/A means that no rupture occurred, but {n} rupture "
        f"marker{'s' if n != 1 else ''} {'is' if n == 1 else 'are'} coded in this {where} "
        f"({listing}); give a value from {scale.min} to {scale.max}"
    )


def _session_and_codebook(db: Db, session_id: str, rater_id: str, codebook: tuple[str, str]):
    session = _get(db, Session, session_id, "session")
    _get(db, Rater, rater_id, "rater")
    return session, stored_codebook(db, *codebook)


def _refuse_overlap(db: Db, session_id: str, rater_id: str, spec: CodeSpec) -> None:
    """One item once per utterance: a code of the same item (same actor and target in a group)
    that already covers one of the new code's utterances is refused, naming where it is.

    Found by index, not by walking the rater's codes of the item: a code that covers one of the
    new code's utterances either starts on one of them (ix_code_events_place) or spans several
    utterances (ix_code_events_spans, the few with a last utterance)."""
    if spec.first_utterance_id is None:
        return
    wanted = [spec.first_utterance_id, spec.last_utterance_id or spec.first_utterance_id]
    pos = dict(
        db.execute(select(Utterance.id, Utterance.position).where(Utterance.id.in_(wanted))).all()
    )
    lo, hi = sorted((pos.get(wanted[0], -1), pos.get(wanted[1], -1)))
    inside = dict(
        db.execute(
            select(Utterance.id, Utterance.position).where(
                Utterance.session_id == session_id, Utterance.position.between(lo, hi)
            )
        ).all()
    )
    same = (
        CodeEvent.session_id == session_id,
        CodeEvent.rater_id == rater_id,
        CodeEvent.item_id == spec.item_id,
        CodeEvent.actor_id.is_(None) if spec.actor_id is None else CodeEvent.actor_id == spec.actor_id,
        CodeEvent.target_id.is_(None) if spec.target_id is None else CodeEvent.target_id == spec.target_id,
    )  # fmt: skip
    columns = (CodeEvent.id, CodeEvent.first_utterance_id, CodeEvent.last_utterance_id,
               CodeEvent.start_s)  # fmt: skip
    starting = db.execute(
        select(*columns).where(*same, CodeEvent.first_utterance_id.in_(list(inside)))
    ).all()
    # (no condition on the first utterance here: it would lead SQLite to the place index)
    spanning = db.execute(
        select(*columns).where(*same, CodeEvent.last_utterance_id.is_not(None))
    ).all()
    candidates = {row[0]: row for row in (*starting, *spanning) if row[1] is not None}
    if not candidates:
        return
    ids = {u for row in candidates.values() for u in row[1:3] if u}
    pos |= dict(
        db.execute(select(Utterance.id, Utterance.position).where(Utterance.id.in_(ids))).all()
    )
    # in the order of the place index, as the check met them when it walked every code
    ordered = sorted(candidates.values(), key=lambda r: (r[1], r[3] is not None, r[3] or 0.0))
    for _id, first, last, _start in ordered:
        a, b = sorted((pos[str(first)], pos[last or str(first)]))
        if a <= hi and lo <= b:
            where = f"utterance {a + 1}" if a == b else f"utterances {a + 1}-{b + 1}"
            raise CommandError(
                f"{spec.item_id} is already coded on {where} by this rater; one item is coded "
                "once per utterance (extend or move that code instead: Ctrl+M)"
            )


@dataclass
class AddCode:
    session_id: str
    rater_id: str
    codebook: tuple[str, str]
    spec: CodeSpec
    code_id: str | None = None
    command_name: ClassVar[str] = "add code"

    def describe(self) -> str:
        return f"code {self.spec.item_id}"

    def apply(self, db: Db) -> CodeEvent:
        session, cb = _session_and_codebook(db, self.session_id, self.rater_id, self.codebook)
        _check_spec(db, cb, session, self.spec)
        same = select(CodeEvent.id).where(
            CodeEvent.session_id == session.id,
            CodeEvent.rater_id == self.rater_id,
            CodeEvent.item_id == self.spec.item_id,
            CodeEvent.codebook_id == cb.id,
            CodeEvent.first_utterance_id == self.spec.first_utterance_id,
            CodeEvent.last_utterance_id == self.spec.last_utterance_id,
            CodeEvent.start_s == self.spec.start_s,
            CodeEvent.segment_id == self.spec.segment_id,
            CodeEvent.actor_id == self.spec.actor_id,
            CodeEvent.target_id == self.spec.target_id,
        )
        if db.scalar(same.limit(1)):
            raise CommandError(f"{self.spec.item_id} is already coded there by this rater")
        _refuse_overlap(db, session.id, self.rater_id, self.spec)
        event = CodeEvent(
            session_id=session.id,
            rater_id=self.rater_id,
            codebook_id=cb.id,
            codebook_version=cb.version,
            **{k: getattr(self.spec, k) for k in _SPEC_FIELDS},
        )
        if self.code_id:
            event.id = self.code_id
        db.add(event)
        db.flush()
        return event


@dataclass
class UpdateCode:
    """Change any of a code's fields (move it, change its item, note, actor...)."""

    code_id: str
    changes: dict[str, Any] = field(default_factory=dict)
    command_name: ClassVar[str] = "edit code"

    def describe(self) -> str:
        return f"edit code ({', '.join(sorted(self.changes))})"

    def apply(self, db: Db) -> CodeEvent:
        event = _get(db, CodeEvent, self.code_id, "code")
        unknown = set(self.changes) - set(_SPEC_FIELDS)
        if unknown:
            raise CommandError(f"cannot change {sorted(unknown)} of a code")
        spec = CodeSpec(**{k: getattr(event, k) for k in _SPEC_FIELDS})
        for key, value in self.changes.items():
            setattr(spec, key, value)
        session = _get(db, Session, event.session_id, "session")
        _check_spec(
            db, stored_codebook(db, event.codebook_id, event.codebook_version), session, spec
        )
        for key, value in self.changes.items():
            setattr(event, key, value)
        event.updated_at = utcnow()
        return event


@dataclass
class DeleteCode:
    code_id: str
    command_name: ClassVar[str] = "delete code"

    def describe(self) -> str:
        return "delete code"

    def apply(self, db: Db) -> None:
        db.delete(_get(db, CodeEvent, self.code_id, "code"))


@dataclass
class FlagCode:
    """Flag (or unflag) a code for supervisor review, with a reason."""

    code_id: str
    flagged: bool = True
    reason: str = ""
    command_name: ClassVar[str] = "flag code"

    def describe(self) -> str:
        return "flag code for review" if self.flagged else "clear review flag"

    def apply(self, db: Db) -> CodeEvent:
        event = _get(db, CodeEvent, self.code_id, "code")
        if self.flagged and not self.reason.strip():
            raise CommandError("say why the code is flagged for review")
        event.flagged, event.flag_reason = self.flagged, self.reason.strip() if self.flagged else ""
        event.updated_at = utcnow()
        return event


@dataclass
class SetRating:
    """Set, change or clear (value None, not N/A) a segment or session rating of one rater."""

    rater_id: str
    codebook: tuple[str, str]
    rating_id: str
    value: int | None
    is_na: bool = False
    session_id: str | None = None
    segment_id: str | None = None
    note: str = ""
    command_name: ClassVar[str] = "set rating"

    def describe(self) -> str:
        shown = "N/A" if self.is_na else ("cleared" if self.value is None else self.value)
        return f"rate {self.rating_id} = {shown}"

    def apply(self, db: Db) -> SegmentRating | SessionRating | None:
        if (self.segment_id is None) == (self.session_id is None):
            raise CommandError("a rating belongs to a segment or to a session")
        model: type[SegmentRating | SessionRating] = SessionRating
        where = {"session_id": self.session_id}
        if self.segment_id:
            segment = _get(db, Segment, self.segment_id, "segment")
            model, where = SegmentRating, {"segment_id": segment.id}
            session_id = segment.session_id
        elif self.session_id is not None:
            session_id = self.session_id
        else:
            raise CommandError("a rating belongs to a segment or to a session")
        _session, cb = _session_and_codebook(db, session_id, self.rater_id, self.codebook)
        definition = rating_definition(
            cb, self.rating_id, "segment" if self.segment_id else "session"
        )
        existing = find_row(
            db,
            model,
            rater_id=self.rater_id,
            codebook_id=cb.id,
            codebook_version=cb.version,
            rating_id=self.rating_id,
            **where,
        )
        if self.value is None and not self.is_na:
            if existing is not None:
                db.delete(existing)
            return None
        check_value(cb.scale(definition.scale), self.value, self.is_na, self.rating_id)
        if self.is_na and definition.na_only_without_rupture:
            _refuse_na_with_ruptures(db, _session, self.rater_id, definition, cb, self.segment_id)
        if existing is None:
            existing = model(
                rater_id=self.rater_id,
                codebook_id=cb.id,
                codebook_version=cb.version,
                rating_id=self.rating_id,
                **where,
            )
            if model is SegmentRating:
                existing.session_id = session_id
            db.add(existing)
        existing.value, existing.is_na, existing.note = self.value, self.is_na, self.note
        existing.updated_at = utcnow()
        db.flush()
        return existing


def check_code(
    db: Db, cb: Codebook, session: Session, spec: CodeSpec, places: Places | None = None
) -> None:
    """The checks of a code the coding form makes (item, place, value, count, group fields);
    CodeRefused naming the field. Used by merging and importing, so a package or a file is held
    to the same rules (``places``: their utterances, segments and participants read at once)."""
    _check_spec(db, cb, session, spec, places)


def rating_definition(cb: Codebook, rating_id: str, scope: str):
    """The codebook's rating ``rating_id`` of this scope (segment or session); CommandError if
    the codebook has no such rating, or has it for the other scope."""
    try:
        definition = cb.rating(rating_id)
    except KeyError as exc:
        raise CommandError(exc.args[0]) from None
    if definition.scope.value != scope:
        raise CommandError(
            f"{rating_id} is a {definition.scope.value} rating, not a {scope} rating"
        )
    return definition


def check_rating(cb: Codebook, rating_id: str, scope: str, value: int | None, is_na: bool) -> None:
    """The checks of a rating the rating form makes: a rating of the codebook, of this scope,
    its value on the scale (or N/A where the scale allows it); CommandError if not."""
    definition = rating_definition(cb, rating_id, scope)
    check_value(cb.scale(definition.scale), value, is_na, rating_id)


def check_na_rule(
    db: Db, session: Session, rater_id: str, cb: Codebook, rating_id: str, segment_id: str | None
) -> None:
    """N/A on a rating that means "no rupture occurred" is refused once the rater coded a rupture
    marker there (the rating form's rule); CommandError naming the markers."""
    definition = cb.rating(rating_id)
    if definition.na_only_without_rupture:
        _refuse_na_with_ruptures(db, session, rater_id, definition, cb, segment_id)
