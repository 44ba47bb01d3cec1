"""Versioned codebooks: the YAML format, its validation and cross-version item mappings."""

from rupture_coder.codebook.loader import (
    Problem,
    load_codebook,
    load_codebook_file,
    parse_codebook_text,
)
from rupture_coder.codebook.model import Codebook, Item, RatingDef, Scale
from rupture_coder.errors import CodebookError

__all__ = [
    "Codebook",
    "CodebookError",
    "Item",
    "Problem",
    "RatingDef",
    "Scale",
    "load_codebook",
    "load_codebook_file",
    "parse_codebook_text",
]
