"""The guards on untrusted input, each refusal named, each decided before inflating or building."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile

import pytest

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
