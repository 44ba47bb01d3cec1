"""Packages that cannot lie: every attack on a merge is refused, naming why, and changes nothing.

Each package is made in a coder copy (tests/coder_copies.py); the forgeries are made with the
tools a coder has: their own copy, its key, and a zip program (tests/package_forgery.py)."""

from __future__ import annotations

import sqlite3
import time
import warnings
import zipfile

import pytest
from coder_copies import coder_copy
from package_forgery import repack, secret_of, unpack, zip_bomb
from sqlalchemy import func, select
from test_packages import study  # noqa: F401  (fixture)

from rupture_coder.errors import PackageError
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import UpdateCode
from rupture_coder.store.db import open_project
from rupture_coder.store.models import (
    AuditEntry,
    CodeEvent,
    MergedPackage,
    Rater,
    SegmentRating,
    SessionCompletion,
)
from rupture_coder.study.packages import export_package, merge_packages


def snapshot(path):
    """Everything a merge could touch in the lead's project, and its merge backups."""
    project = open_project(path)
    try:
        with project.read() as db:
            rows = {
                m.__tablename__: db.scalar(select(func.count()).select_from(m))
                for m in (CodeEvent, SegmentRating, SessionCompletion, AuditEntry, MergedPackage)
            }
            rows["raters"] = sorted((r.id, r.name, r.role) for r in db.scalars(select(Rater)))
            rows["codes"] = sorted(
                (c.rater_id, c.item_id, c.note) for c in db.scalars(select(CodeEvent))
            )
    finally:
        project.close()
    rows["backups"] = sorted(p.name for p in path.parent.glob(f"{path.name}.backup-merge-*"))
    return rows


def refused(lead_path, paths, words, **kw) -> str:
    """Merge must refuse with ``words`` in the message, and change nothing at all."""
    before = snapshot(lead_path)
    lead = open_project(lead_path)
    try:
        with pytest.raises(PackageError, match=words) as info:
            merge_packages(ProjectService(lead, "lead"), paths, **kw)
    finally:
        lead.close()
    assert snapshot(lead_path) == before
    return str(info.value)


def merge(lead_path, paths, **kw) -> list[dict]:
    lead = open_project(lead_path)
    try:
        return merge_packages(ProjectService(lead, "lead"), paths, **kw)
    finally:
        lead.close()


@pytest.fixture
def sent(study):  # noqa: F811
    """Ann's and Bob's packages, made in their coder copies; the lead's project holds no codes."""
    lead_path, coders, tmp = study
    for p, *_ in coders.values():
        p.close()
    out = {}
    for name, (p, _svc, rater, _session) in coders.items():
        copy = open_project(p.path)
        export_package(copy, rater.id, tmp / f"{name}.rcpkg")
        copy.close()
        out[name] = (tmp / f"{name}.rcpkg", rater.id, secret_of(p.path, rater.id))
    return lead_path, out, tmp


# -- signature ------------------------------------------------------------------------------------
def test_an_unsigned_package_is_refused(sent):
    lead_path, out, tmp = sent
    path, _rid, _secret = out["Ann"]
    unsigned = repack(path, tmp / "unsigned.rcpkg", manifest_edit=lambda m: m.pop("signature"))
    refused(lead_path, [unsigned], "it is not signed")


def test_a_package_edited_and_rehashed_after_export_is_refused(sent):
    lead_path, out, tmp = sent
    path, _rid, _secret = out["Ann"]

    def w2_to_w3(data):
        for row in data["rows"]["code_events"]:
            row["item_id"] = "W3" if row["item_id"] == "W2" else row["item_id"]

    edited = repack(path, tmp / "edited.rcpkg", w2_to_w3)  # the checksum is right again
    refused(lead_path, [edited], "signature does not verify")
    # the manifest alone edited (a later date to pass the age check) breaks the signature too
    later = repack(path, tmp / "later.rcpkg", manifest_edit=lambda m: m.update(created="2099-01-01T00:00:00+00:00"))  # fmt: skip
    refused(lead_path, [later], "signature does not verify")


def test_a_rater_the_lead_issued_no_key_to_is_refused(sent, tmp_path):
    lead_path, out, _tmp = sent
    # Eve makes her own copy of the lead's file and issues herself a key in it
    stranger = tmp_path / "eve-lead.rcproj"
    import shutil

    shutil.copy(lead_path, stranger)
    eve = coder_copy(stranger, "Eve", tmp_path / "eve.rcproj")
    p = open_project(tmp_path / "eve.rcproj")
    export_package(p, eve, tmp_path / "eve.rcpkg")
    p.close()
    refused(lead_path, [tmp_path / "eve.rcpkg"], "issued no key to rater 'Eve'")
    # ... or claims to be Bob, signing with her own key
    path, bob, _secret = out["Bob"]
    as_bob = repack(path, tmp_path / "as-bob.rcpkg", secret=secret_of(tmp_path / "eve.rcproj", eve))
    refused(lead_path, [as_bob], "signature does not verify with the key issued to Bob")


# -- rows, raters, roles --------------------------------------------------------------------------
def test_rows_of_another_rater_are_refused_though_signed_by_the_sender(sent):
    lead_path, out, tmp = sent
    merge(lead_path, [out["Bob"][0]])
    path, _ann, secret = out["Ann"]
    bob = out["Bob"][1]

    def claim_bob(data):  # Ann deletes (her package is authoritative) or forges Bob's codes
        data["rows"]["code_events"][0]["rater_id"] = bob

    forged = repack(path, tmp / "forged.rcpkg", claim_bob, secret=secret)
    message = refused(lead_path, [forged], f"belongs to rater {bob}")
    assert "sender's rows only" in message
    # a row id that is one of Bob's codes in the lead's project: not Ann's to overwrite
    bob_code = unpack(out["Bob"][0])[1]["rows"]["code_events"][0]["id"]

    def steal(data):
        data["rows"]["code_events"][0]["id"] = bob_code

    stolen = repack(path, tmp / "stolen.rcpkg", steal, secret=secret)
    refused(lead_path, [stolen], "may not overwrite it")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [("role", "lead", "role to 'lead'"), ("name", "Bob", "name to 'Bob'")],
)
def test_a_package_changes_no_rater_and_promotes_nobody(sent, field, value, words):
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    forged = repack(path, tmp / "role.rcpkg", lambda d: d["rater"].update({field: value}), secret=secret)  # fmt: skip
    refused(lead_path, [forged], words)
    assert ("lead" not in {r[2] for r in snapshot(lead_path)["raters"]}) or field != "role"


def test_rows_of_tables_a_package_may_not_write_are_refused(sent):
    lead_path, out, tmp = sent
    path, ann, secret = out["Ann"]

    def add_rater(data):
        data["rows"]["raters"] = [{"id": ann, "name": "Ann", "role": "lead"}]

    refused(lead_path, [repack(path, tmp / "t.rcpkg", add_rater, secret=secret)], "'raters'")


@pytest.mark.parametrize(
    ("table", "change", "words"),
    [
        ("code_events", {"item_id": "Z9"}, "code_events row .* \\(Z9\\): item: .*Z9"),
        ("segment_ratings", {"value": 999}, "999 is not on scale impact \\(1..5\\)"),
        ("segment_ratings", {"rating_id": "bogus"}, "bogus"),
        ("segment_ratings", {"rating_id": "session_resolution"}, "not a segment rating"),
        ("code_events", {"level": "member-to-group"}, "level: codebook 3rs-individual is not a group codebook"),
        ("code_events", {"count": 3}, "count must be 1 for presence items"),
        ("code_events", {"value": 4}, "takes no value"),
        ("code_events", {"first_utterance_id": "nowhere"}, "nowhere"),
    ],
)  # fmt: skip
def test_codes_and_ratings_the_codebook_does_not_allow_are_refused(sent, table, change, words):
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    bad = repack(path, tmp / "bad.rcpkg", lambda d: d["rows"][table][0].update(change), secret=secret)  # fmt: skip
    refused(lead_path, [bad], words)


def test_a_different_codebook_under_the_same_version_is_refused(sent):
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]

    def rewrite(data):
        cb = data["codebooks"][0]
        cb["content"] = cb["content"].replace("Withdrawal impact", "Anything goes")
        from rupture_coder.codebook.loader import content_hash

        cb["content_hash"] = content_hash(cb["content"])  # consistent with itself

    refused(lead_path, [repack(path, tmp / "cb.rcpkg", rewrite, secret=secret)], "differs from this project's copy of that version")  # fmt: skip


# -- transcripts: the digest and the source each alone --------------------------------------------
def test_a_session_re_cut_in_the_lead_project_is_refused(sent):
    lead_path, out, _tmp = sent
    with sqlite3.connect(lead_path) as conn:  # same source file, other boundaries
        conn.execute('UPDATE segments SET end_s = end_s - 30 WHERE "index" = 0')
        conn.execute('UPDATE segments SET start_s = start_s - 30 WHERE "index" = 1')
    conn.close()
    refused(lead_path, [out["Ann"][0]], "transcript or segments differ")


def test_a_session_from_another_source_file_is_refused(sent):
    lead_path, out, _tmp = sent
    with sqlite3.connect(lead_path) as conn:  # same transcript, another source
        conn.execute("UPDATE sessions SET source_hash = 'another file'")
    conn.close()
    refused(lead_path, [out["Ann"][0]], "imported from another source file")


# -- the zip itself -------------------------------------------------------------------------------
def test_duplicate_and_unexpected_members_are_refused(sent):
    lead_path, out, tmp = sent
    path = out["Ann"][0]
    with zipfile.ZipFile(path) as src:
        members = {n: src.read(n) for n in src.namelist()}
    twice = tmp / "twice.rcpkg"
    with zipfile.ZipFile(twice, "w") as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name, and writes it
        z.writestr("manifest.json", members["manifest.json"])
        z.writestr("data.json", members["data.json"])
        z.writestr("data.json", b'{"rows": {}}')
    refused(
        lead_path,
        [twice],
        "member data.json: two members of the archive have the same name \\(found also named 'data.json'\\)",
    )
    extra = tmp / "extra.rcpkg"
    with zipfile.ZipFile(extra, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        z.writestr("run-me.py", b"print('hi')")
    refused(lead_path, [extra], "member run-me.py: unexpected member")


def test_a_zip_bomb_is_refused_in_under_a_second_before_inflating(sent):
    lead_path, out, tmp = sent
    manifest, _data = unpack(out["Ann"][0])
    bomb = zip_bomb(tmp / "bomb.rcpkg", manifest)  # 1.4 MB that inflates to 1.5 GB
    assert bomb.stat().st_size < 1_600_000
    with zipfile.ZipFile(bomb) as z:
        assert z.getinfo("data.json").file_size > 1_400_000_000
    lead = open_project(lead_path)
    started = time.perf_counter()
    with pytest.raises(PackageError, match="member data.json: .*(zip bomb|at most)"):
        merge_packages(ProjectService(lead, "lead"), [bomb])
    took = time.perf_counter() - started
    lead.close()
    print(f"zip bomb refused in {took * 1000:.0f} ms")
    assert took < 1.0


# -- order, repetition, bookkeeping ---------------------------------------------------------------
def test_an_older_package_is_refused_naming_both_dates_unless_forced(sent, study):  # noqa: F811
    lead_path, out, tmp = sent
    _lp, coders, _t = study
    p = open_project(coders["Ann"][0].path)
    ann = coders["Ann"][2]
    older = out["Ann"][0]
    (code,) = [c for c in queries.codes(p, coders["Ann"][3].id, ann.id) if c.item_id == "C5"]
    ProjectService(p, "Ann").run(UpdateCode(code.id, {"note": "newer work"}))
    newer = export_package(p, ann.id, tmp / "Ann-newer.rcpkg") and tmp / "Ann-newer.rcpkg"
    p.close()
    merge(lead_path, [newer])
    old_created = unpack(older)[0]["created"][:10]
    message = refused(lead_path, [older], "before the package of Ann merged last")
    assert message.count(old_created) == 2 and "--allow-older" in message
    result = merge(lead_path, [older], allow_older=True)
    assert result[0]["rater"] == "Ann" and result[-1]["changed_rows"] == 1  # the note goes back
    assert "" in {n for r, i, n in snapshot(lead_path)["codes"] if i == "C5" and r == ann.id}


def test_merging_the_same_package_again_changes_nothing_and_takes_no_backup(sent):
    lead_path, out, _tmp = sent
    first = merge(lead_path, [out["Ann"][0]])
    assert first[0]["rater"] == "Ann" and "already_merged" not in first[0]
    assert first[-1]["changed_rows"] == 4 and first[-1]["backup"]  # 3 codes, 1 rating
    before = snapshot(lead_path)
    again = merge(lead_path, [out["Ann"][0], out["Ann"][0]])
    assert again[0]["already_merged"] and again[-1] == {"changed_rows": 0, "backup": None}
    assert snapshot(lead_path) == before


def test_a_package_that_changes_nothing_takes_no_backup_but_is_recorded(sent, study):  # noqa: F811
    lead_path, out, tmp = sent
    _lp, coders, _t = study
    merge(lead_path, [out["Ann"][0]])
    before = snapshot(lead_path)
    # the same rows in another file (an identical one is "already merged": see above)
    path, _ann, secret = out["Ann"]
    same = repack(path, tmp / "Ann-same.rcpkg", lambda d: d.update(comment="resent"), secret=secret)
    result = merge(lead_path, [same])
    after = snapshot(lead_path)
    assert result[-1] == {"changed_rows": 0, "backup": None}
    assert after["backups"] == before["backups"] and after["codes"] == before["codes"]
    assert after["merged_packages"] == before["merged_packages"] + 1


def test_a_note_edited_alone_is_merged_and_undo_removes_the_record(sent, study):  # noqa: F811
    lead_path, out, tmp = sent
    _lp, coders, _t = study
    merge(lead_path, [out["Ann"][0]])
    p = open_project(coders["Ann"][0].path)
    ann, session = coders["Ann"][2], coders["Ann"][3]
    (w2,) = [c for c in queries.codes(p, session.id, ann.id) if c.item_id == "W2"]
    ProjectService(p, "Ann").run(UpdateCode(w2.id, {"note": "only the note"}))
    export_package(p, ann.id, tmp / "Ann-note.rcpkg")
    p.close()
    lead = open_project(lead_path)
    svc = ProjectService(lead, "lead")
    result = merge_packages(svc, [tmp / "Ann-note.rcpkg"])
    assert result[-1]["changed_rows"] == 1  # the code; not the bookkeeping row
    notes = {c.item_id: c.note for c in queries.codes(lead, session.id, ann.id)}
    assert notes["W2"] == "only the note"
    with lead.read() as db:
        assert db.scalar(select(func.count()).select_from(MergedPackage)) == 2
    svc.undo()
    with lead.read() as db:
        assert db.scalar(select(func.count()).select_from(MergedPackage)) == 1
    assert {c.item_id: c.note for c in queries.codes(lead, session.id, ann.id)}["W2"] == ""
    lead.close()


def test_two_packages_of_one_rater_in_one_merge_are_refused(sent):
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    other = repack(path, tmp / "Ann-again.rcpkg", lambda d: d.update(comment="x"), secret=secret)
    refused(lead_path, [path, other], "two packages of Ann")


def test_merge_backups_are_pruned_to_the_last_five(sent):
    lead_path, out, _tmp = sent
    for k in range(7):  # earlier merges' backups, oldest first
        (lead_path.parent / f"{lead_path.name}.backup-merge-2026010{k + 1}T000000Z").write_bytes(
            b"x"
        )
    upgrade = lead_path.parent / f"{lead_path.name}.backup-rev0005-20250101T000000Z"
    upgrade.write_bytes(b"x")
    result = merge(lead_path, [out["Ann"][0]])
    left = snapshot(lead_path)["backups"]
    assert len(left) == 5 and left[-1].endswith(result[-1]["backup"][-16:])
    assert left[0].endswith("20260104T000000Z") and upgrade.exists()


def test_n_a_where_the_sender_coded_a_rupture_is_refused(tmp_path):
    """Codebook 1.1.0: 'Resolution in segment' N/A means no rupture occurred in the segment."""
    from rupture_coder.resources import samples_dir
    from rupture_coder.services.coding import AddCode, CodeSpec, SetRating
    from rupture_coder.services.imports import plan_import, run_import

    cb = ("3rs-individual", "1.1.0")
    lead_path = tmp_path / "lead.rcproj"
    lead = open_project(lead_path)
    sample = samples_dir() / "individual-session-07.txt"
    run_import(ProjectService(lead, "lead"), plan_import(lead, [sample], codebook=cb))
    lead.close()
    ann = coder_copy(lead_path, "Ann", tmp_path / "ann.rcproj")
    p = open_project(tmp_path / "ann.rcproj")
    svc = ProjectService(p, "Ann")
    (session,) = queries.list_sessions(p)
    svc.run(AddCode(session.id, ann, cb, CodeSpec("W2", queries.transcript(p, session.id)[1].id)))
    first = queries.segments(p, session.id)[0]
    svc.run(SetRating(ann, cb, "segment_resolution", 3, segment_id=first.id))
    export_package(p, ann, tmp_path / "ann.rcpkg")
    p.close()

    def no_rupture(data):  # a good rating first, then the N/A
        ratings = data["rows"]["segment_ratings"]
        ratings[0].update(value=None, is_na=True)
        ratings.insert(0, dict(ratings[0], id="w", rating_id="withdrawal_impact", value=2, is_na=False))  # fmt: skip

    forged = repack(tmp_path / "ann.rcpkg", tmp_path / "na.rcpkg", no_rupture, secret=secret_of(tmp_path / "ann.rcproj", ann))  # fmt: skip
    message = refused(lead_path, [forged], "N/A means that no rupture occurred")
    assert "W2" in message
    assert merge(lead_path, [tmp_path / "ann.rcpkg"])[-1]["changed_rows"] == 2  # the honest one


MiB = 1 << 20


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ([("manifest.json", 1, 1), ("data.json", 1, 1)] + [(f"x{k}", 1, 1) for k in range(15)],
         "zip directory: an archive may hold at most 16 members"),
        ([("manifest.json", 1, 1), ("data.json", 512 * MiB + 1, 10 * MiB)],
         "member data.json: a member may inflate to at most 512.0 MiB"),
        ([("manifest.json", 10 * MiB, MiB), ("data.json", 502 * MiB + 1, 6 * MiB)],
         "member data.json: the members may inflate to at most 512.0 MiB together"),
        ([("manifest.json", 1, 1), ("data.json", 201 * MiB, 2 * MiB)],
         "member data.json: compressed more than 100 to 1"),
        ([("manifest.json", 1, 1), ("data.json", MiB + 200, MiB // 200 + 1)],
         "member data.json: compressed more than 100 to 1"),
    ],
)  # fmt: skip
def test_the_zip_caps_hold_at_their_edges(sent, members, words):
    """Each cap refuses just past its edge, from the zip's directory (the sizes declared there)."""
    from package_forgery import crafted_zip

    lead_path, _out, tmp = sent
    path = crafted_zip(tmp / "edge.rcpkg", [(n, b"{}", u, c) for n, u, c in members])
    refused(lead_path, [path], words)


def test_a_package_file_over_256_mib_is_refused_unread(sent):
    lead_path, _out, tmp = sent
    huge = tmp / "huge.rcpkg"
    with huge.open("wb") as fh:
        fh.truncate(256 * MiB + 1)  # sparse: nothing is written
    refused(
        lead_path, [huge], "the file is larger than the 256.0 MiB accepted \\(found 256.0 MiB\\)"
    )
