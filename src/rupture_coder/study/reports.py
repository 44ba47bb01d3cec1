"""Readable DOCX reports (python-docx): one session, or the whole study's agreement and calibration."""

from __future__ import annotations

import io
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Cm, Pt

from rupture_coder import __version__
from rupture_coder.agreement.results import clipped_ci
from rupture_coder.codebook.model import Scope
from rupture_coder.errors import StudyError
from rupture_coder.services import queries
from rupture_coder.services.identity import LEAD_OR_SUPERVISOR, require_role
from rupture_coder.services.review import comments_for_session
from rupture_coder.services.settings import get_setting
from rupture_coder.store.db import Project
from rupture_coder.store.files import atomic_write
from rupture_coder.study.agreement import ProjectAgreementQuery, project_agreement
from rupture_coder.study.calibration import SCORE_COLUMNS, calibration_table
from rupture_coder.study.summaries import session_summary
from rupture_coder.tasks import Progress, progress_or_silent
from rupture_coder.timestamps import format_timestamp

RUPTURES = ("withdrawal", "confrontation")


def _save(doc: DocxDocument, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda tmp: doc.save(str(tmp)))
    return out


# at 8.5 pt a header word must fit its column, or Word splits it ("strategi es")
CM_PER_CHAR = 0.19
PAGE_CM = 16.5


def _table(
    doc: DocxDocument, header: list[str], rows: list[list], widths: list[float] | None = None
):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = (
                ""
                if value is None
                else (f"{value:.2f}" if isinstance(value, float) else str(value))
            )
    # every column at least as wide as its longest word (header or cell), then fitted to the page
    longest = [
        max((len(w) for r in table.rows for w in r.cells[i].text.split()), default=1)
        for i in range(len(header))
    ]
    needed = [n * CM_PER_CHAR + 0.4 for n in longest]
    cm = [max(w, n) for w, n in zip(widths or needed, needed, strict=False)]
    size = 8.5
    if sum(cm) > PAGE_CM:
        size = max(6.5, 8.5 * PAGE_CM / sum(cm))
        cm = [w * PAGE_CM / sum(cm) for w in cm]
    for row in table.rows:
        for cell, w in zip(row.cells, cm, strict=True):
            cell.width = Cm(w)
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(size)
    for column, w in zip(table.columns, cm, strict=True):
        column.width = Cm(w)
    return table


def _timeline_png(project: Project, session_id: str, rater_ids: list[str]) -> bytes:
    """Codes per category over time for each rater, and their impact ratings per segment."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    cb = queries.session_codebook(project, session_id)
    rows = queries.transcript(project, session_id)
    segs = queries.segments(project, session_id)
    kind = {i.id: c.rupture_type for c in cb.categories for i in c.items}
    timed = any(u.start_s is not None for u in rows)
    colours = {"withdrawal": "#2f6db5", "confrontation": "#c0392b", "resolution": "#1e8449"}
    fig = Figure(figsize=(7.0, 1.2 + 0.9 * len(rater_ids)), dpi=150)
    axes = fig.subplots(len(rater_ids), 1, squeeze=False, sharex=True)[:, 0]
    for ax, rid in zip(axes, rater_ids, strict=True):
        name = next(r.name for r in queries.raters(project) if r.id == rid)
        for c in queries.codes(project, session_id, rid):
            if c.first_position is None:
                x = c.start_s
            else:
                x = rows[c.first_position].start_s if timed else c.first_position
            if x is None or kind.get(c.item_id) not in colours:
                continue
            y = {"withdrawal": 3, "confrontation": 2, "resolution": 1}[kind[c.item_id]]
            ax.plot(
                [x], [y], marker="s", markersize=4, color=colours[kind[c.item_id]], linestyle="none"
            )
        seg_ratings, _ = queries.ratings(project, session_id, rid)
        for t, dy in (("withdrawal_impact", 0.0), ("confrontation_impact", 0.08)):
            xs, ys = [], []
            for seg in segs:
                value = seg_ratings.get((seg.id, t), (None, False))[0]
                if value is not None and seg.start_s is not None:
                    xs += [seg.start_s, seg.end_s]
                    ys += [0.5 + value * 0.5 + dy] * 2
            if xs:
                ax.plot(xs, ys, color=colours[t.split("_")[0]], linewidth=1, alpha=0.5)
        for seg in segs[1:]:
            if seg.start_s is not None:
                ax.axvline(seg.start_s, color="#bbbbbb", linewidth=0.6, linestyle=":")
        ax.set_yticks([1, 2, 3], ["R", "C", "W"])
        ax.set_ylim(0.4, 3.6)
        ax.set_title(name, fontsize=8, loc="left")
        ax.tick_params(labelsize=7)
    axes[-1].set_xlabel("time (s)" if timed else "utterance", fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    return buf.getvalue()


def _mean(summary, rating_id: str) -> float | None:
    stats = summary.ratings.get(rating_id)
    return stats.mean if stats else None


def session_report(
    project: Project,
    session_id: str,
    out: Path,
    rater_ids: list[str] | None = None,
    progress: Progress | None = None,
) -> Path:
    require_role(project, LEAD_OR_SUPERVISOR, "a session report (it shows every rater)")
    progress = progress_or_silent(progress)
    progress.step(0, 3, "reading the session")
    info = next(s for s in queries.list_sessions(project) if s.id == session_id)
    cb = queries.session_codebook(project, session_id)
    rows = queries.transcript(project, session_id)
    segs = queries.segments(project, session_id)
    all_raters = queries.raters(project)
    status = {r.id: queries.session_status(project, r.id).get(session_id) for r in all_raters}
    raters = [
        r
        for r in all_raters
        if (rater_ids is None and status[r.id] != "not started")
        or (rater_ids and r.id in rater_ids)
    ]
    if not raters:
        raise StudyError(
            f"no rater has coded session {info.title!r} yet"
            + (" (of those chosen)" if rater_ids else "")
            + ": a session report shows the raters' codes and ratings; code the session first"
        )
    label = {i.id: i.label for i in cb.items()}
    kind = {i.id: c.rupture_type for c in cb.categories for i in c.items}
    doc = Document()
    doc.add_heading(f"Session report: {info.title}", 0)
    doc.add_paragraph(
        f"{info.kind.capitalize()} session · {info.utterances} utterances · {format_timestamp(info.duration_s)} · "
        f"{len(segs)} segments · codebook {cb.id} {cb.version} · source {info.source_file or '-'}"
    )
    doc.add_paragraph(
        f"Made by rupture-coder {__version__} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC."
    ).runs[0].italic = True
    doc.add_heading("Raters", 1)
    _table(doc, ["rater", "role", "status"], [[r.name, r.role, status[r.id]] for r in raters])
    progress.step(1, 3, "timeline")
    doc.add_heading("Timeline", 1)
    doc.add_picture(
        io.BytesIO(_timeline_png(project, session_id, [r.id for r in raters])), width=Cm(16)
    )
    doc.add_heading("Segments", 1)
    progress.step(2, 3, "summaries")
    summaries = [session_summary(project, session_id, r.id) for r in raters]
    table_rows = []
    for r, summary in zip(raters, summaries, strict=True):
        seg_r, _ = queries.ratings(project, session_id, r.id)
        for seg in segs:
            coded = (
                summary.segment_items[seg.index] if seg.index < len(summary.segment_items) else []
            )
            markers = [i for i in coded if kind.get(i) in RUPTURES]
            strategies = [i for i in coded if kind.get(i) == "resolution"]
            vals = ["N/A" if seg_r.get((seg.id, rid), (None, False))[1] else seg_r.get((seg.id, rid), (None, False))[0]
                    for rid in ("withdrawal_impact", "confrontation_impact", "segment_resolution")]  # fmt: skip
            span = (
                f"{format_timestamp(seg.start_s)}–{format_timestamp(seg.end_s)}"
                if seg.start_s is not None
                else ""
            )
            table_rows.append(
                [seg.index + 1, span, r.name, ", ".join(markers), ", ".join(strategies), *vals]
            )
    _table(
        doc,
        ["seg.", "time", "rater", "markers", "strategies", "W impact", "C impact", "resolution"],
        table_rows,
    )
    doc.add_heading("Rupture episodes", 1)
    doc.add_paragraph(
        "An episode is a run of markers with no strategy in between (docs/ratings.md, section 2); its "
        f"repairs are the strategies that follow within {get_setting(project, 'summary.repair_window')} "
        "segment(s) of its last marker."
    )
    for r, summary in zip(raters, summaries, strict=True):
        doc.add_heading(r.name, 2)
        if not summary.episode_list:
            doc.add_paragraph("No rupture marker coded.")
        for e in summary.episode_list:
            u = rows[e.position] if e.position is not None and e.position < len(rows) else None
            quote = (u.text[:160] + ("…" if len(u.text) > 160 else "")) if u else ""
            when = format_timestamp(
                e.start_s if e.start_s is not None else (u.start_s if u else None)
            )
            who = f" ({' – '.join(e.pairing)}, {e.level})" if e.pairing else ""
            names = ", ".join(f"{m} {label.get(m, '')}".strip() for m in dict.fromkeys(e.markers))
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(f"segment {', '.join(map(str, e.segments))} {when} {names}{who}").bold = True
            if u:
                p.add_run(f" — {u.pseudonym}: “{quote}”")
            p.add_run(
                f"  Repairs: {', '.join(e.repairs) if e.repairs else 'none within the window'}."
            ).italic = True
    doc.add_heading("Summary scores", 1)
    threshold = get_setting(project, "summary.impact_threshold")
    head = ["rater", "W freq.", "C freq.", "R freq.", "mean W impact", "mean C impact",
            f"share ≥ {threshold}", "episodes repaired", "per 5 min"]  # fmt: skip
    _table(doc, head, [[s.rater, s.category_frequency["withdrawal"], s.category_frequency["confrontation"],
                        s.category_frequency["resolution"], _mean(s, "withdrawal_impact"), _mean(s, "confrontation_impact"),
                        s.rupture_share_at_threshold, f"{s.episodes_repaired} of {s.episodes}", s.ruptures_per_5_min]
                       for s in summaries])  # fmt: skip
    ratings = [d for d in cb.ratings_for(Scope.SESSION)]
    _table(
        doc,
        ["rater", *[d.label for d in ratings]],
        [[s.rater, *[s.session_ratings.get(d.id) for d in ratings]] for s in summaries],
    )
    warned = [(s.rater, w) for s in summaries for w in s.warnings]
    if warned:
        doc.add_paragraph("Warnings (docs/ratings.md, section 8):")
        for who, w in warned:
            doc.add_paragraph(f"{who}: {w}", style="List Bullet")
    doc.add_heading("Supervisor comments", 1)
    comments = comments_for_session(project, session_id)
    if not comments:
        doc.add_paragraph("None.")
    for c in comments:
        doc.add_paragraph(f"[{c.status}] {c.author}: {c.text}", style="List Bullet")
    progress.check()  # the last moment to stop: nothing has been written yet
    return _save(doc, out)


def study_report(project: Project, out: Path, progress: Progress | None = None) -> Path:
    require_role(project, LEAD_OR_SUPERVISOR, "the study report")
    progress = progress_or_silent(progress)
    doc = Document()
    doc.add_heading("Study report: inter-rater agreement and calibration", 0)
    sessions = queries.list_sessions(project)
    # raters who coded or rated something: an added rater who never started is not in the study
    raters = [
        r
        for r in queries.raters(project)
        if r.role in ("coder", "lead")
        and any(s != "not started" for s in queries.session_status(project, r.id).values())
    ]
    doc.add_paragraph(
        f"{len(sessions)} sessions, {len(raters)} raters who coded. Made by rupture-coder {__version__} on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Statistics and their formulas: docs/ratings.md. Bands: Cicchetti "
        "(kappa, alpha, AC); Koo & Li (ICC)."
    )
    any_clipped = False
    codebooks = sorted({s.codebook for s in sessions if s.codebook})
    units = ("segment-presence", "segment-rating", "session-frequency", "session-rating")
    for c, codebook in enumerate(codebooks):
        doc.add_heading(f"Codebook {codebook[0]} {codebook[1]}", 1)
        for u, unit in enumerate(units):
            progress.step(c * len(units) + u, len(codebooks) * len(units) + 1, f"agreement: {unit}")
            query = ProjectAgreementQuery(
                unit=unit, raters=tuple(r.id for r in raters), codebook=codebook
            )
            try:
                with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                    # undefined coefficients (no variance, one category) come back as None and
                    # are shown as "–"; numpy's warnings about them are not for the reader
                    warnings.simplefilter("ignore", RuntimeWarning)
                    result = project_agreement(project, query, progress.quiet())
            except StudyError as exc:
                doc.add_paragraph(f"{unit}: not computed ({exc}).")
                continue
            if result.n_units == 0:
                doc.add_paragraph(
                    f"{unit}: no unit was coded by two or more raters ({', '.join(result.raters)} in "
                    f"{result.n_sessions} session(s)); agreement needs double-coded sessions."
                )
                continue
            doc.add_heading(
                f"{unit} ({result.n_sessions} sessions; raters {', '.join(result.raters)})", 2
            )
            rows, skipped, sentences, labels = [], 0, [], set()
            for res in result.results:
                _name, main = res.primary()
                if (
                    res.kind == "item"
                    and main.value is None
                    and res["percent_agreement"].value == 1.0
                ):
                    skipped += 1  # nobody coded it, or everybody always did: nothing to report
                    continue
                labels.add(_name)
                if res.apa and main.value is not None:
                    sentences.append(res.apa)
                ci, clipped = clipped_ci(*main.best_ci) if main.best_ci else ("", False)
                any_clipped |= clipped
                shown = "–" if main.value is None else f"{main.value:.2f}{ci}"
                alpha = res["krippendorff_alpha"].value
                band = main.band or ""
                if main.band_ci and main.band_ci != main.band:
                    band += f" (CI: {main.band_ci})"
                rows.append([res.label, res.n_units, res["percent_agreement"].value, shown, band,
                             "–" if alpha is None else f"{alpha:.2f}"])  # fmt: skip
            name = labels.pop() if len(labels) == 1 else "coefficient"  # the design's own
            _table(
                doc,
                ["item", "units", "% agree", f"{name} [95% CI]", "band", "Krippendorff's alpha"],
                rows,
                [5.2, 1.3, 1.6, 3.8, 1.8, 2.2],
            )
            if skipped:
                doc.add_paragraph(
                    f"{skipped} item(s) with perfect agreement and no defined coefficient (never or always coded) are left out."
                )
            if sentences:
                doc.add_paragraph("For a methods section (APA style; CIs from the session bootstrap where "
                                  "there are 5 or more sessions):")  # fmt: skip
                for sentence in sentences:
                    doc.add_paragraph(sentence, style="List Bullet")
    if any_clipped:
        doc.add_paragraph(
            "† The 95% confidence interval from the normal approximation ran past the "
            "coefficient's range with this few units; it is shown clipped to [-1, 1]. Read it as "
            "a sign that more double-coded units are needed."
        )
    progress.step(len(codebooks) * len(units), len(codebooks) * len(units) + 1, "calibration")
    doc.add_heading("Calibration against gold-standard sessions", 1)
    _scores, cal_rows, criteria = calibration_table(project)
    if cal_rows:
        doc.add_paragraph(
            f"Each segment rating is judged by its own ICC(2,1) (≥ {criteria['ratings']:.2f}) and each "
            f"item either rater coded by its presence kappa (≥ {criteria['presence']:.2f}); the last "
            "column names the criteria that failed."
        )
        _table(doc, SCORE_COLUMNS, cal_rows)
    else:
        doc.add_paragraph("No gold-standard session has been coded by a trainee yet.")
    progress.check()
    return _save(doc, out)
