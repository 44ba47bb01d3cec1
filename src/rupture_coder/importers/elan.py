"""ELAN .eaf files: one speaker per top-level tier, one utterance per annotation.

Read with defusedxml after the XML guard of rupture_coder.limits, not with pympi's parser: that
parser refuses valid files (no ``xsi:noNamespaceSchemaLocation``), fails on unaligned time slots
and reports damage as a bare Exception or KeyError. Here every damaged element is named (tier,
annotation, time slot) and, where it can be, repaired.

Time slots without a TIME_VALUE are valid ELAN ("unaligned"): as ELAN does, they take their time
from their neighbours, spread evenly between the nearest aligned slots of the tier's chain of
annotations (a turn split into utterances where only the turn's ends are aligned), else of the
document's time order. Dependent tiers (those with a PARENT_REF: subdivisions, translations,
glosses, notes) describe the utterances of their parent and are not imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession, ParsedUtterance
from rupture_coder.importers.base import (
    ImportError_,
    ImportResult,
    count_utterance,
    file_hash,
    read_source,
)
from rupture_coder.importers.checks import Problems, check_times, in_file_order, no_utterances
from rupture_coder.limits import MAX_SESSION_S, check_length, check_xml


@dataclass
class _Slot:
    order: int  # position in TIME_ORDER
    ms: float | None  # None: unaligned


@dataclass
class _Annotation:
    tier: str
    speaker: str
    id: str
    start: str
    end: str
    text: str
    where: str


def _root(raw: bytes, src: str):
    import defusedxml.ElementTree as SafeET

    check_xml(raw, src)
    try:
        root = SafeET.fromstring(raw)
    except Exception as exc:  # noqa: BLE001 - the guard passed; report anything left by name
        raise ImportError_([ImportProblem(src, "whole file", type(exc).__name__,
                                          f"not a readable ELAN file ({str(exc)[:200]})")]) from None  # fmt: skip
    if root.tag != "ANNOTATION_DOCUMENT":
        raise ImportError_([ImportProblem(src, "root element", str(root.tag)[:80],
                                          "not an ELAN file: expected <ANNOTATION_DOCUMENT>")])  # fmt: skip
    return root


def _slots(root, src: str, problems: list[ImportProblem]) -> dict[str, _Slot]:
    slots: dict[str, _Slot] = {}
    for order, el in enumerate(root.iterfind("TIME_ORDER/TIME_SLOT")):
        sid = el.get("TIME_SLOT_ID")
        if not sid:
            problems.append(ImportProblem(src, f"time slot {order + 1}", "", "a time slot without TIME_SLOT_ID",
                                          repair="ignore the time slot"))  # fmt: skip
            continue
        value, ms = el.get("TIME_VALUE"), None
        if value is not None:
            if (
                value.strip().isascii()
                and value.strip().isdigit()
                and int(value) <= MAX_SESSION_S * 1000
            ):
                ms = float(int(value))
            else:
                problems.append(ImportProblem(src, f"time slot {sid}", value[:40],
                                              "TIME_VALUE: expected whole milliseconds from 0 to 24 hours",
                                              repair="treat the slot as unaligned (time from its neighbours)"))  # fmt: skip
        if sid in slots:
            problems.append(ImportProblem(src, f"time slot {sid}", sid, "two time slots have this id",
                                          repair="use the first"))  # fmt: skip
            continue
        slots[sid] = _Slot(len(slots), ms)
    return slots


def _annotations(root, src: str, problems: list[ImportProblem]) -> list[_Annotation]:
    out: list[_Annotation] = []
    for t, tier in enumerate(root.iterfind("TIER"), start=1):
        tier_id = tier.get("TIER_ID")
        if not tier_id:
            problems.append(ImportProblem(src, f"tier {t}", "", "a tier without TIER_ID",
                                          repair="use 'Tier N' as its name"))  # fmt: skip
            tier_id = f"Tier {t}"
        if tier.get("PARENT_REF"):
            continue  # a dependent tier annotates its parent's utterances
        speaker = (tier.get("PARTICIPANT") or "").strip() or tier_id
        for n, el in enumerate(tier.iterfind("ANNOTATION/ALIGNABLE_ANNOTATION"), start=1):
            aid = el.get("ANNOTATION_ID") or f"#{n}"
            where = f"tier {tier_id!r} annotation {aid}"
            text = "".join(el.findtext("ANNOTATION_VALUE") or "").strip()
            check_length(len(text), src, where, "annotation")
            start, end = el.get("TIME_SLOT_REF1"), el.get("TIME_SLOT_REF2")
            if not start or not end:
                problems.append(ImportProblem(src, where, "", "an annotation without TIME_SLOT_REF1 and TIME_SLOT_REF2",
                                              repair="skip the annotation"))  # fmt: skip
                continue
            out.append(_Annotation(tier_id, speaker, aid, start, end, text, where))
            count_utterance(len(out), src, where)
    return out


def _spread(times: list[float | None]) -> list[float | None]:
    """Fill each run of None between two known times evenly, in whole milliseconds as ELAN's
    TimeProposer does (begin + k * ((end - begin) / count), the step truncated); a run open at
    either end stays None."""
    out = list(times)
    known = [i for i, t in enumerate(times) if t is not None]
    for a, b in zip(known, known[1:], strict=False):
        lo, hi = times[a], times[b]
        step = int((hi - lo) / (b - a))  # type: ignore[operator]
        for k in range(1, b - a):
            out[a + k] = lo + k * step  # type: ignore[operator]
    return out


def _slot_times(chain: list[str], slots: dict[str, _Slot], document: list[float | None]):
    """Times of a tier's chain of slots: aligned ones as they are, unaligned ones spread between
    the chain's nearest aligned slots, else between the document's (``document``: the time order
    already spread)."""
    spread = _spread([slots[sid].ms for sid in chain])
    return {
        sid: spread[i] if spread[i] is not None else document[slots[sid].order]
        for i, sid in enumerate(chain)
    }


def parse_eaf(path: Path, data: bytes | None = None, kind: str = "individual") -> ImportResult:
    raw = read_source(path, data)
    src = str(path)
    root = _root(raw, src)
    problems: list[ImportProblem] = Problems(src)
    slots = _slots(root, src, problems)
    document = _spread([slot.ms for slot in slots.values()])  # slots are in time order
    annotations = []
    for a in _annotations(root, src, problems):
        missing = [ref for ref in (a.start, a.end) if ref not in slots]
        if missing:
            problems.append(ImportProblem(src, a.where, ", ".join(missing),
                                          "refers to a time slot that does not exist", repair="skip the annotation"))  # fmt: skip
        else:
            annotations.append(a)
    chains: dict[str, list[_Annotation]] = {}
    for a in annotations:
        chains.setdefault(a.tier, []).append(a)
    rows = []
    for tier, chain in chains.items():
        chain.sort(key=lambda a: slots[a.start].order)
        sequence: list[str] = []
        for a in chain:
            sequence += [ref for ref in (a.start, a.end) if not sequence or sequence[-1] != ref]
        times = _slot_times(sequence, slots, document)
        last = -1.0
        for a in chain:
            start, end = times[a.start], times[a.end]
            if start is None:
                problems.append(ImportProblem(src, a.where, a.start, "unaligned time slot with no aligned slot before or after it",
                                              repair="keep the utterance without a time"))  # fmt: skip
            if not a.text:
                continue
            key = start if start is not None else last
            last = key
            rows.append((key, tier, slots[a.start].order, ParsedUtterance(
                a.speaker, a.text, None if start is None else start / 1000,
                None if start is None or end is None else end / 1000, where=a.where)))  # fmt: skip
    rows.sort(key=lambda r: r[:3])
    session = ParsedSession(path.stem, [r[3] for r in rows], path.name, file_hash(raw), kind)
    if not session.utterances:
        problems.append(no_utterances(src, "no top-level tier has annotations with text"))
    check_times(session, src, problems)
    return ImportResult([session] if session.utterances else [], in_file_order(problems))
