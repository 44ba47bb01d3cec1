"""Session summary of the current rater: the scores of docs/ratings.md, as a readable panel."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser

from rupture_coder.services.queries import session_codebook
from rupture_coder.store.db import Project
from rupture_coder.study.summaries import session_summary

TYPES = ("withdrawal", "confrontation")
IMPACT = {"withdrawal": "withdrawal_impact", "confrontation": "confrontation_impact"}


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if isinstance(value, float) else escape(str(value))


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td align=right>{_fmt(v)}</td>" if i else f"<td>{escape(str(v))}</td>"
                         for i, v in enumerate(row)) + "</tr>"
        for row in rows
    )  # fmt: skip
    return (
        "<table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'>"
        f"<tr>{head}</tr>{body}</table>"
    )


def _over(r) -> str:
    """How many segments a rating's mean is over, and what they were (docs/ratings.md section 4)."""
    parts = [f"{v} {name}" for name, v in (("rated", r.rated), ("implied", r.implied),
                                            ("N/A", r.na), ("missing", r.missing)) if v]  # fmt: skip
    return f"{r.n} ({', '.join(parts)})"


class SummaryPanel(QTextBrowser):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("summaryPanel")
        self.setOpenLinks(False)

    def show_summary(self, project: Project, session_id: str | None, rater_id: str | None) -> None:
        if not session_id or not rater_id:
            self.setHtml("<i>Choose a session and a rater.</i>")
            return
        s = session_summary(project, session_id, rater_id)
        labels = {r.id: r.label for r in session_codebook(project, session_id).ratings}
        stats = {t: s.ratings.get(IMPACT[t]) for t in TYPES}
        rows = [
            ["frequency (segments)", *[s.category_frequency[t] for t in TYPES]],
            [
                "segments with",
                *[f"{getattr(s, f'segments_with_{t}')} of {s.segments}" for t in TYPES],
            ],
            ["mean impact", *[stats[t].mean if stats[t] else None for t in TYPES]],
            ["max impact", *[stats[t].max if stats[t] else None for t in TYPES]],
            ["over segments", *[stats[t].n if stats[t] else None for t in TYPES]],
            [f"share ≥ {s.impact_threshold}", *[s.share_at_threshold.get(t) for t in TYPES]],
        ]
        ratings = [[labels.get(rid, rid), r.mean, r.max, _over(r)] for rid, r in s.ratings.items()]
        families = ", ".join(f"{k} {v}" for k, v in s.family_frequency.items())
        items = ", ".join(f"{k} ×{v}" for k, v in s.item_frequency.items() if v)
        globals_ = [[labels.get(k, k), v] for k, v in s.session_ratings.items()]
        levels = [
            [level, v["segments_with_withdrawal"], v["segments_with_confrontation"],
             v["segments_with_resolution"], f"{v['episodes_repaired']} of {v['episodes']}"]
            for level, v in s.by_level.items()
        ]  # fmt: skip
        by_level = (
            _table(["level", "W segments", "C segments", "R segments", "episodes repaired"], levels)
            if levels
            else ""
        )
        warnings = "".join(f"<li>{escape(w)}</li>" for w in s.warnings)
        per5 = _fmt(s.ruptures_per_5_min)
        html = f"""
        <h3>{escape(s.session)} — {escape(s.rater)}</h3>
        <p>Rupture episodes: <b>{s.episodes}</b> ({per5} per 5 minutes); repaired within
        {s.repair_window} segment(s): <b>{s.episodes_repaired} of {s.episodes}</b>.
        Segments with any marker: {s.segments_with_any_marker} of {s.segments}
        (share {_fmt(s.rupture_share)}; with impact ≥ {s.impact_threshold}:
        {_fmt(s.rupture_share_at_threshold)}).</p>
        {_table(["", *TYPES], rows)}
        <p>Resolution strategies: <b>{s.category_frequency["resolution"]}</b>
        {f"({escape(families)})" if families else ""}; strategies with no episode:
        {s.unlinked_strategies}.</p>
        <p><small>{escape(items) or "no codes yet"}</small></p>
        {by_level}
        {_table(["segment rating", "mean", "max", "over"], ratings)}
        <p></p>
        {_table(["session rating", "value"], globals_) if globals_ else "<p><i>No session rating yet.</i></p>"}
        {f"<p><b>Warnings</b></p><ul>{warnings}</ul>" if warnings else ""}
        """
        self.setHtml(html)
