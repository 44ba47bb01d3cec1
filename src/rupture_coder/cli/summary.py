"""``rupture-coder summary``: the documented session scores of one rater (docs/ratings.md)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the scores load when the command runs, not for --help
    from rupture_coder.store.db import Project
    from rupture_coder.study.summaries import SessionSummary


def add_summary_parser(sub, parents) -> None:
    p = sub.add_parser(
        "summary",
        parents=parents,
        help="one rater's session scores (episodes, repairs, frequencies, ratings)",
        description="Print the scores of docs/ratings.md for one rater in one session.",
    )
    p.add_argument("--session", required=True, help="session title or id")
    p.add_argument(
        "--rater", help="rater name or id (a coder copy reads its own rater: leave it out)"
    )
    p.add_argument("--json", action="store_true", help="print every score as one JSON object")
    p.set_defaults(func=run_summary, needs_project=True)


def run_summary(args: argparse.Namespace, project: Project) -> int:
    from rupture_coder.study.summaries import find_summary

    s = find_summary(project, args.session, args.rater)
    print(json.dumps(s.to_json(), indent=2) if args.json else render(s))
    return 0


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def render(s: SessionSummary) -> str:
    """The scores as a readable table."""
    lines = [
        f"{s.session} — {s.rater} ({s.codebook}; impact threshold {s.impact_threshold}, "
        f"repair window {s.repair_window})",
        f"segments                      {s.segments} ({s.partial_segments} partial), "
        f"{_fmt(s.duration_s)} s",
        f"segments with withdrawal      {s.segments_with_withdrawal}",
        f"segments with confrontation   {s.segments_with_confrontation}",
        f"segments with any marker      {s.segments_with_any_marker} "
        f"(share {_fmt(s.rupture_share)}; at threshold {_fmt(s.rupture_share_at_threshold)})",
        f"rupture episodes              {s.episodes} ({_fmt(s.ruptures_per_5_min)} per 5 minutes)",
        f"episodes repaired             {s.episodes_repaired} of {s.episodes}",
        f"strategies with no episode    {s.unlinked_strategies}",
        "frequencies (segments)        "
        + ", ".join(f"{k} {v}" for k, v in s.category_frequency.items()),
    ]
    if s.family_frequency:
        lines.append(
            "strategy families             "
            + ", ".join(f"{k} {v}" for k, v in s.family_frequency.items())
        )
    coded = ", ".join(f"{k} {v}" for k, v in s.item_frequency.items() if v)
    lines.append(f"items                         {coded or 'none coded'}")
    lines.append("rating                        mean   max    n  (rated, implied, N/A, missing)")
    for rid, r in s.ratings.items():
        lines.append(
            f"  {rid:<27} {_fmt(r.mean):>5} {_fmt(r.max):>5} {r.n:>4}  "
            f"({r.rated}, {r.implied}, {r.na}, {r.missing})"
        )
    for rid, value in s.session_ratings.items():
        lines.append(f"  {rid:<27} {value}")
    for level, scores in s.by_level.items():
        lines.append(
            f"level {level:<23} episodes {scores['episodes']}, repaired {scores['episodes_repaired']}"
        )
    lines += [f"warning: {w}" for w in s.warnings]
    return "\n".join(lines)
