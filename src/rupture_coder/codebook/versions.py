"""Comparing codes made under different versions of one codebook.

Codes of two versions are comparable only through mappings that the newer version declares
(``mappings: - from_version: ...``); mappings chain (1.0.0 -> 1.1.0 -> 2.0.0). Without one, the
app refuses and says which mapping is missing.
"""

from __future__ import annotations

from collections.abc import Mapping

import semver

from rupture_coder.codebook.model import Codebook
from rupture_coder.errors import IncomparableVersions


def _direct(old: Codebook, new: Codebook) -> dict[str, list[str]] | None:
    mapping = next((m for m in new.mappings if m.from_version == old.version), None)
    if mapping is None:
        return None
    new_ids = {i.id for i in new.items()}
    out: dict[str, list[str]] = {}
    for item in old.items():
        if item.id in mapping.items:
            out[item.id] = list(mapping.items[item.id].to)
        elif item.id in new_ids:
            out[item.id] = [item.id]
        else:
            raise IncomparableVersions(
                f"{new.id} {new.version} maps from {old.version} but says nothing of item "
                f"{item.id!r}, which {new.version} does not have; map it (or mark it 'retired')"
            )
    return out


def translation(
    old: Codebook, new: Codebook, known: Mapping[str, Codebook] | None = None
) -> dict[str, list[str]]:
    """Map each item id of ``old`` to the item ids of ``new`` that carry it on.

    ``known`` holds other versions of the same codebook (by version) for chained mappings.
    """
    if old.id != new.id:
        raise IncomparableVersions(
            f"codes of different codebooks ({old.id} and {new.id}) are never compared"
        )
    if old.version == new.version:
        return {i.id: [i.id] for i in old.items()}
    if semver.Version.parse(old.version) > semver.Version.parse(new.version):
        raise IncomparableVersions(f"{old.version} is newer than {new.version}; translate forward")
    direct = _direct(old, new)
    if direct is not None:
        return direct
    for mapping in new.mappings:
        middle = (known or {}).get(mapping.from_version)
        if middle is None or semver.Version.parse(middle.version) <= semver.Version.parse(
            old.version
        ):
            continue
        try:
            first = translation(old, middle, known)
        except IncomparableVersions:
            continue
        second = _direct(middle, new) or {}
        return {k: sorted({t for m in v for t in second.get(m, [])}) for k, v in first.items()}
    raise IncomparableVersions(
        f"codes of {old.id} {old.version} and {new.version} cannot be compared: {new.version} "
        f"declares no mapping from {old.version}. Add a 'mappings' entry with "
        f"from_version: {old.version} to the newer codebook (docs/codebook-format.md)."
    )
