"""The codebook data model.

A codebook is data, never code: a lab corrects labels, definitions, anchors or hotkeys by writing a
new version of the YAML file. Structural rules live in the pydantic models below; rules that need
the whole document (unique ids, unique hotkeys, references between parts) live in ``validate``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Final, Literal

import semver
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

FORMAT_ID: Final = "rupture-coder-codebook/1"

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", strip_whitespace=True)
]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

_MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")
_NAMED_KEYS = {f"F{i}" for i in range(1, 13)} | {
    "Space",
    "Tab",
    "Enter",
    "Return",
    "Escape",
    "Backspace",
    "Delete",
    "Insert",
    "Home",
    "End",
    "PgUp",
    "PgDown",
    "Left",
    "Right",
    "Up",
    "Down",
}
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9`\-=\[\];',./\\]$")


def normalise_hotkey(text: str) -> str:
    """Return the canonical spelling of a hotkey ('shift+a' -> 'Shift+A') or raise ValueError."""
    parts = [p.strip() for p in text.split("+")] if text != "+" else ["+"]
    if any(not p for p in parts):
        raise ValueError(
            f"hotkey {text!r} has an empty part; write keys like 'A', '1' or 'Shift+F2'"
        )
    *mods, key = parts
    canon_mods = []
    for m in mods:
        match = [c for c in _MODIFIERS if c.lower() == m.lower()]
        if not match:
            raise ValueError(
                f"hotkey {text!r}: unknown modifier {m!r} (expected one of {', '.join(_MODIFIERS)})"
            )
        canon_mods.append(match[0])
    if len(set(canon_mods)) != len(canon_mods):
        raise ValueError(f"hotkey {text!r} repeats a modifier")
    named = [k for k in _NAMED_KEYS if k.lower() == key.lower()]
    if named:
        key = named[0]
    elif _PLAIN_KEY.match(key):
        key = key.upper()
    else:
        raise ValueError(
            f"hotkey {text!r}: {key!r} is not a key (expected a letter, a digit, punctuation "
            "or a named key such as F1-F12, Space, Left)"
        )
    ordered = [m for m in _MODIFIERS if m in canon_mods]
    return "+".join([*ordered, key])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemKind(StrEnum):
    PRESENCE = "presence"
    COUNT = "count"
    RATING = "rating"


class Scope(StrEnum):
    SEGMENT = "segment"
    SESSION = "session"


class Scale(Strict):
    """An ordinal rating scale with one anchor label per point."""

    id: Identifier
    min: int
    max: int
    anchors: dict[int, NonEmpty]
    allow_na: bool = False
    na_label: str = "not applicable"

    def points(self) -> list[int]:
        return list(range(self.min, self.max + 1))


class Item(Strict):
    """A marker or strategy that a coder marks on utterances, a time span or a segment."""

    id: Identifier
    label: NonEmpty
    definition: NonEmpty
    examples: list[NonEmpty] = Field(default_factory=list)
    hotkey: str | None = None
    kind: ItemKind = ItemKind.PRESENCE
    scale: Identifier | None = None
    actor_roles: list[Identifier] | None = None
    # group codebooks: the levels the item may be coded at (default: every level its actor allows)
    levels: Annotated[list[Identifier], Field(min_length=1)] | None = None

    @field_validator("hotkey")
    @classmethod
    def _hotkey(cls, v: str | None) -> str | None:
        return None if v is None else normalise_hotkey(str(v))


class Family(Strict):
    """A named subgroup of a category's items (e.g. R1-R3 "immediate"), scored as a subtotal."""

    id: Identifier
    label: NonEmpty
    items: list[Identifier] = Field(min_length=1)


class Category(Strict):
    """A group of items; ``rupture_type`` tells the scoring what the category stands for."""

    id: Identifier
    label: NonEmpty
    rupture_type: Literal["withdrawal", "confrontation", "resolution", "other"] = "other"
    description: str = ""
    items: list[Item] = Field(min_length=1)
    families: list[Family] = Field(default_factory=list)


class RatingDef(Strict):
    """A rating the coder gives per segment or per session, on one of the codebook's scales."""

    id: Identifier
    label: NonEmpty
    scale: Identifier
    scope: Scope
    required: bool = True
    description: str = ""
    relates_to: Identifier | None = None
    # N/A means "no rupture occurred": refused once the rater coded a rupture marker (in the
    # segment for a segment rating, in the session for a session rating)
    na_only_without_rupture: bool = False


class Level(Strict):
    """A relational level of a group event, e.g. member -> group."""

    id: Identifier
    label: NonEmpty
    actor_role: Identifier
    target_role: Identifier


class GroupDimensions(Strict):
    """Who acted, toward whom, at which level: required on every event of a group codebook."""

    roles: list[Identifier] = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)
    group_target: Identifier = "group"


class ItemMap(Strict):
    relation: Literal["same", "renamed", "merged", "split", "retired"]
    to: list[Identifier] = Field(default_factory=list)


class VersionMapping(Strict):
    """How items of an older version of the same codebook correspond to items of this one."""

    from_version: str
    items: dict[Identifier, ItemMap] = Field(default_factory=dict)
    note: str = ""


class Codebook(Strict):
    format: Literal["rupture-coder-codebook/1"] = FORMAT_ID
    id: Identifier
    version: str
    title: NonEmpty
    description: NonEmpty
    provenance: NonEmpty
    kind: Literal["individual", "group"] = "individual"
    segment_length_s: float = Field(gt=0, le=24 * 3600)
    scales: list[Scale] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    ratings: list[RatingDef] = Field(default_factory=list)
    participant_roles: list[Identifier] = Field(default_factory=lambda: ["therapist", "client"])
    group: GroupDimensions | None = None
    mappings: list[VersionMapping] = Field(default_factory=list)

    @field_validator("version")
    @classmethod
    def _semver(cls, v: str) -> str:
        v = str(v).strip()
        if not semver.Version.is_valid(v):
            raise ValueError(
                f"version {v!r} is not a semantic version (expected MAJOR.MINOR.PATCH such as 1.0.0)"
            )
        return v

    # -- convenient views ---------------------------------------------------------------
    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.version)

    def items(self) -> list[Item]:
        return [item for cat in self.categories for item in cat.items]

    def item(self, item_id: str) -> Item:
        for item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(f"codebook {self.id} {self.version} has no item {item_id!r}")

    def category_of(self, item_id: str) -> Category:
        for cat in self.categories:
            if any(i.id == item_id for i in cat.items):
                return cat
        raise KeyError(f"codebook {self.id} {self.version} has no item {item_id!r}")

    def scale(self, scale_id: str) -> Scale:
        for s in self.scales:
            if s.id == scale_id:
                return s
        raise KeyError(f"codebook {self.id} {self.version} has no scale {scale_id!r}")

    def rating(self, rating_id: str) -> RatingDef:
        for r in self.ratings:
            if r.id == rating_id:
                return r
        raise KeyError(f"codebook {self.id} {self.version} has no rating {rating_id!r}")

    def ratings_for(self, scope: Scope) -> list[RatingDef]:
        return [r for r in self.ratings if r.scope == scope]

    def families(self) -> list[Family]:
        return [f for cat in self.categories for f in cat.families]

    def rupture_type_of(self, item_id: str) -> str:
        """withdrawal, confrontation, resolution or other (unknown items: other)."""
        return self._rupture_types.get(item_id, "other")

    @cached_property
    def _rupture_types(self) -> dict[str, str]:
        # the model is frozen: one map, not a search per call (a session's 50,000 codes ask it)
        types: dict[str, str] = {}
        for cat in self.categories:
            for i in cat.items:
                types.setdefault(i.id, cat.rupture_type)
        return types

    def hotkeys(self) -> dict[str, str]:
        """Map of canonical hotkey -> item id."""
        return {i.hotkey: i.id for i in self.items() if i.hotkey}
