"""Two coders code the same session in their own projects; the lead merges their packages."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile

import pytest
from coder_copies import coder_copy
from sqlalchemy import func, select

from rupture_coder.errors import PackageError
from rupture_coder.resources import samples_dir
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import AddCode, CodeSpec, DeleteCode, SetRating, UpdateCode
from rupture_coder.services.imports import plan_import, run_import
from rupture_coder.store.db import open_project
from rupture_coder.store.models import AuditEntry, CodeEvent, SegmentRating
from rupture_coder.study.packages import export_package, merge_packages

IND = ("3rs-individual", "1.0.0")


def counts(project):
    with project.read() as db:
        return {
            m.__name__: db.scalar(select(func.count()).select_from(m))
            for m in (CodeEvent, SegmentRating, AuditEntry)
        }


_BUILT: list = []  # the study's files, built once per test run


def study_files(tmp_path_factory):
    """Built once: the lead's project with one session, and a coder copy of it for each of two
    coders, who coded it (Ann: W2, C5, R4 and impact 4; Bob: W2, C3, R5 and impact 3)."""
    if _BUILT:
        return _BUILT[0]
    tmp_path = tmp_path_factory.mktemp("study")
    lead_path = tmp_path / "lead.rcproj"
    lead = open_project(lead_path)
    run_import(
        ProjectService(lead, "lead"),
        plan_import(lead, [samples_dir() / "individual-session-07.txt"], codebook=IND),
    )
    lead.close()
    for name, items in (("Ann", ["W2", "C5", "R4"]), ("Bob", ["W2", "C3", "R5"])):
        path = tmp_path / f"{name}.rcproj"
        rater_id = coder_copy(lead_path, name, path)
        p = open_project(path)
        svc = ProjectService(p, name)
        (session,) = queries.list_sessions(p)
        rows = queries.transcript(p, session.id)
        for pos, item in zip((1, 17, 24), items, strict=True):
            svc.run(AddCode(session.id, rater_id, IND, CodeSpec(item, rows[pos].id)))
        seg = queries.segments(p, session.id)[0]
        svc.run(
            SetRating(
                rater_id, IND, "withdrawal_impact", 4 if name == "Ann" else 3, segment_id=seg.id
            )
        )
        p.close()
    _BUILT.append(tmp_path)
    return tmp_path


@pytest.fixture
def study(tmp_path, tmp_path_factory):
    """The lead's project and the two coders' copies (open, with a service each), in tmp_path."""
    built = study_files(tmp_path_factory)
    for name in ("lead", "Ann", "Bob"):
        shutil.copy(built / f"{name}.rcproj", tmp_path / f"{name}.rcproj")
    coders = {}
    for name in ("Ann", "Bob"):
        p = open_project(tmp_path / f"{name}.rcproj")
        rater = next(r for r in queries.raters(p) if r.name == name)
        (session,) = queries.list_sessions(p)
        coders[name] = (p, ProjectService(p, name), rater, session)
    return tmp_path / "lead.rcproj", coders, tmp_path


def test_merge_two_coders_and_merge_again_is_a_no_op(study):
    lead_path, coders, tmp = study
    packages = [
        export_package(p, rater.id, tmp / f"{n}.rcpkg") and tmp / f"{n}.rcpkg"
        for n, (p, _s, rater, _x) in coders.items()
    ]
    lead = open_project(lead_path)
    svc = ProjectService(lead, "lead")
    result = merge_packages(svc, packages)
    assert [r["rater"] for r in result[:2]] == ["Ann", "Bob"]
    (session,) = queries.list_sessions(lead)
    by_name = {r.name: r.id for r in queries.raters(lead)}
    assert sorted(c.item_id for c in queries.codes(lead, session.id, by_name["Ann"])) == [
        "C5",
        "R4",
        "W2",
    ]
    assert sorted(c.item_id for c in queries.codes(lead, session.id, by_name["Bob"])) == [
        "C3",
        "R5",
        "W2",
    ]
    assert list(lead_path.parent.glob("lead.rcproj.backup-merge-*"))  # a backup was taken first
    before = counts(lead)
    merge_packages(svc, [packages[0]])  # the same package again
    assert counts(lead) == before  # no rows, and no audit entry either
    # Ann codes on: a deleted code, an edited note, a new code; her next package brings exactly that
    p, asvc, ann, asession = coders["Ann"]
    codes = {c.item_id: c for c in queries.codes(p, asession.id, ann.id)}
    asvc.run(DeleteCode(codes["R4"].id))
    asvc.run(UpdateCode(codes["W2"].id, {"note": "very short"}))
    asvc.run(
        AddCode(asession.id, ann.id, IND, CodeSpec("R9", queries.transcript(p, asession.id)[30].id))
    )
    export_package(p, ann.id, tmp / "Ann-2.rcpkg")
    merge_packages(svc, [tmp / "Ann-2.rcpkg"])
    merged = {c.item_id: c for c in queries.codes(lead, session.id, by_name["Ann"])}
    assert sorted(merged) == ["C5", "R9", "W2"] and merged["W2"].note == "very short"
    svc.undo()  # a merge is one command
    assert sorted(c.item_id for c in queries.codes(lead, session.id, by_name["Ann"])) == [
        "C5",
        "R4",
        "W2",
    ]


def test_corrupt_truncated_and_conflicting_packages_change_nothing(study, tmp_path):
    lead_path, coders, tmp = study
    p, _svc, ann, _session = coders["Ann"]
    good = tmp / "ann.rcpkg"
    export_package(p, ann.id, good)
    truncated = tmp / "truncated.rcpkg"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    edited = tmp / "edited.rcpkg"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(edited, "w") as dst:
        dst.writestr("manifest.json", src.read("manifest.json"))
        dst.writestr("data.json", src.read("data.json").replace(b'"W2"', b'"W3"'))
    not_a_zip = tmp / "notes.rcpkg"
    not_a_zip.write_text("hello")
    lead = open_project(lead_path)
    svc = ProjectService(lead, "lead")
    before = counts(lead)
    for bad, words in (
        (truncated, "corrupt or truncated"),
        (edited, "does not match its checksum"),
        (not_a_zip, "not a readable"),
    ):
        with pytest.raises(PackageError, match=words):
            merge_packages(svc, [good, bad])  # the good one is not merged either
    assert counts(lead) == before
    lead.close()
    # the lead's copy of the session differs (an utterance re-cut): listed, nothing merged
    with sqlite3.connect(lead_path) as conn:
        conn.execute("UPDATE utterances SET end_s = end_s + 1 WHERE position = 3")
    conn.close()
    lead = open_project(lead_path)
    with pytest.raises(PackageError, match="transcript or segments differ"):
        merge_packages(ProjectService(lead, "lead"), [good])
    assert counts(lead) == before
    lead.close()
