"""Load and validate codebook YAML, reporting every problem with file, field path and line."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import semver
import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from rupture_coder.codebook.model import Codebook, ItemKind
from rupture_coder.errors import CodebookError
from rupture_coder.limits import MAX_CODEBOOK_BYTES, Refused, check_yaml, read_capped

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a codebook file."""

    source: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


def _fmt_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Loader(yaml.SafeLoader):
    """The safe loader, with a value it cannot construct (``2024-13-45`` as a date, ``!!int x``)
    reported as YAML problem at its line instead of a Python error."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            value = node.value if isinstance(node, yaml.ScalarNode) else node.tag
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value {str(value)[:60]!r} ({exc})", node.start_mark
            ) from None


class _Located:
    """YAML data plus the line of every mapping key and sequence entry, and duplicate keys."""

    def __init__(self, text: str):
        self.lines: dict[PathKey, int] = {}
        self.duplicates: list[tuple[PathKey, int]] = []
        loader = _Loader(text)  # parsed once: the node tree gives lines, then the data
        try:
            node = loader.get_single_node()
            self.data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: PathKey) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.duplicates.append(((*path, key), key_node.start_mark.line + 1))
                seen.add(key)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                self._walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                self._walk(child, (*path, index))

    def line(self, path: Iterable[str | int]) -> int | None:
        key = tuple(p if isinstance(p, int) else str(p) for p in path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)


def _pydantic_message(err: ErrorDetails) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        return (
            f"unknown field {err['loc'][-1]!r}; check its spelling against docs/codebook-format.md"
        )
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch":
        return (
            f"{err['input']!r} is not a valid id (expected letters, digits, '_', '-' or '.', "
            "starting with a letter or digit, at most 64 characters)"
        )
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    elif "input" in err and not isinstance(err["input"], dict | list):
        msg = f"{msg} (got {err['input']!r})"
    return msg


def parse_codebook_text(text: str, source: str = "<codebook>") -> Codebook:
    """Parse and validate codebook YAML; raise CodebookError listing every problem found.

    The text first passes the YAML guard (size, nesting, aliases: rupture_coder.limits)."""
    try:
        check_yaml(text, source)
    except Refused as refusal:
        line = int(refusal.where.split()[-1]) if refusal.where.startswith("line ") else None
        raise CodebookError([Problem(source, "", line, refusal.message)]) from None
    try:
        located = _Located(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CodebookError([Problem(source, "", line, f"not valid YAML: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise CodebookError([Problem(source, "", None, f"not valid YAML: {exc}")]) from exc
    problems = [
        Problem(source, _fmt_path(p), line, f"key {p[-1]!r} appears twice in the same mapping")
        for p, line in located.duplicates
    ]
    if not isinstance(located.data, dict):
        problems.append(
            Problem(source, "", located.line(()), "expected a mapping at the top of the file")
        )
        raise CodebookError(problems)
    try:
        codebook = Codebook.model_validate(located.data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            problems.append(
                Problem(source, _fmt_path(loc), located.line(loc), _pydantic_message(err))
            )
        raise CodebookError(problems) from exc
    problems += [
        Problem(source, _fmt_path(p), located.line(p), m) for p, m in semantic_problems(codebook)
    ]
    if problems:
        raise CodebookError(problems)
    return codebook


def load_codebook_file(path: str | Path) -> tuple[Codebook, str]:
    """Read a codebook file; return the codebook and its exact text (kept when it is frozen)."""
    path = Path(path)
    try:
        raw = read_capped(path, MAX_CODEBOOK_BYTES)
    except Refused as refusal:
        found = f" ({refusal.found})" if refusal.found else ""
        raise CodebookError([Problem(str(path), "", None, refusal.message + found)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookError(
            [Problem(str(path), "", None, f"not UTF-8 text (byte {exc.start}); save it as UTF-8")]
        ) from exc
    return parse_codebook_text(text, str(path)), text


def load_codebook(path: str | Path) -> Codebook:
    return load_codebook_file(path)[0]


def content_hash(text: str) -> str:
    """SHA-256 of the codebook text with line endings normalised."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def _duplicates(entries: Iterable[tuple[PathKey, str]], what: str) -> list[tuple[PathKey, str]]:
    first: dict[str, PathKey] = {}
    out = []
    for path, value in entries:
        if value in first:
            out.append(
                (path, f"duplicate {what} {value!r} (first used at {_fmt_path(first[value])})")
            )
        else:
            first[value] = path
    return out


def semantic_problems(cb: Codebook) -> list[tuple[PathKey, str]]:
    """Rules that span the document: unique ids and hotkeys, references, scale shape, mappings."""
    out: list[tuple[PathKey, str]] = []
    item_paths = [
        (("categories", ci, "items", ii), item)
        for ci, cat in enumerate(cb.categories)
        for ii, item in enumerate(cat.items)
    ]
    out += _duplicates(
        [(("categories", i, "id"), c.id) for i, c in enumerate(cb.categories)], "category id"
    )
    out += _duplicates([((*p, "id"), it.id) for p, it in item_paths], "item id")
    out += _duplicates([(("scales", i, "id"), s.id) for i, s in enumerate(cb.scales)], "scale id")
    out += _duplicates(
        [(("ratings", i, "id"), r.id) for i, r in enumerate(cb.ratings)], "rating id"
    )
    out += [
        (p, m.replace("duplicate hotkey", "hotkey").replace("(first", "is used twice (first"))
        for p, m in _duplicates(
            [((*p, "hotkey"), it.hotkey) for p, it in item_paths if it.hotkey], "hotkey"
        )
    ]
    scale_ids = {s.id for s in cb.scales}
    for i, s in enumerate(cb.scales):
        if s.min >= s.max:
            out.append(
                (("scales", i, "max"), f"scale {s.id!r}: min ({s.min}) must be below max ({s.max})")
            )
            continue
        missing = [p for p in s.points() if p not in s.anchors]
        extra = [p for p in s.anchors if not s.min <= p <= s.max]
        if missing:
            out.append(
                (
                    ("scales", i, "anchors"),
                    f"scale {s.id!r}: no anchor label for point(s) {missing}",
                )
            )
        if extra:
            out.append(
                (
                    ("scales", i, "anchors"),
                    f"scale {s.id!r}: anchor(s) {extra} outside {s.min}..{s.max}",
                )
            )
    for p, it in item_paths:
        if it.kind == ItemKind.RATING and it.scale not in scale_ids:
            out.append(
                (
                    (*p, "scale"),
                    f"item {it.id!r} is a rating item and needs one of the scales {sorted(scale_ids)}",
                )
            )
        if it.kind != ItemKind.RATING and it.scale is not None:
            out.append(
                ((*p, "scale"), f"item {it.id!r} of kind {it.kind.value!r} cannot have a scale")
            )
    cat_ids = {c.id for c in cb.categories}
    for i, r in enumerate(cb.ratings):
        if r.scale not in scale_ids:
            out.append(
                (
                    ("ratings", i, "scale"),
                    f"rating {r.id!r} names scale {r.scale!r}, which does not exist",
                )
            )
        if r.relates_to is not None and r.relates_to not in cat_ids:
            out.append(
                (
                    ("ratings", i, "relates_to"),
                    f"rating {r.id!r} names category {r.relates_to!r}, which does not exist",
                )
            )
    for i, r in enumerate(cb.ratings):
        if r.na_only_without_rupture and r.scale in scale_ids and not cb.scale(r.scale).allow_na:
            out.append(
                (
                    ("ratings", i, "na_only_without_rupture"),
                    f"rating {r.id!r}: scale {r.scale!r} does not allow N/A (allow_na: true)",
                )
            )
    out += _family_problems(cb)
    out += _group_problems(cb, item_paths)
    out += _mapping_problems(cb)
    return out


def _family_problems(cb: Codebook) -> list[tuple[PathKey, str]]:
    """Families are subgroups of their own category's items; an item is in one family at most."""
    out = _duplicates(
        [
            (("categories", ci, "families", fi, "id"), f.id)
            for ci, cat in enumerate(cb.categories)
            for fi, f in enumerate(cat.families)
        ],
        "family id",
    )
    for ci, cat in enumerate(cb.categories):
        own = {i.id for i in cat.items}
        seen: dict[str, str] = {}
        for fi, family in enumerate(cat.families):
            p: PathKey = ("categories", ci, "families", fi, "items")
            for item_id in family.items:
                if item_id not in own:
                    out.append(
                        (
                            p,
                            f"family {family.id!r}: {item_id!r} is not an item of category {cat.id!r}",
                        )
                    )
                elif item_id in seen:
                    out.append(
                        (
                            p,
                            f"family {family.id!r}: {item_id!r} is already in family {seen[item_id]!r}",
                        )
                    )
                else:
                    seen[item_id] = family.id
    return out


def _group_problems(cb: Codebook, item_paths: list) -> list[tuple[PathKey, str]]:
    out: list[tuple[PathKey, str]] = []
    if cb.kind == "group" and cb.group is None:
        return [(("kind",), "a group codebook needs a 'group' section (roles and levels)")]
    if cb.kind == "individual" and cb.group is not None:
        return [(("group",), "only a codebook of kind 'group' may have a 'group' section")]
    roles = set(cb.group.roles) if cb.group else set(cb.participant_roles)
    if cb.group:
        targets = roles | {cb.group.group_target}
        out += _duplicates(
            [(("group", "levels", i, "id"), lv.id) for i, lv in enumerate(cb.group.levels)],
            "level id",
        )
        for i, lv in enumerate(cb.group.levels):
            if lv.actor_role not in roles:
                out.append(
                    (
                        ("group", "levels", i, "actor_role"),
                        f"level {lv.id!r}: actor role {lv.actor_role!r} is not one of the roles {sorted(roles)}",
                    )
                )
            if lv.target_role not in targets:
                out.append(
                    (
                        ("group", "levels", i, "target_role"),
                        f"level {lv.id!r}: target {lv.target_role!r} is not one of {sorted(targets)}",
                    )
                )
    levels = {lv.id: lv for lv in cb.group.levels} if cb.group else {}
    for p, it in item_paths:
        if it.levels is not None and not cb.group:
            out.append(
                ((*p, "levels"), f"item {it.id!r}: only items of a group codebook have levels")
            )
        for level_id in (it.levels or []) if cb.group else []:
            level = levels.get(level_id)
            if level is None:
                out.append(
                    (
                        (*p, "levels"),
                        f"item {it.id!r}: level {level_id!r} is not one of the levels {sorted(levels)}",
                    )
                )
            elif it.actor_roles and level.actor_role not in it.actor_roles:
                out.append(
                    (
                        (*p, "levels"),
                        f"item {it.id!r}: level {level_id!r} has a {level.actor_role} as actor, "
                        f"but the item is coded for {it.actor_roles}",
                    )
                )
        for role in it.actor_roles or []:
            if role not in roles:
                out.append(
                    (
                        (*p, "actor_roles"),
                        f"item {it.id!r}: actor role {role!r} is not one of the roles {sorted(roles)}",
                    )
                )
    return out


_RELATION_TARGETS = {
    "same": (1, 1, "exactly one target"),
    "renamed": (1, 1, "exactly one target"),
    "merged": (1, 1, "exactly one target"),
    "split": (2, None, "two or more targets"),
    "retired": (0, 0, "no target"),
}


def _mapping_problems(cb: Codebook) -> list[tuple[PathKey, str]]:
    out: list[tuple[PathKey, str]] = []
    item_ids = {i.id for i in cb.items()}
    seen_versions: set[str] = set()
    for mi, mapping in enumerate(cb.mappings):
        base: PathKey = ("mappings", mi)
        if not semver.Version.is_valid(mapping.from_version):
            out.append(
                (
                    (*base, "from_version"),
                    f"from_version {mapping.from_version!r} is not a semantic version",
                )
            )
            continue
        if semver.Version.parse(mapping.from_version) >= semver.Version.parse(cb.version):
            out.append(
                (
                    (*base, "from_version"),
                    f"a mapping must come from an older version than {cb.version}",
                )
            )
        if mapping.from_version in seen_versions:
            out.append(
                ((*base, "from_version"), f"two mappings from version {mapping.from_version}")
            )
        seen_versions.add(mapping.from_version)
        for old_id, m in mapping.items.items():
            p = (*base, "items", old_id)
            for target in m.to:
                if target not in item_ids:
                    out.append(
                        (
                            (*p, "to"),
                            f"mapping of {old_id!r} names item {target!r}, which does not exist in {cb.id} {cb.version}",
                        )
                    )
            lo, hi, want = _RELATION_TARGETS[m.relation]
            if len(m.to) < lo or (hi is not None and len(m.to) > hi):
                out.append(((*p, "to"), f"relation {m.relation!r} takes {want}, got {len(m.to)}"))
    return out
