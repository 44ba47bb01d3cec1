"""Importing into a project: all or nothing, re-imports, the CLI, media sessions, resegmenting."""

from __future__ import annotations

import json

import pytest
from helpers import IND, make_session
from sqlalchemy import func, select
from test_importers import make_wav, write

from rupture_coder.cli import main
from rupture_coder.errors import CommandError, ImportRefused
from rupture_coder.importers import read_file
from rupture_coder.resources import samples_dir
from rupture_coder.services.coding import AddCode, CodeSpec, SetRating
from rupture_coder.services.imports import plan_import, run_import
from rupture_coder.services.project import AddRater
from rupture_coder.services.queries import list_sessions, segments, transcript
from rupture_coder.services.sessions import AttachTranscript, Resegment
from rupture_coder.store.db import open_project
from rupture_coder.store.models import AuditEntry, Segment, SegmentRating, Session, Utterance


def counts(project):
    with project.read() as db:
        return tuple(
            db.scalar(select(func.count()).select_from(m))
            for m in (Session, Utterance, Segment, AuditEntry)
        )


def test_annomi_corpus_imports_with_repairs_and_is_refused_without(annomi_dir, tmp_path, capsys):
    csv = str(annomi_dir / "AnnoMI-simple.csv")
    project_path = tmp_path / "annomi.rcproj"
    assert main(["import", csv, "--project", str(project_path)]) == 1
    err = capsys.readouterr().err
    assert "line 2441: start: '00:09:025' is not a timestamp" in err
    backwards = [line for line in err.splitlines() if "time goes backwards" in line]
    assert len(backwards) >= 10 and all("AnnoMI-simple.csv: line " in line for line in backwards)
    assert "nothing was imported" in err
    project = open_project(project_path)
    assert counts(project)[:3] == (0, 0, 0)
    project.close()

    assert (
        main(["import", csv, "--project", str(project_path), "--on-problem", "repair", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert len(out["imported"]) == 133 and sum(s["utterances"] for s in out["imported"]) == 9699
    assert any(p["where"] == "line 2441" for p in out["problems"])
    assert main(["sessions", "--project", str(project_path), "--json"]) == 0
    sessions = json.loads(capsys.readouterr().out)
    assert len(sessions) == 133 and sum(s["utterances"] for s in sessions) == 9699
    assert {"id", "title", "utterances", "duration_s", "segments"} <= set(sessions[0])
    project = open_project(project_path)
    # titles come from the video_title column (the same title twice keeps its transcript id)
    barbara = [
        s for s in sessions if s["title"].startswith('NEW VIDEO: Brief intervention: "Barbara"')
    ]
    assert len(barbara) == 1 and not any(s["title"].startswith("AnnoMI-simple ") for s in sessions)
    first = transcript(project, barbara[0]["id"])
    assert {u.speaker for u in first} == {"therapist", "client"} and first[0].start_s == 13.0
    assert {u.role for u in first} == {"therapist", "client"}
    project.close()


def test_a_refused_import_of_several_files_writes_nothing(service, tmp_path):
    good = samples_dir() / "individual-session-07.txt"
    bad = write(tmp_path / "bad.csv", "person,said\nT,Hello\n")
    before = counts(service.project)
    plan = plan_import(service.project, [good, bad])
    assert len(plan.sessions) == 1 and not plan.repairable
    for mode in ("fail", "repair"):
        with pytest.raises(ImportRefused):
            run_import(service, plan, mode)
    assert counts(service.project) == before


def test_reimporting_the_same_content_is_detected(service, tmp_path):
    path = samples_dir() / "individual-session-07.txt"
    run_import(service, plan_import(service.project, [path]))
    copy = tmp_path / "renamed copy.txt"
    copy.write_bytes(path.read_bytes())
    plan = plan_import(service.project, [copy])
    assert (
        plan.skipped == [str(copy)]
        and "already imported as 1 session(s): Individual session 7" in plan.problems[0].message
    )
    with pytest.raises(ImportRefused):
        run_import(service, plan, "fail")
    assert run_import(service, plan, "repair") is None
    assert len(list_sessions(service.project)) == 1


def test_an_import_is_one_undoable_command(service):
    before = counts(service.project)
    change = run_import(
        service,
        plan_import(service.project, [samples_dir() / "group-skills-sessions.csv"], kind="group"),
    )
    assert len(change.result) == 2
    service.undo()
    assert counts(service.project)[:3] == before[:3]


def test_cli_import_with_mapping_speakers_and_segments(tmp_path, capsys):
    path = write(tmp_path / "s.csv", "who,said,at\nDr K,Hello,0:10\nSam,Hi,1:20\nDr K,Go on,2:30\n")
    project = tmp_path / "p.rcproj"
    args = ["import", str(path), "--project", str(project), "--map", "speaker=who", "--map", "text=said",
            "--map", "start=at", "--speaker", "Dr K=therapist:Therapist", "--speaker", "Sam=client:Client 1",
            "--segment-length", "60", "--json"]  # fmt: skip
    assert main(args) == 0
    (imported,) = json.loads(capsys.readouterr().out)["imported"]
    assert imported["segments"] == 3
    p = open_project(project)
    rows = transcript(p, imported["id"])
    assert [(r.pseudonym, r.role) for r in rows] == [
        ("Therapist", "therapist"),
        ("Client 1", "client"),
        ("Therapist", "therapist"),
    ]
    p.close()
    assert main(["import", str(path), "--project", str(project), "--map", "speaker=nobody"]) == 1
    assert "no column 'nobody' for speaker" in capsys.readouterr().err


def test_media_session_with_a_transcript_on_an_offset_clock(tmp_path, capsys):
    wav = make_wav(tmp_path / "session.wav", 130)
    srt = write(
        tmp_path / "t.srt",
        "1\n00:00:01,000 --> 00:00:05,000\nT: Hello.\n\n2\n00:01:05,000 --> 00:01:09,000\nP: Hi.\n",
    )
    project = tmp_path / "p.rcproj"
    assert main(["import", str(srt), "--media", str(wav), "--offset", "10", "--segment-length", "60",
                 "--project", str(project), "--json"]) == 0  # fmt: skip
    (s,) = json.loads(capsys.readouterr().out)["imported"]
    assert s["duration_s"] == pytest.approx(130) and s["segments"] == 3 and s["utterances"] == 2
    p = open_project(project)
    assert [r.start_s for r in transcript(p, s["id"])] == [11.0, 75.0]
    assert [(g.first_position, g.last_position, g.partial) for g in segments(p, s["id"])] == [
        (0, 0, False),
        (1, 1, False),
        (None, None, True),
    ]
    p.close()
    assert (
        main(["import", "--duration", "3000", "--title", "Video 12", "--project", str(project)])
        == 0
    )
    assert "imported 1 session(s), 0 utterances" in capsys.readouterr().out


def test_attach_a_transcript_to_a_media_session_later(service, tmp_path):
    from rupture_coder.services.imports import plan_media_import

    run_import(service, plan_media_import(service.project, None, 700, title="Video only"))
    (info,) = list_sessions(service.project)
    assert info.segments == 3 and info.utterances == 0
    parsed = read_file(samples_dir() / "individual-session-07.txt").sessions[0]
    with pytest.raises(
        CommandError, match=r"runs to 00:12:05 .* past the end of the media \(00:11:40\)"
    ):
        service.run(AttachTranscript(info.id, parsed, offset_s=90))
    service.run(AttachTranscript(info.id, parsed, offset_s=30))
    rows = transcript(service.project, info.id)
    assert rows[0].start_s == 34.0
    segs = segments(service.project, info.id)
    assert segs[0].first_position == 0 and segs[2].last_position == len(rows) - 1
    with pytest.raises(CommandError, match="already has a transcript"):
        service.run(AttachTranscript(info.id, parsed))
    service.undo()
    assert transcript(service.project, info.id) == []


def test_resegmenting_keeps_utterance_codes_and_never_drops_ratings_silently(service):
    session, utts, segs, _ = make_session(
        service, n=12, step=60
    )  # 12 minutes: 3 five-minute segments
    rater = service.run(AddRater("Ann")).result
    service.run(AddCode(session.id, rater.id, IND, CodeSpec("W2", utts[7].id)))
    service.run(SetRating(rater.id, IND, "withdrawal_impact", 3, segment_id=segs[0].id))
    with pytest.raises(CommandError, match="1 segment rating"):
        service.run(Resegment(session.id, length_s=60))
    service.run(Resegment(session.id, length_s=60, drop_segment_data=True))
    assert (
        len(segments(service.project, session.id)) == 11
    )  # 0-660 s: the last utterance starts at 660
    with service.project.read() as db:
        assert db.scalar(select(func.count()).select_from(SegmentRating)) == 0
    service.undo()
    assert len(segments(service.project, session.id)) == 3
    with service.project.read() as db:
        assert db.scalar(select(SegmentRating.value)) == 3
    service.run(SetRating(rater.id, IND, "withdrawal_impact", None, segment_id=segs[0].id))
    service.run(Resegment(session.id, boundaries=[0, 4, 9]))
    assert [(s.first_position, s.last_position) for s in segments(service.project, session.id)] == [
        (0, 3),
        (4, 8),
        (9, 11),
    ]
    service.run(Resegment(session.id, per_utterances=5))
    assert [(s.first_position, s.last_position, s.partial) for s in segments(service.project, session.id)] == [
        (0, 4, False), (5, 9, False), (10, 11, True)
    ]  # fmt: skip
