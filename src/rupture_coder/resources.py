"""Where the bundled codebooks and demo transcripts are: inside an installed wheel
(``rupture_coder/_bundled``) or, in a source checkout, at the repository root."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the bundled folder {name!r} is missing from this installation")


def codebooks_dir() -> Path:
    return bundled_dir("codebooks")


def samples_dir() -> Path:
    return bundled_dir("sample_transcripts")


def default_codebook_path(kind: str = "individual") -> Path:
    return codebooks_dir() / f"3rs-{kind}-1.0.0.yaml"


def docs_dir() -> Path:
    """The user guide's Markdown pages (Help › User guide)."""
    return bundled_dir("docs")
