"""``rupture-coder package`` in a coder copy and ``rupture-coder merge`` in the lead's project, each
a separate process: what the lead reads, and what is refused (one message, no traceback)."""

from __future__ import annotations

import subprocess
import sys

from package_forgery import repack, unpack
from test_package_attacks import sent, snapshot  # noqa: F401  (fixtures)
from test_packages import study  # noqa: F401  (fixture)

from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import UpdateCode
from rupture_coder.store.db import open_project


def cli(*args, project) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rupture_coder", *map(str, args), "--project", str(project)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_merge_names_the_verified_rater_skips_a_re_merge_and_refuses_an_older_package(
    sent,  # noqa: F811
    study,  # noqa: F811
):
    lead_path, out, tmp = sent
    _lp, coders, _t = study
    ann_copy = coders["Ann"][0].path
    older = out["Ann"][0]
    first = cli("merge", older, out["Bob"][0], project=lead_path)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == f"{older}: signed by Ann (verified); merged 3 code(s)"
    assert lines[1].endswith("signed by Bob (verified); merged 3 code(s)")
    assert lines[2].startswith("8 row(s) changed; backup taken first: ")
    again = cli("merge", older, project=lead_path)
    assert again.returncode == 0 and "already merged (" in again.stdout
    assert again.stdout.splitlines()[-1] == "nothing changed: already merged; no backup taken"
    # Ann works on in her copy and sends a newer package (made with `package`, no --rater)
    p = open_project(ann_copy)
    ann, session = coders["Ann"][2], coders["Ann"][3]
    (c5,) = [c for c in queries.codes(p, session.id, ann.id) if c.item_id == "C5"]
    ProjectService(p, "Ann").run(UpdateCode(c5.id, {"note": "newer"}))
    p.close()
    made = cli("package", "--rater", "Ann", "--out", tmp / "newer.rcpkg", project=ann_copy)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().endswith(
        "1 session(s), 3 code(s); signed with the key the lead's project issued to Ann"
    )
    assert cli("merge", tmp / "newer.rcpkg", project=lead_path).returncode == 0
    before = snapshot(lead_path)
    refused = cli("merge", older, project=lead_path)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "Traceback" not in refused.stderr and len(refused.stderr.splitlines()) == 1
    made_at = unpack(older)[0]["created"][:10], unpack(tmp / "newer.rcpkg")[0]["created"][:10]
    assert f"it was made {made_at[0]}" in refused.stderr
    assert f"(made {made_at[1]}" in refused.stderr and "--allow-older" in refused.stderr
    assert snapshot(lead_path) == before
    forced = cli("merge", older, "--allow-older", project=lead_path)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[-1].startswith("1 row(s) changed")
    notes = {c[1]: c[2] for c in snapshot(lead_path)["codes"] if c[0] == ann.id}
    assert notes["C5"] == ""


def test_a_forged_package_is_refused_by_the_cli_with_one_message(sent):  # noqa: F811
    lead_path, out, tmp = sent
    path, _ann, _secret = out["Ann"]
    forged = repack(path, tmp / "forged.rcpkg", lambda d: d["rater"].update(role="lead"))
    before = snapshot(lead_path)
    run = cli("merge", forged, project=lead_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith("rupture-coder merge: merge refused, nothing changed: ")
    assert "signature does not verify with the key issued to Ann" in run.stderr
    assert snapshot(lead_path) == before
