"""Codebook versions: frozen once used, new versions with mappings, refusals without one."""

from __future__ import annotations

import pytest
from helpers import IND, make_session

from rupture_coder.codebook import parse_codebook_text
from rupture_coder.codebook.versions import translation
from rupture_coder.errors import CommandError, IncomparableVersions
from rupture_coder.resources import default_codebook_path
from rupture_coder.services.coding import AddCode, CodeSpec
from rupture_coder.services.project import AddRater, RegisterCodebook
from rupture_coder.store.models import CodebookVersion

V1 = default_codebook_path("individual").read_text(encoding="utf-8")
V11 = (
    V1.replace("version: 1.0.0\n", "version: 1.1.0\n").replace(
        "      - id: W7\n        label: Self-criticism or hopelessness\n",
        "      - id: W8\n        label: Giving up\n",
    )
    + "mappings:\n  - from_version: 1.0.0\n    items:\n      W7: {relation: renamed, to: [W8]}\n"
)
V2 = (
    V11.replace("version: 1.1.0\n", "version: 2.0.0\n")
    .replace(
        "mappings:\n  - from_version: 1.0.0\n    items:\n      W7: {relation: renamed, to: [W8]}\n",
        "mappings:\n  - from_version: 1.1.0\n    items:\n      C4: {relation: retired}\n",
    )
    .replace("      - id: C4\n", "      - id: C8\n")
)


def test_translation_follows_declared_and_chained_mappings():
    v1, v11, v2 = (parse_codebook_text(t) for t in (V1, V11, V2))
    assert translation(v1, v11)["W7"] == ["W8"]
    assert translation(v1, v11)["W1"] == ["W1"]
    chained = translation(v1, v2, {"1.1.0": v11})
    assert chained["W7"] == ["W8"] and chained["C4"] == [] and chained["R11"] == ["R11"]


def test_versions_without_a_mapping_are_not_compared():
    v1, v2 = parse_codebook_text(V1), parse_codebook_text(V2)
    with pytest.raises(IncomparableVersions, match="declares no mapping from 1.0.0"):
        translation(v1, v2)
    group = parse_codebook_text(default_codebook_path("group").read_text(encoding="utf-8"))
    with pytest.raises(IncomparableVersions, match="different codebooks"):
        translation(v1, group)


def test_a_used_version_is_frozen_and_a_changed_copy_needs_a_new_version(service):
    session, utts, _segs, _people = make_session(service)
    rater = service.run(AddRater("Ann")).result
    service.run(AddCode(session.id, rater.id, IND, CodeSpec("W1", utts[1].id)))
    edited = V1.replace(
        "definition: The patient says a feeling",
        "definition: LICENSED TEXT. The patient says a feeling",
    )
    with pytest.raises(CommandError, match="frozen"):
        service.run(RegisterCodebook(edited, "lab-copy.yaml"))
    assert service.run(RegisterCodebook(V1, "same.yaml")).audit_id is None  # identical: no change
    service.run(
        RegisterCodebook(edited.replace("version: 1.0.0", "version: 1.0.1"), "lab-copy.yaml")
    )
    with service.project.read() as db:
        stored = db.get(CodebookVersion, ("3rs-individual", "1.0.1"))
        assert "LICENSED TEXT" in stored.content and len(stored.content_hash) == 64
        assert "LICENSED TEXT" not in db.get(CodebookVersion, IND).content


def test_registering_a_mapping_checks_the_older_version_items(service):
    bad = V11.replace(
        "W7: {relation: renamed, to: [W8]}",
        "W7: {relation: renamed, to: [W8]}\n      X9: {relation: retired}",
    )
    with pytest.raises(CommandError, match="X9, which 3rs-individual 1.0.0 does not have"):
        service.run(RegisterCodebook(bad, "bad.yaml"))
    service.run(RegisterCodebook(V11, "v11.yaml"))
