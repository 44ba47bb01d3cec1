"""The edges of the merge checks: each condition alone, and the order of things in one merge.

Forgeries are signed with the sender's own key where the sender could make them (a coder holds
their copy's key), so that what refuses them is the check under test, not the signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import zipfile

import pytest
from coder_copies import coder_copy
from package_forgery import repack, secret_of, unpack
from test_package_attacks import merge, refused, sent, snapshot  # noqa: F401  (fixtures)
from test_packages import study  # noqa: F401  (fixture)

from rupture_coder.errors import OlderPackage, PackageError
from rupture_coder.resources import samples_dir
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import AddCode, CodeSpec
from rupture_coder.services.imports import plan_import, run_import
from rupture_coder.services.project import AddRater
from rupture_coder.store.db import open_project
from rupture_coder.store.models import SessionCompletion
from rupture_coder.study.package_file import signature
from rupture_coder.study.packages import export_package, merge_lines

IND = ("3rs-individual", "1.0.0")


def resent(path, out, secret, edit=None, **manifest):
    """The sender's package again, edited and signed with the sender's own key."""
    return repack(path, out, edit, secret=secret, manifest_edit=lambda m: m.update(manifest))


# -- the signature, as specified ------------------------------------------------------------------
def test_the_signature_is_hmac_sha256_over_canonical_manifest_and_data():
    secret = "ab" * 32
    manifest = {"rater": {"name": "Zoë", "id": "r1"}, "format": "x", "signature": "old"}
    payload = b'{"rows": {}}'
    unsigned = {"format": "x", "rater": {"id": "r1", "name": "Zo\\u00eb"}}
    message = json.dumps(unsigned, separators=(",", ":")).replace("\\\\", "\\").encode()
    expected = hmac.new(bytes.fromhex(secret), message + b"\0" + payload, hashlib.sha256)
    assert message == b'{"format":"x","rater":{"id":"r1","name":"Zo\\u00eb"}}'
    assert signature(secret, manifest, payload) == expected.hexdigest()


# -- who sent it ----------------------------------------------------------------------------------
def test_a_rater_of_the_lead_without_a_key_and_data_naming_another_rater(sent):  # noqa: F811
    lead_path, out, tmp = sent
    path, ann, secret = out["Ann"]
    lead = open_project(lead_path)
    carl = ProjectService(lead, "lead").run(AddRater("Carl")).result  # no copy handed out
    lead.close()

    def as_carl(data):
        data["rater"].update(id=carl.id, name="Carl")
        for rows in data["rows"].values():
            for row in rows:
                row["rater_id"] = carl.id

    forged = resent(
        path, tmp / "carl.rcpkg", secret, as_carl, rater={"id": carl.id, "name": "Carl"}
    )
    refused(lead_path, [forged], "issued no key to rater 'Carl'")
    bob = out["Bob"][1]
    other = resent(path, tmp / "other.rcpkg", secret, lambda d: d["rater"].update(id=bob))
    refused(lead_path, [other], "its data names another rater than its manifest")


def test_export_needs_a_rater_and_its_key(sent, tmp_path):  # noqa: F811
    lead_path, _out, _tmp = sent
    lead = open_project(lead_path)
    ProjectService(lead, "lead").run(AddRater("Carl"))
    with pytest.raises(PackageError, match="no rater 'Nobody' in this project"):
        export_package(lead, "Nobody", tmp_path / "x.rcpkg")
    with pytest.raises(PackageError, match="holds no signing key for Carl"):
        export_package(lead, "Carl", tmp_path / "x.rcpkg")
    lead.close()
    assert not (tmp_path / "x.rcpkg").exists()
    copy = open_project(_out["Ann"][0].with_name("Ann.rcproj"))
    deep = tmp_path / "new" / "folder" / "ann.rcpkg"  # the folders are made
    assert export_package(copy, "Ann", deep)["rater"]["name"] == "Ann" and deep.exists()
    copy.close()


def test_a_small_member_that_compresses_well_is_no_bomb(sent):  # noqa: F811
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]

    def pad(data):  # (the lead's project has the session: its transcript is not needed)
        data["sessions"][0].update(utterances=[], participants=[])
        data["pad"] = " " * 900_000

    padded = resent(path, tmp / "pad.rcpkg", secret, pad)
    with zipfile.ZipFile(padded) as z:
        info = z.getinfo("data.json")
        assert info.file_size / info.compress_size > 150 and info.file_size < 1 << 20
    assert merge(lead_path, [padded])[-1]["changed_rows"] == 4


# -- the file -------------------------------------------------------------------------------------
def _raw(out, manifest: bytes, payload: bytes):
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("manifest.json", manifest)
        z.writestr("data.json", payload)
    return out


def test_manifests_and_data_that_are_not_a_package(sent):  # noqa: F811
    lead_path, out, tmp = sent
    manifest, _data = unpack(out["Ann"][0])
    listed = b"[]"
    good = dict(manifest, sha256=hashlib.sha256(listed).hexdigest())
    cases = [
        (_raw(tmp / "a.rcpkg", b"[1]", listed), "its manifest is not a JSON object"),
        (_raw(tmp / "b.rcpkg", b"{", listed), "not a readable rater package \\(its manifest"),
        (_raw(tmp / "c.rcpkg", json.dumps(dict(good, format="zip/9")).encode(), listed),
         "unknown package format 'zip/9'"),
        (_raw(tmp / "d.rcpkg", json.dumps(good).encode(), listed),
         "this version can read \\(not a package's data\\)"),
        (_raw(tmp / "e.rcpkg", json.dumps(dict(good, created="2026-01-01T10:00:00", sha256=hashlib.sha256(b"{}").hexdigest())).encode(), b"{}"),
         "no time zone in its date '2026-01-01T10:00:00'"),
    ]  # fmt: skip
    for path, words in cases:
        refused(lead_path, [path], words)


def test_a_package_carrying_a_codebook_whose_checksum_lies_is_refused(sent):  # noqa: F811
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    edit = lambda d: d["codebooks"][0].update(content_hash="0" * 64)  # noqa: E731
    refused(lead_path, [resent(path, tmp / "h.rcpkg", secret, edit)], "its text does not match its checksum")  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: d["rows"].pop("session_ratings"), "it lacks the table 'session_ratings'"),
        (lambda d: d["rows"]["code_events"][0].update(session_id="elsewhere"),
         "is in session elsewhere, which the package does not carry"),
        (lambda d: d["rows"]["segment_ratings"][0].update(segment_id="nowhere"),
         "segment nowhere is not a segment of this session"),
    ],
)  # fmt: skip
def test_rows_out_of_place_are_refused(sent, edit, words):  # noqa: F811
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    refused(lead_path, [resent(path, tmp / "r.rcpkg", secret, edit)], words)


def test_many_problems_are_listed_twenty_and_counted(sent):  # noqa: F811
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]

    def many(data, n=25):
        code = data["rows"]["code_events"][0]
        data["rows"]["code_events"] = [dict(code, id=f"bad{k:02d}", item_id="Z9") for k in range(n)]

    twenty = resent(path, tmp / "20.rcpkg", secret, lambda d: many(d, 20))
    assert "more" not in refused(lead_path, [twenty], "bad19")
    message = refused(lead_path, [resent(path, tmp / "m.rcpkg", secret, many)], "and 5 more")
    assert message.count("(Z9)") == 20 and "bad19" in message and "bad20" not in message


# -- order ----------------------------------------------------------------------------------------
def test_older_is_its_own_error_only_when_nothing_else_is_wrong(sent):  # noqa: F811
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    newer = resent(path, tmp / "newer.rcpkg", secret, lambda d: d.update(v=2), created="2099-01-01T00:00:00+00:00")  # fmt: skip
    merge(lead_path, [newer])
    with pytest.raises(OlderPackage):
        merge(lead_path, [path])
    unsigned = repack(out["Bob"][0], tmp / "u.rcpkg", manifest_edit=lambda m: m.pop("signature"))
    with pytest.raises(PackageError) as info:
        merge(lead_path, [path, unsigned])
    assert type(info.value) is PackageError and "not signed" in str(info.value)
    # made at the same moment as the last one merged: not older
    same_time = resent(path, tmp / "same.rcpkg", secret, lambda d: d.update(v=3), created="2099-01-01T00:00:00+00:00")  # fmt: skip
    assert "already_merged" not in merge(lead_path, [same_time])[0]


def test_dates_are_named_in_utc_whatever_the_zones(sent, monkeypatch):  # noqa: F811
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    newer = resent(path, tmp / "n.rcpkg", secret, lambda d: d.update(v=2), created="2099-01-01T12:00:00+02:00")  # fmt: skip
    older = resent(path, tmp / "o.rcpkg", secret, lambda d: d.update(v=3), created="2098-06-01T12:00:00+02:00")  # fmt: skip
    merge(lead_path, [newer])
    monkeypatch.setenv("TZ", "America/New_York")  # the project's times are read back naive
    time.tzset()
    try:
        message = refused(lead_path, [older], "before the package of Ann")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert "made 2098-06-01 10:00:00 UTC" in message and "(made 2099-01-01 10:00:00 UTC)" in message


def test_one_package_changing_something_takes_a_backup(sent):  # noqa: F811
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    merge(lead_path, [path])
    same_rows = resent(path, tmp / "same.rcpkg", secret, lambda d: d.update(v=2))
    result = merge(lead_path, [same_rows, out["Bob"][0]])
    assert result[-1]["changed_rows"] == 4 and result[-1]["backup"]
    assert len(snapshot(lead_path)["backups"]) == 2


def test_the_same_file_twice_in_one_merge_is_merged_once(sent):  # noqa: F811
    lead_path, out, tmp = sent
    path = out["Ann"][0]
    result = merge(lead_path, [path, path])
    assert "already_merged" not in result[0] and result[1]["already_merged"] == "in this merge"
    assert result[-1]["changed_rows"] == 4 and snapshot(lead_path)["merged_packages"] == 1


def test_every_problem_is_listed_beside_two_packages_of_one_rater(sent):  # noqa: F811
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    unsigned = repack(out["Bob"][0], tmp / "u.rcpkg", manifest_edit=lambda m: m.pop("signature"))
    again = resent(path, tmp / "again.rcpkg", secret, lambda d: d.update(v=2))
    message = refused(lead_path, [unsigned, path, again], "two packages of Ann")
    assert "not signed" in message


def test_merge_lines_say_what_happened():
    done = {"package": "a.rcpkg", "rater": "Ann", "rows": {"code_events": 3}}
    seen = {"package": "b.rcpkg", "rater": "Bob", "rows": {}, "already_merged": "2026-01-01"}
    assert merge_lines([done, seen, {"changed_rows": 4, "backup": "p.backup"}]) == [
        "a.rcpkg: signed by Ann (verified); merged 3 code(s)",
        "b.rcpkg: signed by Bob (verified); already merged (2026-01-01), skipped",
        "4 row(s) changed; backup taken first: p.backup",
    ]
    assert merge_lines([seen, {"changed_rows": 0, "backup": None}])[-1] == (
        "nothing changed: already merged; no backup taken"
    )
    for order in ([done, seen], [seen, done]):
        assert merge_lines([*order, {"changed_rows": 0, "backup": None}])[-1] == (
            "nothing changed: the project already holds this work; no backup taken"
        )


# -- a session the coder brings -------------------------------------------------------------------
def test_a_session_the_coder_imported_arrives_with_its_codes_checked(sent, study):  # noqa: F811
    lead_path, out, tmp = sent
    _lp, coders, _t = study
    copy, ann = coders["Ann"][0].path, coders["Ann"][2].id
    p = open_project(copy)
    svc = ProjectService(p, "Ann")
    run_import(svc, plan_import(p, [samples_dir() / "individual-session-07.srt"], codebook=IND))
    new = next(s for s in queries.list_sessions(p) if s.id != coders["Ann"][3].id)
    svc.run(AddCode(new.id, ann, IND, CodeSpec("C1", queries.transcript(p, new.id)[2].id)))
    with p.new_session() as db, db.begin():  # (the app asks for every rating first)
        db.add(SessionCompletion(session_id=new.id, rater_id=ann))
    export_package(p, ann, tmp / "two.rcpkg")
    p.close()
    secret = secret_of(copy, ann)

    def bad_new_code(data):  # the existing session's codes come first, then the new one's
        codes = data["rows"]["code_events"]
        codes.sort(key=lambda c: c["session_id"] == new.id)
        codes[-1]["item_id"] = "Z9"

    forged = resent(tmp / "two.rcpkg", tmp / "bad.rcpkg", secret, bad_new_code)
    message = refused(lead_path, [forged], "\\(Z9\\): item")
    assert "code_events row" in message
    result = merge(lead_path, [tmp / "two.rcpkg"])
    assert result[0]["rows"] == {"code_events": 4, "segment_ratings": 1, "session_ratings": 0, "session_completions": 1}  # fmt: skip
    assert result[-1]["backup"]
    lead = open_project(lead_path)
    assert len(queries.list_sessions(lead)) == 2
    assert [c.item_id for c in queries.codes(lead, new.id, ann)] == ["C1"]
    lead.close()
    assert merge(lead_path, [tmp / "two.rcpkg"])[-1] == {"changed_rows": 0, "backup": None}


def test_a_lead_copy_of_the_session_is_not_changed_by_a_coder_who_has_it_too(sent, study):  # noqa: F811
    """Bob's copy, handed out later, holds Ann's new session too (the lead merged it): his codes
    in it merge without the session being written again."""
    lead_path, out, tmp = sent
    merge(lead_path, [out["Ann"][0]])
    coder_copy(lead_path, "Bob", tmp / "bob2.rcproj")
    p = open_project(tmp / "bob2.rcproj")
    bob = next(r.id for r in queries.raters(p) if r.name == "Bob")
    (session,) = queries.list_sessions(p)
    assert (
        queries.codes(p, session.id, next(r.id for r in queries.raters(p) if r.name == "Ann")) == []
    )
    ProjectService(p, "Bob").run(AddCode(session.id, bob, IND, CodeSpec("W1", queries.transcript(p, session.id)[5].id)))  # fmt: skip
    export_package(p, bob, tmp / "bob2.rcpkg")
    p.close()
    result = merge(lead_path, [tmp / "bob2.rcpkg"])
    assert result[0]["rater"] == "Bob" and result[-1]["changed_rows"] == 1


def test_merges_in_one_second_keep_every_backup(sent, monkeypatch):  # noqa: F811
    from datetime import UTC, datetime

    from rupture_coder.study import packages

    class Noon(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)

    monkeypatch.setattr(packages, "datetime", Noon)
    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    merge(lead_path, [path])
    drop_r4 = lambda d: d["rows"]["code_events"].pop()  # noqa: E731
    merge(lead_path, [resent(path, tmp / "2.rcpkg", secret, drop_r4, created="2099-01-01T00:00:00+00:00")])  # fmt: skip
    merge(lead_path, [out["Bob"][0]])
    stem = f"{lead_path.name}.backup-merge-20261206T120000Z"
    assert snapshot(lead_path)["backups"] == [stem, f"{stem}-2", f"{stem}-3"]


def test_a_codebook_version_the_lead_lacks_comes_in_only_if_it_is_one(sent):  # noqa: F811
    """A package may bring a codebook version (content-addressed, checked); not a forged one."""
    from rupture_coder.codebook.loader import content_hash
    from rupture_coder.store.models import CodebookVersion

    lead_path, out, tmp = sent
    path, _ann, secret = out["Ann"]
    merge(lead_path, [path])

    def bring(version, text_edit):
        def edit(data):
            cb = dict(data["codebooks"][0])
            text = text_edit(cb["content"].replace("version: 1.0.0", f"version: {version}", 1))
            cb.update(version=version, content=text, content_hash=content_hash(text))
            data["codebooks"].append(cb)

        return resent(path, tmp / f"cb-{version}.rcpkg", secret, edit)

    refused(lead_path, [bring("1.0.7", lambda t: t + "\nitems: [oops")], "3rs-individual 1.0.7 is not a valid codebook")  # fmt: skip
    refused(lead_path, [bring("1.0.8", lambda t: t.replace("version: 1.0.8", "version: 2.0.0"))], "its text is codebook 3rs-individual 2.0.0")  # fmt: skip
    both = repack(tmp / "cb-1.0.8.rcpkg", tmp / "both.rcpkg", lambda d: d["codebooks"].insert(1, unpack(tmp / "cb-1.0.7.rcpkg")[1]["codebooks"][1]), secret=secret)  # fmt: skip
    message = refused(lead_path, [both], "1.0.7 is not a valid codebook")
    assert "its text is codebook 3rs-individual 2.0.0" in message  # every codebook is checked
    result = merge(lead_path, [bring("1.0.9", lambda t: t)])
    assert result[-1]["changed_rows"] == 1 and result[-1]["backup"]  # the codebook version
    lead = open_project(lead_path)
    with lead.read() as db:
        assert db.get(CodebookVersion, ("3rs-individual", "1.0.9")) is not None
    lead.close()
