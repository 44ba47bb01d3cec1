"""Importers: each reads one file format into ParsedSession objects, reporting every problem.

All share one entry point, ``read_file``, and one result type.
"""

from __future__ import annotations

from pathlib import Path

from rupture_coder.importers.base import (
    ImportError_,
    ImportResult,
    as_import_error,
    read_source,
    read_text,
)
from rupture_coder.importers.text import parse_text_transcript
from rupture_coder.limits import Refused

FORMATS = ("text", "docx", "srt", "vtt", "csv", "tsv", "xlsx", "eaf")
_BY_EXTENSION = {
    ".txt": "text", ".text": "text", ".docx": "docx", ".srt": "srt", ".vtt": "vtt", ".csv": "csv",
    ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".eaf": "eaf",
}  # fmt: skip


def detect_format(path: Path) -> str | None:
    return _BY_EXTENSION.get(path.suffix.lower())


def read_file(
    path: Path,
    fmt: str | None = None,
    kind: str = "individual",
    overrides: dict[str, str] | None = None,
) -> ImportResult:
    """Read one transcript file; ImportError_ when it cannot be read at all.

    Whatever the file holds, this returns or raises ImportError_ naming the file and the place,
    within the caps of rupture_coder.limits (time and memory bounded by them)."""
    from rupture_coder.domain import ImportProblem
    from rupture_coder.importers.docx_import import parse_docx
    from rupture_coder.importers.elan import parse_eaf
    from rupture_coder.importers.subtitles import parse_subtitles
    from rupture_coder.importers.tabular import parse_delimited, parse_xlsx

    fmt = fmt or detect_format(path)
    if fmt is None:
        raise ImportError_([ImportProblem(str(path), "file name", path.suffix or "(none)",
                                          f"unknown transcript format; give --format ({', '.join(FORMATS)})")])  # fmt: skip
    if fmt not in FORMATS:
        raise ImportError_(
            [
                ImportProblem(
                    str(path),
                    "--format",
                    fmt,
                    f"unknown format; expected one of {', '.join(FORMATS)}",
                )
            ]
        )
    try:
        data = read_source(path)
        if fmt in ("csv", "tsv"):
            return parse_delimited(path, data, kind, overrides, "\t" if fmt == "tsv" else ",")
        if fmt == "xlsx":
            return parse_xlsx(path, data, kind, overrides)
        if fmt == "docx":
            return parse_docx(path, data, kind, overrides)
        if fmt in ("srt", "vtt"):
            return parse_subtitles(path, data, kind, vtt=fmt == "vtt")
        if fmt == "eaf":
            return parse_eaf(path, data, kind)
        return parse_text_transcript(path, data, kind)
    except Refused as refusal:
        raise as_import_error(refusal) from None


__all__ = [
    "FORMATS",
    "ImportError_",
    "ImportResult",
    "detect_format",
    "parse_text_transcript",
    "read_file",
    "read_text",
]
