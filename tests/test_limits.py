"""The guards on untrusted input, each refusal named, each decided before inflating or building."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rupture_coder import limits
from rupture_coder.errors import InputError
from rupture_coder.limits import Refused, ZipCaps, check_xml, check_yaml, open_zip, read_capped
from rupture_coder.resources import codebooks_dir


def zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buf.getvalue()


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """Make the central directory lie about a member's uncompressed size."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        (name_len,) = struct.unpack_from("<H", out, at + 28)
        if out[at + 46 : at + 46 + name_len].decode() == member:
            struct.pack_into("<L", out, at + 24, size)
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def refusal(fn, *args, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        fn(*args, **kwargs)
    assert isinstance(caught.value, InputError)
    return caught.value


# -- zip ----------------------------------------------------------------------------------------
def test_a_zip_bomb_is_refused_from_its_directory_before_inflating():
    bomb = zip_of({"word/document.xml": b"\0" * (80 * 1024 * 1024)})
    assert len(bomb) < 100_000  # small on disk
    tracemalloc.start()
    t0 = time.perf_counter()
    err = refusal(open_zip, bomb, "bomb.docx")
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert err.where == "member word/document.xml" and "at most 64.0 MiB" in err.message
    assert elapsed < 1 and peak < 5 * 1024 * 1024  # nothing was inflated


def test_the_compression_ratio_is_capped_above_a_floor():
    data = zip_of({"a.xml": b"x" * (4 * 1024 * 1024)})
    err = refusal(open_zip, data, "r.xlsx")
    assert "compressed more than 100 to 1" in err.message and err.where == "member a.xml"
    small = zip_of({"a.xml": b"x" * 500_000})  # far above 100:1 but below the floor: harmless
    assert open_zip(small, "ok.xlsx").read("a.xml") == b"x" * 500_000


def test_a_member_that_lies_about_its_size_stops_at_the_declared_size():
    honest = zip_of({"a.xml": b"<a>" + b"y" * 3_000_000 + b"</a>"})
    liar = declare_size(honest, "a.xml", 1000)
    archive = open_zip(liar, "liar.docx")  # the directory looks harmless
    err = refusal(archive.read, "a.xml")
    assert err.where == "member a.xml"
    err = refusal(check_xml, archive.open("a.xml"), "liar.docx", "member a.xml")
    assert err.where == "member a.xml"


def test_a_hard_cap_while_inflating_whatever_the_declared_size():
    data = zip_of({"a.bin": b"z" * 200_000})
    archive = open_zip(data, "c.zip", ZipCaps(max_member_bytes=300_000))
    archive.caps = ZipCaps(max_member_bytes=100_000)  # a cap lower than the declared size
    err = refusal(archive.read, "a.bin")
    assert "inflates to more than" in err.message


def test_member_count_duplicates_names_and_methods():
    many = zip_of({f"m{i}": b"" for i in range(1500)}, zipfile.ZIP_STORED)
    err = refusal(open_zip, many, "many.zip")
    assert err.where == "zip directory" and "at most 1,000 members" in err.message
    dup = zip_of({"Data.json": b"1", "data.json": b"2"})
    assert "same name" in refusal(open_zip, dup, "dup.zip").message
    with pytest.warns(UserWarning, match="Duplicate name"):
        exact = io.BytesIO()
        with zipfile.ZipFile(exact, "w") as z:
            z.writestr("data.json", "1")
            z.writestr("data.json", "2")
    assert "same name" in refusal(open_zip, exact.getvalue(), "dup2.zip").message
    evil = zip_of({"../../etc/passwd": b"x"})
    assert "leave the archive" in refusal(open_zip, evil, "evil.zip").message
    bz = zip_of({"a": b"x"}, zipfile.ZIP_BZIP2)
    assert "stored or deflated" in refusal(open_zip, bz, "bz.zip").message


def test_allowed_and_required_members_for_packages():
    data = zip_of({"manifest.json": b"{}", "data.json": b"{}", "extra.exe": b"MZ"})
    err = refusal(open_zip, data, "p.rcpkg", allowed={"manifest.json", "data.json"})
    assert err.where == "member extra.exe" and "unexpected member" in err.message
    data = zip_of({"manifest.json": b"{}"})
    err = refusal(open_zip, data, "p.rcpkg", required={"manifest.json", "data.json"})
    assert "missing member(s) data.json" in err.message
    ok = open_zip(zip_of({"manifest.json": b"{}", "data.json": b"[]"}), "p.rcpkg",
                  allowed={"manifest.json", "data.json"}, required={"data.json"})  # fmt: skip
    assert ok.members == ["manifest.json", "data.json"] and ok.read("data.json") == b"[]"


def test_truncated_and_foreign_archives():
    good = zip_of({"a.xml": b"<a/>" * 1000})
    for cut in (10, len(good) // 2, len(good) - 5):
        err = refusal(open_zip, good[:cut], "t.docx")
        assert "not a readable zip archive" in err.message
    assert "not a readable zip" in refusal(open_zip, b"\x89PNG\r\n", "p.docx").message
    flipped = bytearray(good)
    flipped[60] ^= 0xFF  # inside the compressed data
    archive = open_zip(bytes(flipped), "f.docx")
    assert refusal(archive.read, "a.xml").where == "member a.xml"


# -- XML ----------------------------------------------------------------------------------------
def test_xml_entities_depth_and_size():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
            for i in range(1, 10)
        )
        + b"]><lolz>&lol9;</lolz>"
    )
    err = refusal(check_xml, laughs, "bomb.eaf")
    assert "DTD" in err.message and err.where == "whole file, line 1"
    external = b'<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>'
    assert "DTD" in refusal(check_xml, external, "x.eaf").message
    deep = b"<a>" * 1_000_000 + b"</a>" * 1_000_000
    t0 = time.perf_counter()
    err = refusal(check_xml, deep, "deep.eaf")
    assert time.perf_counter() - t0 < 1 and "deeper than 200" in err.message
    wide = b"<a>" + b"<b/>" * 1001 + b"</a>"
    assert "at most 1,000 elements" in refusal(check_xml, wide, "w", max_elements=1000).message
    err = refusal(check_xml, b"<a>\n<b></a>", "bad.eaf", "member x.xml")
    assert err.where == "member x.xml, line 2" and "mismatched tag" in err.message
    assert check_xml(b"<a><b/><c>t</c></a>", "ok") == 3


# -- YAML ---------------------------------------------------------------------------------------
def test_a_yaml_alias_bomb_is_refused_before_it_is_built():
    names = "abcdefghij"
    bomb = "a: &a ['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol']\n" + "".join(
        f"{names[i]}: &{names[i]} [{', '.join([f'*{names[i - 1]}'] * 9)}]\n" for i in range(1, 10)
    )
    assert len(bomb) < 1000
    t0 = time.perf_counter()
    err = refusal(check_yaml, bomb, "bomb.yaml")
    assert time.perf_counter() - t0 < 1
    assert "alias bomb" in err.message and err.where.startswith("line ")
    assert "contains it" in refusal(check_yaml, "a: &a [1, *a]\n", "loop.yaml").message
    assert "deeper than 64" in refusal(check_yaml, "[" * 100 + "]" * 100, "deep.yaml").message
    many = "a: &a 1\nb: [" + ", ".join(["*a"] * 1001) + "]\n"
    assert "at most 1,000 aliases" in refusal(check_yaml, many, "many.yaml").message
    big = "x: '" + "y" * (limits.MAX_CODEBOOK_BYTES + 1) + "'\n"
    assert refusal(check_yaml, big, "big.yaml").where == "whole file"
    for path in codebooks_dir().glob("*.yaml"):  # the bundled codebooks pass
        check_yaml(path.read_text(encoding="utf-8"), path.name)
    check_yaml("a: [unclosed\n", "bad.yaml")  # malformed: left to the loader and its line


# -- files and records --------------------------------------------------------------------------
def test_read_capped_refuses_big_missing_and_special_files(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"x" * 101)
    assert refusal(read_capped, path, 100).where == "whole file"
    assert read_capped(path, 200) == b"x" * 101
    assert "no such file" in refusal(read_capped, tmp_path / "nope.txt").message
    assert "folder" in str(refusal(read_capped, tmp_path))
    zero = refusal(read_capped, limits.Path("/dev/zero"))
    assert "not a regular file" in str(zero)


def test_capped_lines_refuse_a_long_record():
    lines, done = limits.capped_lines(iter(["ab\n", "cd\n", "ef\n"]), "r.csv", max_record=7)
    assert next(lines) == "ab\n" and next(lines) == "cd\n"
    done()
    assert next(lines) == "ef\n"
    lines, _done = limits.capped_lines(iter(["ab\n", "cd\n", "ef\n"]), "r.csv", max_record=7)
    next(lines), next(lines)
    with pytest.raises(Refused, match="line 3: a record"):
        next(lines)


# -- the caps' edges, and an independent count for the YAML guard --------------------------------
def test_each_cap_lets_its_limit_through_and_refuses_one_more(tmp_path, monkeypatch):
    assert check_xml(b"<a>" * 200 + b"</a>" * 200, "x") == 200  # exactly the depth allowed
    assert refusal(check_xml, b"<a>" * 201 + b"</a>" * 201, "x").found == "depth 201"
    wide = b"<r>" + b"<b/>" * 9 + b"</r>"
    assert check_xml(wide, "x", max_elements=10) == 10
    assert "at most 9 elements" in refusal(check_xml, wide, "x", max_elements=9).message
    assert "not well-formed" in refusal(check_xml, b"<a><b/>", "x").message  # never closed
    seen = []

    def no_c(name, attrs):
        seen.append(name)
        return ("cell", "no c here") if name == "c" else None

    assert check_xml(b"<a><b/></a>", "x", on_element=no_c) == 2 and seen == ["a", "b"]
    err = refusal(check_xml, b"<a>\n<b/>\n<c/></a>", "x", "member m", on_element=no_c)
    assert (err.where, err.found, err.message) == ("member m, line 3", "cell", "no c here")
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_capped(path, 100) == b"x" * 100
    refusal(read_capped, path, 99)
    lines, done = limits.capped_lines(iter(["abc", "def", "g"]), "r", max_record=7)
    assert list(lines) == ["abc", "def", "g"]  # 7 characters: exactly the cap
    limits.check_count(5, 5, "s", "w", "things")
    assert refusal(limits.check_count, 6, 5, "s", "row 6", "things").where == "row 6"
    limits.check_length(limits.MAX_LINE_CHARS, "s", "w")
    assert refusal(
        limits.check_length, limits.MAX_LINE_CHARS + 1, "s", "w", "annotation"
    ).message.startswith("an annotation")
    monkeypatch.setattr(limits, "MAX_YAML_DEPTH", 3)
    check_yaml("a: [[1]]\n", "y")  # mapping, list, list: three levels
    assert refusal(check_yaml, "a: [[[1]]]\n", "y").found == "depth 4"
    monkeypatch.setattr(limits, "MAX_YAML_ALIASES", 2)
    check_yaml("a: &x 1\nb: [*x, *x]\n", "y")
    assert refusal(check_yaml, "a: &x 1\nb: [*x, *x,\n *x]\n", "y").where == "line 3"


def test_the_member_cap_counts_exactly(tmp_path):
    caps = ZipCaps(max_members=3)
    assert len(open_zip(zip_of({"a": b"", "b": b"", "c": b""}), "z", caps).members) == 3
    assert (
        "at most 3 members"
        in refusal(open_zip, zip_of(dict.fromkeys("abcd", b"")), "z", caps).message
    )
    data = zip_of({"a": b"y" * 2_000_000})  # ratio far above 100, size above the floor
    assert open_zip(data, "z", ZipCaps(max_ratio=10_000)).read("a") == b"y" * 2_000_000
    assert open_zip(data, "z", ZipCaps(ratio_floor=2_000_000)).members == [
        "a"
    ]  # at the floor: allowed
    refusal(open_zip, data, "z", ZipCaps(ratio_floor=1_999_999))
    assert open_zip(data, "z", ZipCaps(max_member_bytes=2_000_000, max_ratio=10_000)).members == [
        "a"
    ]
    refusal(open_zip, data, "z", ZipCaps(max_member_bytes=1_999_999, max_ratio=10_000))
    two = zip_of({"a": b"1" * 600, "b": b"2" * 600})
    assert open_zip(two, "z", ZipCaps(max_total_bytes=1200)).members == ["a", "b"]
    assert "together" in refusal(open_zip, two, "z", ZipCaps(max_total_bytes=1199)).message
    archive = open_zip(zip_of({"a": b"z" * 1000}), "z", ZipCaps(max_member_bytes=1000))
    assert archive.read("a") == b"z" * 1000  # reading exactly the declared size is fine


def with_zip64_end(data: bytes, count: int | None = None) -> bytes:
    """The archive with its end record moved to the ZIP64 form, as some writers always do
    (the classic record says 0xFFFF / 0xFFFFFFFF, the real values are in the ZIP64 record)."""
    at = data.rfind(b"PK\x05\x06")
    _sig, _d, _cd, n_here, n_total, cd_size, cd_at, _c = struct.unpack(
        "<4s4H2LH", data[at : at + 22]
    )
    n = n_total if count is None else count
    end64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, cd_size, cd_at)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:at] + end64 + locator + eocd


def test_zip64_end_records_are_read_for_the_member_count():
    small = with_zip64_end(zip_of({"a.xml": b"<a/>", "b.xml": b"<b/>"}))
    assert zipfile.ZipFile(io.BytesIO(small)).namelist() == ["a.xml", "b.xml"]  # a valid archive
    assert open_zip(small, "z64.docx").read("b.xml") == b"<b/>"
    lying = with_zip64_end(zip_of({"a.xml": b"<a/>"}), count=10**9)
    err = refusal(open_zip, lying, "z64.docx")
    assert err.where == "zip directory" and err.found.startswith("1,000,000,000 members")
    plain = zip_of({f"m{i}": b"" for i in range(1001)}, zipfile.ZIP_STORED)
    assert refusal(open_zip, plain, "p.zip").found.startswith("1,001 members")


def _expanded(node, seen=()) -> int:
    """Nodes of a composed YAML document with every alias expanded (the oracle)."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        return 1 + sum(_expanded(k) + _expanded(v) for k, v in node.value)
    if isinstance(node, yaml.SequenceNode):
        return 1 + sum(_expanded(v) for v in node.value)
    return 1


@st.composite
def aliased_yaml(draw) -> str:
    """A mapping of anchored lists whose items are scalars or aliases of earlier anchors."""
    lines = []
    for i in range(draw(st.integers(1, 6))):
        items = [
            f"*a{draw(st.integers(0, i - 1))}" if i and draw(st.booleans()) else "x"
            for _ in range(draw(st.integers(0, 6)))
        ]
        lines.append(f"k{i}: &a{i} [{', '.join(items)}]")
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(doc=aliased_yaml(), cap=st.integers(1, 400))
def test_the_yaml_guard_counts_expanded_nodes_like_the_composer(doc, cap):
    import yaml

    expected = _expanded(yaml.compose(doc, Loader=yaml.SafeLoader))
    original = limits.MAX_YAML_NODES
    limits.MAX_YAML_NODES = cap
    try:
        if expected > cap:
            assert "alias bomb" in refusal(check_yaml, doc, "y").message
        else:
            check_yaml(doc, "y")
    finally:
        limits.MAX_YAML_NODES = original


def test_encrypted_members_and_drive_letter_names_are_refused():
    data = bytearray(zip_of({"a.xml": b"<a/>"}))
    at = data.find(b"PK\x01\x02")
    data[at + 8] |= 0x1  # the central directory's "encrypted" flag
    err = refusal(open_zip, bytes(data), "e.docx")
    assert (err.where, err.message) == ("member a.xml", "encrypted members are not accepted")
    for name in ("C:evil.xml", "/abs.xml", "\\\\share.xml", "a/../../b.xml"):
        assert "leave the archive" in refusal(open_zip, zip_of({name: b"x"}), "n.zip").message, name
    assert open_zip(zip_of({"a..b/c.xml": b"x"}), "ok.zip").members == ["a..b/c.xml"]
