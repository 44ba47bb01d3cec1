"""What every importer shares: decoding text honestly, hashing the source, the result type."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession


class ImportError_(ValueError):
    """An import was refused; ``problems`` lists every reason. Nothing was written."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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
    if encoding is None and raw[:4000].count(b"\x00") > len(raw[:4000]) // 4 and len(raw) > 1:
        encoding = "utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"
    if encoding is None and b"\x00" in raw[:4000]:
        raise ImportError_(
            [
                ImportProblem(
                    src,
                    "byte " + str(raw.index(b"\x00")),
                    "\\x00",
                    "this is a binary file, not a text transcript",
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


def sniff_format(path: Path) -> str:
    ext = path.suffix.lower().lstrip(".")
    return {"txt": "text", "text": "text"}.get(ext, ext)
