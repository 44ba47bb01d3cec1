"""The lead's day: merge two coders, reconcile every disagreement, export, report."""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest
from docx import Document
from test_packages import study  # noqa: F401  (fixture)

from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import FlagCode
from rupture_coder.services.consensus import AcceptAgreements, Decide, decisions, progress, units
from rupture_coder.services.gold import MarkGold
from rupture_coder.services.review import AddComment, SetCommentStatus
from rupture_coder.store.db import open_project
from rupture_coder.study.calibration import score
from rupture_coder.study.exports import export_study
from rupture_coder.study.packages import export_package, merge_packages
from rupture_coder.study.reports import session_report, study_report
from rupture_coder.study.review import Filters, moments


@pytest.fixture
def merged(study):  # noqa: F811
    lead_path, coders, tmp = study
    paths = []
    for name, (p, _svc, rater, _session) in coders.items():
        export_package(p, rater.id, tmp / f"{name}.rcpkg")
        paths.append(tmp / f"{name}.rcpkg")
    lead = open_project(lead_path)
    svc = ProjectService(lead, "lead")
    merge_packages(svc, paths)
    (session,) = queries.list_sessions(lead)
    ids = {r.name: r.id for r in queries.raters(lead)}
    return lead, svc, session, ids, tmp


def test_reconcile_every_disagreement_into_a_consensus(merged):
    lead, svc, session, ids, tmp = merged
    raters = [ids["Ann"], ids["Bob"]]
    all_units = units(lead, session.id, raters)
    open_units = {(u.kind, u.segment_index, u.key): u for u in all_units if not u.agreed}
    assert set(open_units) == {
        ("presence", 0, "C5"), ("presence", 0, "C3"), ("presence", 1, "R4"), ("presence", 1, "R5"),
        ("segment-rating", 0, "withdrawal_impact"),
    }  # fmt: skip
    assert progress(lead, session.id, raters) == (0, 5)
    svc.run(AcceptAgreements(session.id, all_units, "lead"))
    choices = {
        ("presence", 0, "C5"): dict(
            decision="kept", chosen_rater_id=ids["Ann"], note="a complaint about progress"
        ),
        ("presence", 0, "C3"): dict(decision="absent", note="the task complaint is C5 here"),
        ("presence", 1, "R4"): dict(decision="kept", chosen_rater_id=ids["Ann"]),
        ("presence", 1, "R5"): dict(decision="kept", chosen_rater_id=ids["Bob"]),
        ("segment-rating", 0, "withdrawal_impact"): dict(
            decision="value", value=4, note="agreed after discussion"
        ),
    }
    for key, choice in choices.items():
        svc.run(Decide(session.id, open_units[key], decided_by="lead", **choice))
    assert progress(lead, session.id, raters) == (5, 5)
    consensus = next(r for r in queries.raters(lead) if r.role == "consensus")
    codes = sorted(c.item_id for c in queries.codes(lead, session.id, consensus.id))
    assert codes == ["C5", "R4", "R5", "W2"]  # W2 agreed, C3 absent
    seg_r, _ = queries.ratings(lead, session.id, consensus.id)
    assert seg_r[(queries.segments(lead, session.id)[0].id, "withdrawal_impact")] == (4, False)
    made = decisions(lead, session.id)
    d = made[("presence", queries.segments(lead, session.id)[0].id, "C5")]
    assert (d.decision, d.chosen_rater_id, sorted(d.source_raters), d.decided_by, d.note) == (
        "kept", ids["Ann"], sorted(raters), "lead", "a complaint about progress"
    )  # fmt: skip
    # raw codes never change
    assert sorted(c.item_id for c in queries.codes(lead, session.id, ids["Ann"])) == [
        "C5",
        "R4",
        "W2",
    ]
    assert sorted(c.item_id for c in queries.codes(lead, session.id, ids["Bob"])) == [
        "C3",
        "R5",
        "W2",
    ]
    # the export has consensus and raw rows side by side
    export_study(lead, tmp / "out", "csv")
    seg = pd.read_csv(tmp / "out" / "segments.csv")
    first = seg[seg.segment == 1].set_index(["rater", "item"]).value
    assert (
        first[("Consensus", "C5")],
        first[("Consensus", "C3")],
        first[("Bob", "C3")],
        first[("Ann", "C3")],
    ) == (1, 0, 1, 0)
    assert (
        first[("Consensus", "withdrawal_impact")] == 4 and first[("Bob", "withdrawal_impact")] == 3
    )
    events = pd.read_csv(tmp / "out" / "events.csv")
    assert set(events.rater) == {"Ann", "Bob", "Consensus"} and {
        "app_version",
        "codebook_version",
        "exported_at",
    } <= set(events.columns)


def test_supervisor_review_calibration_and_reports(merged):
    lead, svc, session, ids, tmp = merged
    ann_c5 = next(c for c in queries.codes(lead, session.id, ids["Ann"]) if c.item_id == "C5")
    svc.run(FlagCode(ann_c5.id, True, "is this C5 or C3?"))
    found = moments(lead, Filters(flagged=True))
    assert [(m.item, m.rater, m.why) for m in found] == [
        ("C5", "Ann", "flagged: is this C5 or C3?")
    ]
    comment = svc.run(
        AddComment(
            session.id,
            "C5: the client doubts progress, not the task",
            "supervisor",
            code_id=ann_c5.id,
        )
    ).result
    svc.run(SetCommentStatus(comment.id, "reviewed"))
    assert moments(lead, Filters(flagged=True))[0].comments == [
        ("supervisor", "reviewed", "C5: the client doubts progress, not the task")
    ]
    high = moments(lead, Filters(flagged=False, min_impact=4))
    assert [(m.rater, m.segment, m.why) for m in high] == [("Ann", 1, "Withdrawal impact 4")]
    unresolved = moments(lead, Filters(flagged=False, unresolved=True, rater="Bob"))
    assert all(m.rater == "Bob" and m.why.startswith("rupture") for m in unresolved)
    # calibration: Ann's codes are gold; Bob is scored against them
    svc.run(MarkGold(session.id, ids["Ann"]))
    (bob,) = score(lead, ids["Bob"])
    assert bob.session == session.title and 0 <= bob.agreement <= 1
    assert bob.items and all(c.statistic == "kappa" for c in bob.items.values())
    # reports, opened back
    path = session_report(lead, session.id, tmp / "session.docx")
    doc = Document(path)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert (
        "Session report: Individual session 7" in text and "C5: the client doubts progress" in text
    )
    assert len(doc.tables) >= 4 and len(doc.inline_shapes) == 1  # the timeline image
    assert any("Ann" in cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    study_doc = Document(study_report(lead, tmp / "study.docx"))
    body = "\n".join(p.text for p in study_doc.paragraphs)
    assert "Calibration against gold-standard sessions" in body and len(study_doc.tables) >= 3
    assert "For a methods section (APA style" in body
    sentences = [p.text for p in study_doc.paragraphs if p.style.name == "List Bullet"]
    assert sentences and all(s.startswith("Inter-rater ") for s in sentences), body
    assert any("Cohen's κ = " in s and "both raters" in s for s in sentences), sentences
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip(
            "LibreOffice is not installed here: the DOCX files were checked with python-docx only"
        )
    for docx in (tmp / "session.docx", tmp / "study.docx"):
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(docx)], check=True,
                       capture_output=True, timeout=180)  # fmt: skip
        assert docx.with_suffix(".pdf").stat().st_size > 10_000
