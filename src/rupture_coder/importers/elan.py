"""ELAN .eaf files (pympi-ling): one tier per speaker, one utterance per annotation."""

from __future__ import annotations

import tempfile
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession, ParsedUtterance
from rupture_coder.importers.base import ImportError_, ImportResult, file_hash
from rupture_coder.importers.checks import check_times, in_file_order, no_utterances


def parse_eaf(path: Path, data: bytes | None = None, kind: str = "individual") -> ImportResult:
    from xml.etree.ElementTree import ParseError

    from pympi.Elan import Eaf

    raw = path.read_bytes() if data is None else data
    src = str(path)
    with tempfile.NamedTemporaryFile(suffix=".eaf") as tmp:
        tmp.write(raw)
        tmp.flush()
        try:
            eaf = Eaf(tmp.name)
        except (ParseError, KeyError, ValueError, AttributeError) as exc:
            raise ImportError_(
                [ImportProblem(src, "whole file", "", f"not a readable ELAN file ({exc})")]
            ) from exc
    problems: list[ImportProblem] = []
    rows = []
    for tier in eaf.get_tier_names():
        speaker = eaf.tiers[tier][2].get("PARTICIPANT") or tier
        for n, annotation in enumerate(eaf.get_annotation_data_for_tier(tier), start=1):
            start_ms, end_ms, value = annotation[:3]
            if not str(value).strip():
                continue
            rows.append((start_ms, tier, ParsedUtterance(speaker.strip(), str(value).strip(), start_ms / 1000,
                                                         end_ms / 1000, where=f"tier {tier!r} annotation {n}")))  # fmt: skip
    rows.sort(key=lambda r: (r[0], r[1]))
    session = ParsedSession(path.stem, [u for *_k, u in rows], path.name, file_hash(raw), kind)
    if not session.utterances:
        problems.append(no_utterances(src, "no tier has annotations with text"))
    check_times(session, src, problems)
    return ImportResult([session] if session.utterances else [], in_file_order(problems))
