"""Damaged and hostile inputs, made from the project's own samples.

Shared by the fuzz tests (tests/test_hostile_inputs.py) and the attack run of the benchmarks
(bench/bench_hostile.py). Everything is generated: bombs are built at run time and stay small.
"""

from __future__ import annotations

import csv
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_transcripts"
CODEBOOKS = ROOT / "codebooks"
FORMATS = ("txt", "srt", "vtt", "csv", "tsv", "docx", "xlsx", "eaf")
MiB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str  # family/variant, for the report
    filename: str  # the extension decides the importer
    data: bytes


# -- seeds: every format, made from the samples --------------------------------------------------
def _utterances(name: str = "individual-session-07.txt") -> list[tuple[float, str, str]]:
    out = []
    for line in (SAMPLES / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            stamp, rest = line[1:].split("] ", 1)
            speaker, text = rest.split(": ", 1)
            h, m, s = (int(x) for x in stamp.split(":"))
            out.append((h * 3600 + m * 60 + s, speaker, text))
    return out


def _clock(seconds: float, sep: str = ".") -> str:
    ms = round(seconds * 1000)
    return (
        f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"
    )


def vtt_seed() -> bytes:
    rows = _utterances()
    cues = ["WEBVTT", ""]
    for (t, who, text), nxt in zip(rows, rows[1:] + [(rows[-1][0] + 4, "", "")], strict=True):
        cues += [f"{_clock(t)} --> {_clock(nxt[0])}", f"<v {who}>{text}", ""]
    return "\n".join(cues).encode()


def table_seed(delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["session", "turn", "speaker", "start", "text"])
    for n, (t, who, text) in enumerate(_utterances(), start=1):
        writer.writerow(["7", n, who, _clock(t)[:8], text])
    return out.getvalue().encode()


def xlsx_seed() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["session", "turn", "speaker", "start", "text"])
    for n, (t, who, text) in enumerate(_utterances(), start=1):
        sheet.append([7, n, who, _clock(t)[:8], text])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def eaf_seed(unaligned: bool = False) -> bytes:
    """An ELAN 3.0 document with one tier per speaker; ``unaligned``: every other turn of the
    therapist is split in two utterances joined by a slot without a time (ELAN fills it in)."""
    rows = _utterances()
    slots, tiers = [], {"T": [], "P": []}

    def slot(ms: int | None) -> str:
        sid = f"ts{len(slots) + 1}"
        slots.append(
            f'<TIME_SLOT TIME_SLOT_ID="{sid}"'
            + (f' TIME_VALUE="{ms}"/>' if ms is not None else "/>")
        )
        return sid

    def annotation(who: str, a: str, b: str, text: str) -> None:
        n = sum(len(v) for v in tiers.values()) + 1
        value = text.replace("&", "&amp;").replace("<", "&lt;")
        tiers[who].append(
            f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a{n}" TIME_SLOT_REF1="{a}" '
            f'TIME_SLOT_REF2="{b}"><ANNOTATION_VALUE>{value}</ANNOTATION_VALUE>'
            "</ALIGNABLE_ANNOTATION></ANNOTATION>"
        )

    for n, ((t, who, text), nxt) in enumerate(
        zip(rows, rows[1:] + [(rows[-1][0] + 4,)], strict=True)
    ):
        start = slot(int(t * 1000))
        words = text.split(" ")
        if unaligned and who == "T" and n % 4 == 0 and len(words) > 1:
            middle = slot(None)
            end = slot(int(nxt[0] * 1000) - 1)
            half = len(words) // 2
            annotation(who, start, middle, " ".join(words[:half]))
            annotation(who, middle, end, " ".join(words[half:]))
        else:
            annotation(who, start, slot(int(nxt[0] * 1000) - 1), text)
    body = "\n".join(
        f'<TIER TIER_ID="{who}" LINGUISTIC_TYPE_REF="default-lt" PARTICIPANT="{who}">'
        + "\n".join(annotations)
        + "</TIER>"
        for who, annotations in tiers.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ANNOTATION_DOCUMENT AUTHOR="" DATE="2024-01-01T00:00:00+00:00" FORMAT="3.0" VERSION="3.0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">\n'
        '<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>\n'
        f"<TIME_ORDER>{''.join(slots)}</TIME_ORDER>\n{body}\n"
        '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="default-lt" TIME_ALIGNABLE="true" GRAPHIC_REFERENCES="false"/>\n'
        "</ANNOTATION_DOCUMENT>\n"
    ).encode()


def seeds() -> dict[str, list[bytes]]:
    """Valid files of every format; each imports without a refusal."""
    return {
        "txt": [(SAMPLES / n).read_bytes() for n in ("individual-session-07.txt", "group-skills-session-03.txt")],
        "srt": [(SAMPLES / "individual-session-07.srt").read_bytes()],
        "vtt": [vtt_seed()],
        "csv": [(SAMPLES / "group-skills-sessions.csv").read_bytes(), table_seed(",")],
        "tsv": [table_seed("\t")],
        "docx": [(SAMPLES / n).read_bytes() for n in ("group-skills-session-03.docx", "group-skills-session-04.docx")],
        "xlsx": [xlsx_seed()],
        "eaf": [eaf_seed(), eaf_seed(unaligned=True)],
    }  # fmt: skip


# -- zip surgery ----------------------------------------------------------------------------------
def rezip(
    data: bytes, replace: dict[str, bytes | None], method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """The archive with some members replaced (None: removed) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", method) as dst:
        for info in src.infolist():
            if info.filename in replace:
                continue
            dst.writestr(info.filename, src.read(info))
        for name, body in replace.items():
            if body is not None:
                dst.writestr(name, body)
    return out.getvalue()


def deflated_zeros(size: int) -> tuple[bytes, int]:
    """(raw deflate stream of ``size`` zero bytes, crc) made in pieces: small, whatever the size."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk, crc, parts = b"\0" * MiB, 0, []
    for _ in range(size // MiB):
        parts.append(comp.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    parts.append(comp.flush())
    return b"".join(parts), crc


def bomb_zip(
    members: dict[str, bytes], bomb_name: str, size: int, declared: int | None = None
) -> bytes:
    """A zip of ``members`` plus ``bomb_name`` inflating to ``size`` zero bytes; ``declared``
    makes the directory lie about the uncompressed size."""
    stream, crc = deflated_zeros(size)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    archive = out.getvalue()
    end = archive.rfind(b"PK\x05\x06")
    cd_at = struct.unpack_from("<L", archive, end + 16)[0]
    local, central = archive[:cd_at], archive[cd_at:end]
    count = struct.unpack_from("<H", archive, end + 10)[0]
    name = bomb_name.encode()
    usize = size if declared is None else declared
    header = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(stream), usize, len(name), 0
    )
    entry = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(stream), usize,
                        len(name), 0, 0, 0, 0, 0, len(local))  # fmt: skip
    new_local = local + header + name + stream
    new_central = central + entry + name
    eocd = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, count + 1, count + 1, len(new_central), len(new_local), 0
    )
    return new_local + new_central + eocd


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/worksheets/sheet1.xml"}
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>\n"
)  # fmt: skip
EXTERNAL = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>\n'


def _with_dtd(xml: bytes, dtd: bytes, ref: bytes) -> bytes:
    """The document with a DTD before its root and an entity reference inside its first text."""
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    at = body.find(b"</", body.find(b">") + 1)
    return dtd + body[:at] + ref + body[at:]


def deep_xml(depth: int, tag: bytes = b"a") -> bytes:
    return b"<%s>" % tag * depth + b"</%s>" % tag * depth


# -- mutation families ----------------------------------------------------------------------------
def byte_flips(data: bytes, rng: random.Random, flips: int) -> bytes:
    out = bytearray(data)
    for _ in range(flips):
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncations(data: bytes) -> Iterator[tuple[str, bytes]]:
    for frac in (0.01, 0.1, 0.33, 0.5, 0.9, 0.99):
        yield f"{frac:.0%}", data[: max(1, int(len(data) * frac))]
    yield "minus-1", data[:-1]
    yield "empty", b""


def encodings(data: bytes) -> Iterator[tuple[str, bytes]]:
    text = data.decode("utf-8", "replace")
    yield "utf-16-le-nobom", text.encode("utf-16-le")
    yield "utf-16-be-bom", b"\xfe\xff" + text.encode("utf-16-be")
    yield "utf-32-nobom", text.encode("utf-32-le")
    yield "utf-32-bom", text.encode("utf-32")
    yield "latin-1-umlauts", ("Ä" + text.replace("e", "é")).encode("latin-1", "replace")
    yield "invalid-utf8", data[:50] + b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc" + data[50:]
    yield "bom-then-garbage", b"\xef\xbb\xbf" + bytes(range(256))
    yield "utf-16-odd-length", b"\xff\xfe" + text.encode("utf-16-le")[:-1]
    yield "cp1252-undefined", data[:30] + b"\x81\x8d\x8f\x90\x9d" + data[30:]
    yield "shift-jis", text.encode("shift_jis", "replace")


def nuls(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    yield "nul-prefix", b"\0" + data
    yield "nul-middle", data[: len(data) // 2] + b"\0" + data[len(data) // 2 :]
    yield "nul-late", data[:-3] + b"\0\0\0" + data[-3:]
    yield "all-nul", b"\0" * 4096
    at = sorted(rng.randrange(len(data)) for _ in range(20))
    out = bytearray(data)
    for i in reversed(at):
        out[i:i] = b"\0"
    yield "nul-scattered", bytes(out)


def text_cases(fmt: str, seed: bytes, rng: random.Random, big: bool) -> Iterator[tuple[str, bytes]]:
    """Huge lines and structural oddities for the text-based formats."""
    huge = 20 * MiB if big else 300_000
    first, _sep, rest = seed.partition(b"\n")
    yield "huge-line", first + b"\n" + b"T: " + b"word " * (huge // 5) + b"\n" + rest
    yield "huge-line-no-newline", b"x" * huge
    yield "spaces-line", b"T" + b" " * (huge // 10) + b"x\n" + seed
    yield "bracket-line", b"[" + b"0" * (huge // 10) + b"\n" + seed
    yield "many-blank-lines", b"\n" * (5 * MiB if big else 200_000) + seed
    yield "many-continuations", seed + b"more words\n" * (600_000 if big else 50_000)
    yield "cr-only", seed.replace(b"\n", b"\r")
    yield "time-beyond-24h", seed.replace(b"00:00:", b"99999999:00:", 3)
    yield (
        "time-huge-number",
        seed.replace(b"00:00:04", b"1" * 400, 1).replace(b"00:00:04,000", b"1" * 400, 1),
    )
    yield "tags-and-brackets", (b"<a" * (huge // 20)) + b"\n" + seed
    if fmt in ("csv", "tsv"):
        d = b"," if fmt == "csv" else b"\t"
        header = seed.split(b"\n", 1)[0]
        yield (
            "field-over-limit",
            header
            + b"\n7"
            + d
            + b"1"
            + d
            + b"T"
            + d
            + b"00:00:01"
            + d
            + b'"'
            + b"w" * 200_000
            + b'"\n',
        )
        yield "unclosed-quote", seed + b'7,99,P,00:59:00,"never closed\n' + b"more\n" * 1000
        yield "many-columns", header + b"\n" + d * (huge // 2) + b"\n"
        yield (
            "many-rows",
            header
            + b"\n"
            + b"7"
            + d
            + b"1"
            + d
            + b"T"
            + d
            + d
            + b"x\n" * (300_000 if big else 20_000),
        )
        yield "header-only", header + b"\n"
        yield "no-header", b"\n\n\n"
    if fmt in ("srt", "vtt"):
        yield (
            "no-timing",
            b"WEBVTT\n\n" + b"just words\n" * 1000 if fmt == "vtt" else b"1\njust words\n",
        )
        yield "arrow-garbage", seed.replace(b" --> ", b" --> --> ", 5)
        yield "one-huge-cue", seed.split(b"\n\n")[0] + b"\n" + b"text line\n" * (huge // 10)


def xml_cases(fmt: str, seed: bytes, big: bool) -> Iterator[tuple[str, bytes]]:
    """Entity expansion, external entities, deep nesting, many elements: in the EAF itself or
    inside a DOCX/XLSX member."""
    depth = 1_000_000 if big else 50_000
    if fmt == "eaf":
        yield "billion-laughs", _with_dtd(seed, LAUGHS, b"&lol9;")
        yield "external-entity", _with_dtd(seed, EXTERNAL, b"&ext;")
        yield (
            "deep-nesting",
            seed.replace(b"</HEADER>", b"").replace(
                b'TIME_UNITS="milliseconds"/>',
                b'TIME_UNITS="milliseconds">' + deep_xml(depth) + b"</HEADER>",
            ),
        )
        yield "deep-root", deep_xml(depth, b"ANNOTATION_DOCUMENT")
        yield (
            "many-elements",
            seed.replace(
                b"</TIME_ORDER>", b"<X/>" * (3_000_000 if big else 100_000) + b"</TIME_ORDER>"
            ),
        )
        return
    part = MAIN_PART[fmt]
    xml = members_of(seed)[part]
    yield "billion-laughs", rezip(seed, {part: _with_dtd(xml, LAUGHS, b"&lol9;")})
    yield "external-entity", rezip(seed, {part: _with_dtd(xml, EXTERNAL, b"&ext;")})
    at = xml.rfind(b"</")
    yield "deep-nesting", rezip(seed, {part: xml[:at] + deep_xml(depth) + xml[at:]})
    yield (
        "many-elements",
        rezip(seed, {part: xml[:at] + b"<x/>" * (3_000_000 if big else 100_000) + xml[at:]}),
    )
    yield "not-xml", rezip(seed, {part: b"this is not xml"})
    yield (
        "utf16-member",
        rezip(
            seed,
            {
                part: xml.decode("utf-8")
                .replace('encoding="UTF-8"', 'encoding="UTF-16"')
                .encode("utf-16")
            },
        ),
    )
    yield "missing-main-part", rezip(seed, {part: None})
    yield "missing-content-types", rezip(seed, {"[Content_Types].xml": None})


def zip_cases(fmt: str, seed: bytes, big: bool) -> Iterator[tuple[str, bytes]]:
    members = members_of(seed)
    part = MAIN_PART[fmt]
    size = 1024 * MiB if big else 96 * MiB
    others = {k: v for k, v in members.items() if k != part}
    yield "bomb-honest", bomb_zip(others, part, size)
    yield "bomb-lying-size", bomb_zip(others, part, size, declared=len(members[part]))
    yield (
        "bomb-extra-member",
        bomb_zip(members, "word/media/pad.bin" if fmt == "docx" else "xl/media/pad.bin", size),
    )
    yield (
        "many-members",
        rezip(
            seed,
            {f"junk/{i}.xml": b"" for i in range(20_000 if big else 3_000)},
            zipfile.ZIP_STORED,
        ),
    )
    yield "stored-not-deflated", rezip(seed, {}, zipfile.ZIP_STORED)
    yield "bzip2-members", rezip(seed, {}, zipfile.ZIP_BZIP2)
    dup = io.BytesIO()
    with zipfile.ZipFile(dup, "w") as z:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, body in members.items():
                z.writestr(name, body)
            z.writestr(part, b"<x/>")
    yield "duplicate-member", dup.getvalue()
    yield "not-a-zip", b"PK\x03\x04" + seed[4:200]
    yield "zip-of-nothing", rezip(seed, dict.fromkeys(members))


def structure_cases(fmt: str, seed: bytes) -> Iterator[tuple[str, bytes]]:
    """Shapes a parser may not expect, per format."""
    if fmt == "eaf":
        yield "unaligned-slots", eaf_seed(unaligned=True)
        yield (
            "no-schema-location",
            seed.replace(
                b' xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd"', b""
            ),
        )
        yield "bad-slot-ref", seed.replace(b'TIME_SLOT_REF1="ts3"', b'TIME_SLOT_REF1="ts999999"', 1)
        yield "slot-not-a-number", seed.replace(b'TIME_VALUE="15000"', b'TIME_VALUE="fifteen"', 1)
        yield "slot-negative", seed.replace(b'TIME_VALUE="15000"', b'TIME_VALUE="-15000"', 1)
        yield (
            "slot-huge",
            seed.replace(b'TIME_VALUE="15000"', b'TIME_VALUE="' + b"9" * 30 + b'"', 1),
        )
        yield (
            "no-slot-ids-digits",
            seed.replace(b'TIME_SLOT_ID="ts1"', b'TIME_SLOT_ID="start"').replace(
                b'TIME_SLOT_REF1="ts1"', b'TIME_SLOT_REF1="start"'
            ),
        )
        yield "no-annotation-id", seed.replace(b'ANNOTATION_ID="a1" ', b"", 1)
        yield "no-tier-id", seed.replace(b'TIER_ID="T" ', b"", 1)
        yield "wrong-root", b'<?xml version="1.0"?><html><body/></html>'
        yield "no-version", seed.replace(b' VERSION="3.0"', b"")
        yield "all-unaligned", seed.replace(b' TIME_VALUE="', b' X="')
        yield (
            "ref-annotation-loop",
            seed.replace(
                b"</TIER>",
                b'</TIER><TIER TIER_ID="c" PARENT_REF="c" LINGUISTIC_TYPE_REF="default-lt"><ANNOTATION><REF_ANNOTATION ANNOTATION_ID="r1" ANNOTATION_REF="r1"><ANNOTATION_VALUE>x</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION></TIER>',
                1,
            ),
        )
        yield (
            "value-huge",
            seed.replace(b"<ANNOTATION_VALUE>", b"<ANNOTATION_VALUE>" + b"w" * 300_000, 1),
        )
    elif fmt == "xlsx":
        members = members_of(seed)
        sheet = members[MAIN_PART[fmt]]
        yield (
            "dimension-huge",
            rezip(
                seed,
                {
                    MAIN_PART[fmt]: sheet.replace(
                        b'<dimension ref="A1:E54"/>', b'<dimension ref="A1:XFD1048576"/>'
                    )
                },
            ),
        )
        yield "far-column", rezip(seed, {MAIN_PART[fmt]: sheet.replace(b'r="E2"', b'r="XFD2"', 1)})
        yield (
            "far-row",
            rezip(seed, {MAIN_PART[fmt]: sheet.replace(b'<row r="54"', b'<row r="999999999"', 1)}),
        )
        yield (
            "bad-shared-string",
            rezip(
                seed,
                {
                    MAIN_PART[fmt]: sheet.replace(b"<v>", b"<v>99999", 1).replace(
                        b'<c r="A2"', b'<c t="s" r="A2"', 1
                    )
                },
            ),
        )
        yield (
            "no-sheets",
            rezip(
                seed,
                {
                    "xl/workbook.xml": members["xl/workbook.xml"].split(b"<sheets>")[0]
                    + b"<sheets/></workbook>"
                },
            ),
        )
        yield (
            "bad-cell-type",
            rezip(seed, {MAIN_PART[fmt]: sheet.replace(b'<c r="B2"', b'<c t="zz" r="B2"', 1)}),
        )
        yield (
            "bad-number",
            rezip(seed, {MAIN_PART[fmt]: sheet.replace(b"<v>1</v>", b"<v>one</v>", 1)}),
        )
        yield (
            "bad-style-index",
            rezip(seed, {MAIN_PART[fmt]: sheet.replace(b'<c r="B2"', b'<c s="99999" r="B2"', 1)}),
        )
    elif fmt == "docx":
        members = members_of(seed)
        doc = members[MAIN_PART[fmt]]
        yield "bad-rels", rezip(seed, {"word/_rels/document.xml.rels": b"<Relationships/>"})
        yield "no-rels", rezip(seed, {"_rels/.rels": None})
        yield (
            "vmerge-chain",
            rezip(
                seed,
                {MAIN_PART[fmt]: doc.replace(b"<w:tcPr>", b'<w:tcPr><w:vMerge w:val="continue"/>')},
            ),
        )
        yield (
            "gridspan-huge",
            rezip(
                seed,
                {
                    MAIN_PART[fmt]: doc.replace(
                        b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="99999999"/>', 1
                    )
                },
            ),
        )
        yield (
            "undeclared-prefix",
            rezip(seed, {MAIN_PART[fmt]: doc.replace(b"<w:body>", b"<w:body><zz:x/>", 1)}),
        )
        yield (
            "bad-style-ref",
            rezip(
                seed,
                {MAIN_PART[fmt]: doc.replace(b"<w:pPr>", b'<w:pPr><w:pStyle w:val="Nope"/>', 1)},
            ),
        )
        yield "styles-missing", rezip(seed, {"word/styles.xml": None})
        yield "core-props-broken", rezip(seed, {"docProps/core.xml": b"<cp:coreProperties>"})
        yield (
            "wrong-content-type",
            rezip(
                seed,
                {
                    "[Content_Types].xml": members["[Content_Types].xml"].replace(
                        b"wordprocessingml.document.main", b"spreadsheetml.sheet.main"
                    )
                },
            ),
        )


def cases(fmt: str, seed: bytes, rng: random.Random, big: bool = False) -> Iterator[Case]:
    """Every hostile variant of one seed. ``big``: the attack run's sizes (1 GB bombs, 1M-deep
    nesting); otherwise sizes that keep the test suite fast but still cross every cap."""
    ext = f".{fmt}"

    def case(family: str, data: bytes) -> Case:
        return Case(f"{fmt}/{family}", f"{family.replace('/', '-')}{ext}", data)

    for flips in (1, 3, 10, 50, 200):
        for k in range(3):
            yield case(f"flip-{flips}-{k}", byte_flips(seed, rng, flips))
    for name, data in truncations(seed):
        yield case(f"truncated-{name}", data)
    for name, data in nuls(seed, rng):
        yield case(name, data)
    yield case("random-bytes", rng.randbytes(4096))
    if fmt in ("docx", "xlsx"):
        yield from (case(n, d) for n, d in xml_cases(fmt, seed, big))
        yield from (case(n, d) for n, d in zip_cases(fmt, seed, big))
        yield from (case(n, d) for n, d in structure_cases(fmt, seed))
        return
    for name, data in encodings(seed):
        yield case(name, data)
    if fmt == "eaf":
        yield from (case(n, d) for n, d in xml_cases(fmt, seed, big))
        yield from (case(n, d) for n, d in structure_cases(fmt, seed))
        yield case("huge-line-no-newline", b"<" * (20 * MiB if big else 300_000))
    else:
        yield from (case(n, d) for n, d in text_cases(fmt, seed, rng, big))


# -- codebooks ------------------------------------------------------------------------------------
def codebook_cases(rng: random.Random, big: bool = False) -> Iterator[Case]:
    seed = (CODEBOOKS / "3rs-individual-1.0.0.yaml").read_bytes()
    names = "abcdefghij"
    laughs = "a: &a ['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol']\n" + "".join(
        f"{names[i]}: &{names[i]} [{', '.join([f'*{names[i - 1]}'] * 9)}]\n" for i in range(1, 10)
    )

    def case(family: str, data: bytes) -> Case:
        return Case(f"codebook/{family}", f"{family}.yaml", data)

    yield case("alias-bomb", laughs.encode())
    yield case(
        "alias-bomb-in-codebook",
        seed + b"\nx_bomb:\n" + b"".join(b"  " + ln.encode() + b"\n" for ln in laughs.splitlines()),
    )
    yield case("recursive-alias", b"a: &a [1, *a]\n")
    yield case(
        "deep-nesting", b"[" * (100_000 if big else 10_000) + b"]" * (100_000 if big else 10_000)
    )
    yield case("deep-mapping", b"".join(b"  " * i + b"k:\n" for i in range(2000)))
    yield case("huge-file", seed + b"\n# " + b"x" * (5 * MiB if big else 2 * MiB) + b"\n")
    yield case("huge-scalar", b"id: '" + b"x" * (5 * MiB if big else 2 * MiB) + b"'\n")
    yield case("many-aliases", b"a: &a 1\nb: [" + b", ".join([b"*a"] * 5000) + b"]\n")
    yield case("undefined-alias", b"a: *nope\n")
    yield case("tabs", seed.replace(b"  ", b"\t", 5))
    yield case("python-tag", b"!!python/object/apply:os.system ['echo pwned']\n")
    yield case("binary", bytes(range(256)) * 10)
    yield case("utf16", seed.decode("utf-8").encode("utf-16"))
    yield case("nul", seed[:100] + b"\0" + seed[100:])
    yield case("empty", b"")
    for name, data in truncations(seed):
        yield case(f"truncated-{name}", data)
    for flips in (1, 5, 20):
        for k in range(3):
            yield case(f"flip-{flips}-{k}", byte_flips(seed, rng, flips))


def all_cases(big: bool = False, seed: int = 14) -> Iterator[Case]:
    rng = random.Random(seed)
    for fmt, datas in seeds().items():
        for data in datas:
            yield from cases(fmt, data, rng, big)
    yield from codebook_cases(rng, big)
