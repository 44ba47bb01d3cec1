"""``rupture-coder settings`` and the session commands, each run as a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from test_importers import make_wav, write

from rupture_coder.services import ProjectService, queries
from rupture_coder.services.imports import plan_media_import, run_import
from rupture_coder.store.db import open_project


def cli(*args: str, project) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "rupture_coder", *args, "--project", str(project)],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip


def test_settings_list_get_set_reset_and_refusals(tmp_path):
    project = tmp_path / "p.rcproj"
    assert "--create" in cli("settings", "list", project=project).stderr  # not made by a read
    open_project(project).close()
    listed = json.loads(cli("settings", "list", "--json", project=project).stdout)
    keys = {row["key"]: row for row in listed}
    assert {"summary.impact_threshold", "summary.repair_window", "coding.reaction_offset_s",
            "calibration.criterion", "media.jump_s"} <= set(keys)  # fmt: skip
    assert (
        keys["summary.impact_threshold"]["value"] == 3
        and keys["summary.impact_threshold"]["is_default"]
    )
    done = cli("settings", "set", "summary.impact_threshold", "4", project=project)
    assert done.returncode == 0 and done.stdout.strip() == "summary.impact_threshold = 4"
    assert cli("settings", "get", "summary.impact_threshold", project=project).stdout.strip() == "4"
    for value, why in (
        ("6", "out of range"),
        ("2.5", "not a whole number"),
        ("many", "not a number"),
    ):
        bad = cli("settings", "set", "summary.impact_threshold", value, project=project)
        assert bad.returncode == 1 and why in bad.stderr and "Traceback" not in bad.stderr
    unknown = cli("settings", "set", "summary.nope", "1", project=project)
    assert unknown.returncode == 1 and "unknown setting 'summary.nope'" in unknown.stderr
    assert cli("settings", "get", "summary.impact_threshold", project=project).stdout.strip() == "4"
    cli("settings", "reset", "summary.impact_threshold", project=project)
    assert cli("settings", "get", "summary.impact_threshold", project=project).stdout.strip() == "3"
    p = open_project(project)  # every change is one audited command
    with p.read() as db:
        from sqlalchemy import select

        from rupture_coder.store.models import AuditEntry

        summaries = [
            a.summary for a in db.scalars(select(AuditEntry).filter_by(command="set setting"))
        ]
    p.close()
    assert summaries == ["set summary.impact_threshold = '4'", "reset summary.impact_threshold"]


def test_resegment_attach_and_delete_from_the_command_line(tmp_path):
    project = tmp_path / "m.rcproj"
    p = open_project(project)
    wav = make_wav(tmp_path / "s.wav", 700)
    run_import(ProjectService(p, "t"), plan_media_import(p, wav, title="Recorded"))
    p.close()
    srt = write(tmp_path / "t.srt", "1\n00:00:01,000 --> 00:00:03,000\nT: Hello.\n\n"
                "2\n00:06:00,000 --> 00:06:02,000\nP: Hi.\n")  # fmt: skip
    done = cli("attach-transcript", "Recorded", str(srt), "--offset", "5", project=project)
    assert done.returncode == 0, done.stderr
    again = cli("attach-transcript", "Recorded", str(srt), project=project)
    assert again.returncode == 1 and "already has a transcript" in again.stderr
    done = cli("resegment", "Recorded", "--minutes", "2", project=project)
    assert done.returncode == 0 and "6 segment(s)" in done.stdout, done.stdout + done.stderr
    refused = cli("delete-session", "Recorded", project=project)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    missing = cli("delete-session", "Nope", "--yes", project=project)
    assert missing.returncode == 1 and "no session 'Nope'" in missing.stderr
    p = open_project(project)
    (info,) = queries.list_sessions(p)
    assert [u.start_s for u in queries.transcript(p, info.id)] == [6.0, 365.0]
    p.close()
    assert cli("delete-session", "Recorded", "--yes", project=project).returncode == 0
    p = open_project(project)
    assert queries.list_sessions(p) == []
    p.close()
