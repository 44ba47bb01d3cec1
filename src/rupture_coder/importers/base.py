"""What every importer shares: reading within the caps, decoding text honestly, hashing the
source, the result type."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession
from rupture_coder.errors import ImportFileError as ImportError_
from rupture_coder.limits import (
    MAX_LINES,
    MAX_UTTERANCES,
    Refused,
    check_count,
    check_length,
    read_capped,
)


@dataclass
class ImportResult:
    sessions: list[ParsedSession] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def repairable(self) -> bool:
        return all(p.repair for p in self.problems)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_source(path: Path, data: bytes | None = None) -> bytes:
    """The file's bytes, refused before reading when it is over the size cap or not a file."""
    return read_capped(path) if data is None else data


def as_import_error(refusal: Refused) -> ImportError_:
    return ImportError_(
        [ImportProblem(refusal.source, refusal.where, refusal.found, refusal.message)]
    )


def numbered_lines(text: str, src: str) -> Iterator[tuple[int, str]]:
    """(line number, line), lazily, refusing a line over the length cap or a file over the line
    cap before it is all split into memory."""
    start, n, size = 0, 0, len(text)
    while start <= size:
        end = text.find("\n", start)
        end = size if end < 0 else end
        n += 1
        check_count(n, MAX_LINES, src, f"line {n}", "lines")
        check_length(end - start, src, f"line {n}")
        yield n, text[start:end]
        start = end + 1


def count_utterance(n: int, src: str, where: str) -> None:
    check_count(n, MAX_UTTERANCES, src, where, "utterances")


def read_text(path: Path, data: bytes | None = None) -> tuple[str, str]:
    """Decode a text file: BOMs (UTF-8/16/32), then UTF-8, then UTF-16 without BOM, then cp1252.

    Returns (text with newlines normalised, encoding used). Binary files raise ImportError_.
    """
    raw = read_source(path, data)
    src = str(path)
    boms = [
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ]
    encoding = next((enc for bom, enc in boms if raw.startswith(bom)), None)
    if encoding is None and b"\x00" in raw[:4000]:
        encoding = _utf16_without_bom(raw[:4000])
        if encoding is None:
            at = raw.index(b"\x00")
            line = raw.count(b"\n", 0, at) + 1
            raise ImportError_([ImportProblem(src, f"line {line} (byte {at})", "\\x00",
                                              "a NUL byte: this is a binary file, not a text transcript")])  # fmt: skip
    candidates = [encoding] if encoding else ["utf-8", "cp1252"]
    for enc in candidates:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        at = text.find("\x00")
        if at >= 0:
            raise ImportError_([ImportProblem(src, f"line {text.count(chr(10), 0, at) + 1}", "\\x00",
                                              "a NUL character: binary data in a text file, or a damaged file")])  # fmt: skip
        return text, enc
    raise ImportError_(
        [ImportProblem(src, "whole file", "", "cannot decode the file as UTF-8, UTF-16 or cp1252")]
    )


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a BOM has NUL bytes on one side of nearly every ASCII character."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 4 or len(head) % 2:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None
