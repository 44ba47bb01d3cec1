"""Caps and guards on untrusted input: every file a person hands the app passes here first.

A transcript, a codebook, a spreadsheet or a rater package can be damaged, hostile or simply huge.
The guards below refuse such input by name (the file, the line or member, what was expected)
*before* a parser or a decompressor spends time or memory on it, so that every entry point answers
in bounded time and memory. The caps are documented in docs/import.md; change both together.

Pure: no Qt, no database. Each guard raises ``Refused`` (an ``InputError``); callers turn it into
their own error (ImportFileError, CodebookError, PackageError) or let it through as it is.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from rupture_coder.errors import InputError

KiB = 1024
MiB = 1024 * KiB

MAX_FILE_BYTES = 64 * MiB  # a transcript or ELAN file, read whole (AnnoMI, 133 sessions: 2.4 MB)
MAX_TABLE_BYTES = 256 * MiB  # a tidy table given to `agreement` (1,000,000 ratings: ~40 MB)
MAX_CODEBOOK_BYTES = 1 * MiB  # the bundled codebooks are about 15 KB
MAX_LINE_CHARS = 131_072  # a text line, CSV field, spreadsheet cell, paragraph or annotation
MAX_RECORD_CHARS = 1 * MiB  # one CSV/TSV record (quoted fields may span lines)
MAX_LINES = 1_000_000  # lines of a text or subtitle file, records of a CSV, rows of a sheet
MAX_COLUMNS = 1_000  # cells in one CSV/TSV row; columns of a spreadsheet
MAX_UTTERANCES = 250_000  # utterances in one file (AnnoMI: 9,699)
MAX_SHEET_CELLS = 4_000_000  # spreadsheet rows x the columns read from them
MAX_PROBLEMS = 1_000  # problems listed for one file before it is refused as a whole
MAX_SEGMENTS = 10_000  # segments of one session (24 hours in 15-second segments: 5,760)
MAX_SESSION_S = 24 * 3600  # a time beyond 24 hours is a damaged value, not a session
MAX_XML_DEPTH = 200  # element nesting (libxml2 stops at 256; real DOCX/XLSX/ELAN stay below 30)
MAX_XML_ELEMENTS = 2_000_000  # elements in one XML document or member
MAX_YAML_DEPTH = 64  # nesting of mappings and sequences in a codebook
MAX_YAML_ALIASES = 1_000  # '*alias' references in a codebook
MAX_YAML_NODES = 200_000  # nodes of a codebook once every alias is expanded


class Refused(InputError):
    """Input refused by a guard; nothing was read further and nothing was written.

    ``where`` names the place (``line 12``, ``member word/document.xml``, ``byte 0``), ``found``
    what was there and ``message`` what was expected.
    """

    def __init__(self, source: str, where: str, found: str, message: str):
        self.source, self.where, self.found, self.message = source, where, found, message
        super().__init__(f"{source}: {where}: {message}" + (f" (found {found})" if found else ""))


def _size(n: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", MiB), ("KiB", KiB)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"


# -- whole files -------------------------------------------------------------------------------
def read_capped(path: Path, max_bytes: int = MAX_FILE_BYTES, source: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; Refused otherwise (checked before
    reading, and again while reading: a file can grow, and /proc files lie about their size)."""
    src = source or str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise Refused(src, "whole file", kind, "expected a file")
        if info.st_size > max_bytes:
            raise Refused(src, "whole file", _size(info.st_size),
                          f"the file is larger than the {_size(max_bytes)} accepted")  # fmt: skip
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise Refused(src, "whole file", "", "no such file") from None
    except OSError as exc:
        raise Refused(src, "whole file", "", f"cannot read the file: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise Refused(src, "whole file", f"more than {_size(max_bytes)}",
                      f"the file is larger than the {_size(max_bytes)} accepted")  # fmt: skip
    return data


def check_count(count: int, cap: int, source: str, where: str, what: str) -> None:
    """Refuse the ``count``-th thing of a kind once there are more than ``cap``."""
    if count > cap:
        raise Refused(source, where, f"more than {cap:,} {what}",
                      f"a file may hold at most {cap:,} {what}")  # fmt: skip


def check_length(length: int, source: str, where: str, what: str = "line") -> None:
    """Refuse a line, field, cell, paragraph or annotation longer than MAX_LINE_CHARS."""
    if length > MAX_LINE_CHARS:
        raise Refused(source, where, f"{length:,} characters",
                      f"{'an' if what[0] in 'aeiou' else 'a'} {what} may hold at most {MAX_LINE_CHARS:,} characters")  # fmt: skip


def capped_lines(
    lines: Iterable[str], source: str, max_record: int = MAX_RECORD_CHARS
) -> tuple[Iterator[str], Callable[[], None]]:
    """Feed a record reader (csv) line by line, refusing a record longer than ``max_record``.

    Returns the line iterator and a function to call after each complete record. A record is
    everything read since the last call, so a quoted field cannot grow past the cap either.
    """
    state = {"chars": 0, "line": 0}

    def feed() -> Iterator[str]:
        for line in lines:
            state["line"] += 1
            state["chars"] += len(line)
            if state["chars"] > max_record:
                raise Refused(source, f"line {state['line']}", f"more than {max_record:,} characters",
                              f"a record (row) may hold at most {max_record:,} characters")  # fmt: skip
            yield line

    def record_done() -> None:
        state["chars"] = 0

    return feed(), record_done


# -- zip archives (DOCX, XLSX, rater packages) ---------------------------------------------------
@dataclass(frozen=True)
class ZipCaps:
    """What a zip archive may hold. The ratio is checked for members above ``ratio_floor``: tiny
    members compress well and are harmless; 100 is what Apache POI allows for OOXML files."""

    max_archive_bytes: int = MAX_FILE_BYTES
    max_members: int = 1_000
    max_member_bytes: int = 64 * MiB
    max_total_bytes: int = 256 * MiB
    max_ratio: float = 100.0
    ratio_floor: int = 1 * MiB


_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_CD_ENTRY_BYTES = 2 * KiB  # generous average central-directory entry (46 bytes + name + extras)


def _directory_size(data: bytes, source: str) -> tuple[int, int]:
    """(declared member count, central directory size) from the end record, before zipfile reads
    the directory: a member-count bomb never reaches zipfile's per-member objects."""
    at = data.rfind(_EOCD, max(0, len(data) - 22 - 0xFFFF))
    if at < 0 or len(data) - at < 22:
        raise Refused(source, "whole file", "no end-of-archive record",
                      "not a readable zip archive (truncated or not a zip file)")  # fmt: skip
    _sig, _disk, _cd_disk, _n_here, count, cd_size, _cd_at, _comment = struct.unpack(
        "<4s4H2LH", data[at : at + 22]
    )
    locator = at - 20
    if (count == 0xFFFF or cd_size == 0xFFFFFFFF) and data[
        locator : locator + 4
    ] == _EOCD64_LOCATOR:
        (end64,) = struct.unpack("<Q", data[locator + 8 : locator + 16])
        if data[end64 : end64 + 4] == _EOCD64 and len(data) >= end64 + 56:
            count, cd_size = struct.unpack("<QQ", data[end64 + 32 : end64 + 48])
    return count, cd_size


class GuardedZip:
    """A zip archive whose directory passed the guard. Read members only through ``read`` and
    ``open``: they stop at the member's declared size and at the cap, whatever the data says."""

    def __init__(self, archive: zipfile.ZipFile, source: str, caps: ZipCaps):
        self._zip, self.source, self.caps = archive, source, caps
        self.infos = {info.filename: info for info in archive.infolist()}

    @property
    def members(self) -> list[str]:
        return list(self.infos)

    def __enter__(self) -> GuardedZip:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def open(self, name: str) -> BinaryIO:
        """A reader of one member that raises Refused instead of inflating past the caps."""
        info = self.infos.get(name)
        if info is None:
            raise Refused(self.source, f"member {name}", "", "no such member in the archive")
        limit = min(info.file_size, self.caps.max_member_bytes)
        try:
            raw = self._zip.open(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError, struct.error, zlib.error) as exc:  # fmt: skip
            raise Refused(self.source, f"member {name}", "", f"cannot read it: {exc}") from None
        return io.BufferedReader(_CappedMember(raw, self.source, name, limit), 64 * KiB)

    def read(self, name: str) -> bytes:
        info = self.infos.get(name)
        size = min(info.file_size, self.caps.max_member_bytes) if info is not None else 0
        with self.open(name) as fh:
            # one request for all of it (and a byte more, to see one too many): read() with no
            # size asks 8 KiB at a time, 120 inflate calls for a package's 1 MB
            return fh.read(size + 1)


class _CappedMember(io.RawIOBase):
    def __init__(self, raw, source: str, name: str, limit: int):
        self._raw, self._source, self._name, self._limit, self._seen = raw, source, name, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        want = min(len(buffer), self._limit + 1 - self._seen)
        if want <= 0:
            return 0
        try:
            chunk = self._raw.read(want)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
            raise Refused(self._source, f"member {self._name}", "",
                          f"damaged data ({exc}); the archive is corrupt or truncated") from None  # fmt: skip
        self._seen += len(chunk)
        if self._seen > self._limit:
            raise Refused(self._source, f"member {self._name}", f"more than {_size(self._limit)}",
                          "the member inflates to more than its declared size or the cap")  # fmt: skip
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def open_zip(
    data: bytes,
    source: str,
    caps: ZipCaps = ZipCaps(),
    *,
    allowed: Collection[str] | None = None,
    required: Collection[str] = (),
) -> GuardedZip:
    """Open a zip archive held in memory after checking, before anything is inflated: its size,
    the member count (from the end record, then the directory), duplicate and unsafe names,
    encryption and compression methods, each member's declared size and compression ratio, the
    declared total, and (when given) that only ``allowed`` members are present and every
    ``required`` one is. Returns the archive with the members it allowed."""
    if len(data) > caps.max_archive_bytes:
        raise Refused(source, "whole file", _size(len(data)),
                      f"the file is larger than the {_size(caps.max_archive_bytes)} accepted")  # fmt: skip
    count, cd_size = _directory_size(data, source)
    if count > caps.max_members or cd_size > caps.max_members * _CD_ENTRY_BYTES:
        raise Refused(source, "zip directory", f"{count:,} members ({_size(cd_size)} directory)",
                      f"an archive may hold at most {caps.max_members:,} members")  # fmt: skip
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError, struct.error, IndexError, KeyError) as exc:  # fmt: skip
        raise Refused(source, "whole file", "",
                      f"not a readable zip archive ({exc}); it is damaged or not this kind of file") from None  # fmt: skip
    try:
        _check_members(archive.infolist(), source, caps, allowed, required)
    except Refused:
        archive.close()
        raise
    return GuardedZip(archive, source, caps)


def _check_members(
    infos: list[zipfile.ZipInfo],
    source: str,
    caps: ZipCaps,
    allowed: Collection[str] | None,
    required: Collection[str],
) -> None:
    if len(infos) > caps.max_members:
        raise Refused(source, "zip directory", f"{len(infos):,} members",
                      f"an archive may hold at most {caps.max_members:,} members")  # fmt: skip
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        name, where = info.filename, f"member {info.filename}"
        key = name.replace("\\", "/").lstrip("/").casefold()
        if key in seen:
            raise Refused(source, where, f"also named {seen[key]!r}",
                          "two members of the archive have the same name")  # fmt: skip
        seen[key] = name
        if _unsafe_name(name):
            raise Refused(source, where, name, "a member name may not leave the archive's folder")
        if allowed is not None and name not in allowed:
            raise Refused(source, where, name,
                          f"unexpected member; expected only {', '.join(sorted(allowed))}")  # fmt: skip
        if info.flag_bits & 0x1:
            raise Refused(source, where, "encrypted", "encrypted members are not accepted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(source, where, f"compression method {info.compress_type}",
                          "expected stored or deflated members")  # fmt: skip
        if info.file_size > caps.max_member_bytes:
            raise Refused(source, where, f"{_size(info.file_size)} declared",
                          f"a member may inflate to at most {_size(caps.max_member_bytes)}")  # fmt: skip
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > caps.ratio_floor and ratio > caps.max_ratio:
            raise Refused(source, where, f"{_size(info.compress_size)} inflating to {_size(info.file_size)}",
                          f"compressed more than {caps.max_ratio:g} to 1 (a zip bomb?)")  # fmt: skip
        total += info.file_size
        if total > caps.max_total_bytes:
            raise Refused(source, where, f"more than {_size(caps.max_total_bytes)} in all",
                          f"the members may inflate to at most {_size(caps.max_total_bytes)} together")  # fmt: skip
    missing = sorted(set(required) - set(seen.values()))
    if missing:
        raise Refused(source, "zip directory", ", ".join(seen.values()) or "no members",
                      f"missing member(s) {', '.join(missing)}")  # fmt: skip


# -- XML -------------------------------------------------------------------------------------------
def check_xml(
    data: bytes | BinaryIO,
    source: str,
    where: str = "whole file",
    max_depth: int = MAX_XML_DEPTH,
    max_elements: int = MAX_XML_ELEMENTS,
    on_element: Callable[[str, dict[str, str]], tuple[str, str] | None] | None = None,
) -> int:
    """Stream an XML document through expat and refuse, at the first offence: a DTD (entity
    expansion and external entities hide there; DOCX, XLSX and ELAN never need one), nesting deeper
    than ``max_depth``, more than ``max_elements`` elements, or malformed XML. Returns the element
    count. Nothing is kept in memory, so a parser run afterwards sees only a checked document.
    ``on_element(name, attributes)`` may return (found, expected) to refuse an element too."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    state = {"depth": 0, "elements": 0}

    def refuse(found: str, message: str) -> Refused:
        return Refused(source, f"{where}, line {parser.CurrentLineNumber}", found, message)

    def start(name, attrs) -> None:
        state["depth"] += 1
        state["elements"] += 1
        if state["depth"] > max_depth:
            raise refuse(f"depth {state['depth']}", f"XML nested deeper than {max_depth} elements")
        if state["elements"] > max_elements:
            raise refuse(f"more than {max_elements:,} elements",
                         f"an XML document may hold at most {max_elements:,} elements")  # fmt: skip
        if on_element is not None and (offence := on_element(name, attrs)) is not None:
            raise refuse(*offence)

    def end(_name) -> None:
        state["depth"] -= 1

    def doctype(name, *_args) -> None:
        raise refuse(f"<!DOCTYPE {name}>", "a document type declaration (DTD) is not accepted")

    def entity(name, *_args) -> None:
        raise refuse(f"<!ENTITY {name}>", "entity declarations are not accepted")

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = lambda *_a: 0
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        while chunk := stream.read(256 * KiB):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Refused(source, f"{where}, line {exc.lineno}", "",
                      f"not well-formed XML ({expat.ErrorString(exc.code)})") from None  # fmt: skip
    return state["elements"]


# -- YAML ------------------------------------------------------------------------------------------
def check_yaml(text: str, source: str) -> None:
    """Refuse a YAML document before it is built: longer than MAX_CODEBOOK_BYTES, nested deeper
    than MAX_YAML_DEPTH, more than MAX_YAML_ALIASES aliases, an alias inside its own anchor, or
    more than MAX_YAML_NODES nodes once every alias is expanded (a "billion laughs" bomb is a few
    hundred bytes). One pass over the parser's events, no recursion. Malformed YAML is left to the
    loader, which reports it with its line."""
    import yaml

    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_CODEBOOK_BYTES:
        raise Refused(source, "whole file", _size(size),
                      f"a codebook may be at most {_size(MAX_CODEBOOK_BYTES)}")  # fmt: skip
    anchored: dict[str, int] = {}  # anchor -> nodes it stands for, expanded
    open_collections: list[tuple[int, str | None]] = []  # (nodes before it, its anchor)
    total = aliases = 0

    def refuse(event, found: str, message: str) -> Refused:
        return Refused(source, f"line {event.start_mark.line + 1}", found, message)

    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_YAML_ALIASES:
                    raise refuse(event, f"more than {MAX_YAML_ALIASES:,} aliases",
                                 f"a codebook may use at most {MAX_YAML_ALIASES:,} aliases")  # fmt: skip
                if any(anchor == event.anchor for _n, anchor in open_collections):
                    raise refuse(event, f"*{event.anchor}",
                                 "an alias may not refer to the node that contains it")  # fmt: skip
                total += anchored.get(event.anchor, 1)
            elif isinstance(event, yaml.ScalarEvent):
                total += 1
                if event.anchor:
                    anchored[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                if len(open_collections) >= MAX_YAML_DEPTH:
                    raise refuse(event, f"depth {len(open_collections) + 1}",
                                 f"YAML nested deeper than {MAX_YAML_DEPTH} levels")  # fmt: skip
                open_collections.append((total, event.anchor))
                total += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                before, anchor = open_collections.pop()
                if anchor:
                    anchored[anchor] = total - before
            if total > MAX_YAML_NODES:
                raise refuse(event, f"more than {MAX_YAML_NODES:,} nodes",
                             f"expanding the aliases would build more than {MAX_YAML_NODES:,} "
                             "nodes (an alias bomb?)")  # fmt: skip
    except yaml.YAMLError:
        return  # the loader reports malformed YAML with its line
