"""Importers: each reads one file format into ParsedSession objects, reporting every problem."""

from rupture_coder.importers.base import ImportError_, ImportResult, read_text, sniff_format
from rupture_coder.importers.text import parse_text_transcript

__all__ = ["ImportError_", "ImportResult", "parse_text_transcript", "read_text", "sniff_format"]
