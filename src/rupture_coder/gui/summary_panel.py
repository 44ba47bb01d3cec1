"""Session summary of the current rater: the scores of docs/ratings.md, as a readable panel."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser

from rupture_coder.store.db import Project
from rupture_coder.summaries import session_summary

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
        repaired, total = s.ruptures_repaired
        rows = "".join(
            f"<tr><td>{t}</td><td align=right>{s.category_counts[t]}</td><td align=right>{s.segments_with[t]}/{s.segments}</td>"
            f"<td align=right>{_fmt(s.impact_mean[t])}</td><td align=right>{_fmt(s.impact_max[t])}</td>"
            f"<td align=right>{_fmt(s.share_at_threshold[t])}</td></tr>"
            for t in TYPES
        )
        items = ", ".join(f"{k} ×{v}" for k, v in s.item_counts.items() if v)
        globals_ = "".join(
            f"<tr><td>{escape(k)}</td><td align=right>{_fmt(v)}</td></tr>"
            for k, v in sorted(s.globals.items())
        )
        html = f"""
        <h3>{escape(s.session)} — {escape(s.rater)}</h3>
        <table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'>
        <tr><th>rupture</th><th>markers</th><th>segments</th><th>mean impact</th><th>max</th>
        <th>share ≥ {s.threshold}</th></tr>{rows}</table>
        <p>Resolution strategies: <b>{s.category_counts["resolution"]}</b>; mean segment resolution
        {_fmt(s.resolution_mean)}; ruptures followed by a repair within {s.repair_window} segment(s):
        <b>{repaired} of {total}</b>.</p>
        <p><small>{escape(items) or "no codes yet"}</small></p>
        <table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'>
        <tr><th>session rating</th><th>value</th></tr>{globals_ or "<tr><td colspan=2><i>none yet</i></td></tr>"}</table>
        """
        self.setHtml(html)
