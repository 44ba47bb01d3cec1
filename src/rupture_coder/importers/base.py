"""What every importer shares: decoding text honestly, hashing the source, the result type."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession
from rupture_coder.errors import ImportFileError as ImportError_


@dataclass
class ImportResult:
    sessions: list[ParsedSession] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def repairable(self) -> bool:
        return all(p.repair for p in self.problems)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text(path: Path, data: bytes | None = None) -> tuple[str, str]:
    """Decode a text file: BOMs (UTF-8/16/32), then UTF-8, then UTF-16 without BOM, then cp1252.

    Returns (text with newlines normalised, encoding used). Binary files raise ImportError_.
    """
    raw = path.read_bytes() if data is None else data
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
            raise ImportError_(
                [
                    ImportProblem(
                        src, f"byte {at}", "\\x00", "this is a binary file, not a text transcript"
                    )
                ]
            )
    candidates = [encoding] if encoding else ["utf-8", "cp1252"]
    for enc in candidates:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n"), enc
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
