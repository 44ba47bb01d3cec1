"""Session summary of the current rater: the scores of docs/ratings.md, as a readable panel."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser

from rupture_coder.services.queries import session_codebook
from rupture_coder.store.db import Project
from rupture_coder.study.summaries import session_summary

TYPES = ("withdrawal", "confrontation")


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if isinstance(value, float) else escape(str(value))


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
        repaired, total = s.ruptures_repaired
        metrics = [
            ("markers", lambda t: s.category_counts[t]),
            ("segments with", lambda t: f"{s.segments_with[t]} of {s.segments}"),
            ("mean impact", lambda t: s.impact_mean[t]),
            ("max impact", lambda t: s.impact_max[t]),
            (f"share ≥ {s.threshold}", lambda t: s.share_at_threshold[t]),
        ]
        rows = "".join(
            f"<tr><td>{name}</td>"
            + "".join(f"<td align=right>{_fmt(get(t))}</td>" for t in TYPES)
            + "</tr>"
            for name, get in metrics
        )
        items = ", ".join(f"{k} ×{v}" for k, v in s.item_counts.items() if v)
        globals_ = "".join(
            f"<tr><td>{escape(labels.get(k, k))}</td><td align=right>{_fmt(v)}</td></tr>"
            for k, v in sorted(s.globals.items())
        )
        html = f"""
        <h3>{escape(s.session)} — {escape(s.rater)}</h3>
        <table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'>
        <tr><th></th><th>withdrawal</th><th>confrontation</th></tr>{rows}</table>
        <p>Resolution strategies: <b>{s.category_counts["resolution"]}</b>; mean segment resolution
        {_fmt(s.resolution_mean)}; ruptures followed by a repair within {s.repair_window} segment(s):
        <b>{repaired} of {total}</b>.</p>
        <p><small>{escape(items) or "no codes yet"}</small></p>
        <table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'>
        <tr><th>session rating</th><th>value</th></tr>{globals_ or "<tr><td colspan=2><i>none yet</i></td></tr>"}</table>
        """
        self.setHtml(html)
