"""Projects that cannot be opened as they are: damaged, cut off, read-only, in a read-only folder,
on a full disk, or not there. Each gets a named refusal from the command line (a separate
process), nothing changes, and reading commands still read what can be read."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "sample_transcripts" / "individual-session-07.txt"
NOBODY = 65534


def cli(*args: str, user: int | None = None, **kw) -> subprocess.CompletedProcess:
    """rupture-coder as a separate process; ``user``: as that user (when the tests run as root,
    who may write anything, a read-only file is only read-only to someone else)."""
    prefix = []
    if user is not None:
        prefix = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
    return subprocess.run([*prefix, sys.executable, "-m", "rupture_coder", *args],
                          capture_output=True, text=True, timeout=300, **kw)  # fmt: skip


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("base") / "base.rcproj"
    run = cli("import", str(SAMPLE), "--project", str(path), "--create")
    assert run.returncode == 0, run.stderr
    return path


@pytest.fixture
def shared_dir():
    """A folder another user can reach (pytest's own folders are private to their owner)."""
    path = Path(tempfile.mkdtemp(prefix="rc-damage-"))
    path.chmod(0o777)
    yield path
    for p in path.rglob("*"):
        p.chmod(0o777)
    shutil.rmtree(path, ignore_errors=True)


def other_user() -> int | None:
    if os.geteuid() != 0:
        return None  # a normal user: chmod is enough
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only file is writable to root")
    probe = subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
         sys.executable, "-c", "import rupture_coder"],
        capture_output=True, text=True,
    )  # fmt: skip
    if probe.returncode != 0:  # e.g. a checkout in a folder only its owner may enter (mktemp -d)
        pytest.skip(
            "the app cannot run as another user from this checkout (its folders are private to "
            f"their owner): {probe.stderr.strip().splitlines()[-1] if probe.stderr else ''}"
        )
    return NOBODY


def sessions(project: Path, **kw) -> subprocess.CompletedProcess:
    return cli("sessions", "--project", str(project), "--json", **kw)


def assert_refused(run: subprocess.CompletedProcess, *phrases: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and run.stdout == ""
    for phrase in phrases:
        assert phrase in run.stderr, run.stderr


def test_a_missing_folder_is_an_error_unless_asked_to_create_it(tmp_path):
    target = tmp_path / "typo" / "dir" / "x.rcproj"
    for command in (("sessions",), ("import", str(SAMPLE))):
        run = cli(*command, "--project", str(target))
        assert_refused(run, f"{target}: no such folder", "--create")
        assert not (tmp_path / "typo").exists()
    run = cli("sessions", "--project", str(tmp_path / "missing.rcproj"))
    assert_refused(run, "no such project", "--create")
    assert not (tmp_path / "missing.rcproj").exists()
    run = cli("sessions", "--project", str(target), "--create", "--json")
    assert run.returncode == 0 and json.loads(run.stdout) == [] and target.exists()
    assert f"created the new project {target}" in run.stderr
    fresh = tmp_path / "fresh.rcproj"  # importing into a new file in an existing folder makes it
    assert cli("import", str(SAMPLE), "--project", str(fresh)).returncode == 0 and fresh.exists()


def test_a_cut_off_project_is_refused_and_points_at_the_latest_backup(base, tmp_path):
    damaged = tmp_path / "p.rcproj"
    damaged.write_bytes(base.read_bytes()[:100_000])
    run = sessions(damaged)
    assert_refused(run, f"{damaged}: the project file is damaged", "the file is cut off: 100,000 bytes",
                   "No backup of it was found")  # fmt: skip
    backup = tmp_path / "p.rcproj.backup-merge-20260101T000000Z"
    shutil.copyfile(base, backup)
    run = sessions(damaged)
    assert_refused(run, f"The latest backup is {backup}", "it passes the same check",
                   "copy it over p.rcproj")  # fmt: skip
    assert damaged.stat().st_size == 100_000  # nothing changed


def test_an_overwritten_page_is_found_by_the_check_on_open(base, tmp_path):
    damaged = tmp_path / "p.rcproj"
    data = bytearray(base.read_bytes())
    con = sqlite3.connect(base)
    (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'utterances'").fetchone()
    con.close()
    page = 4096 * (root - 1)
    data[page : page + 4096] = os.urandom(4096)
    damaged.write_bytes(bytes(data))
    run = sessions(damaged)
    assert_refused(run, "the project file is damaged (SQLite's check found:", "Nothing was changed")
    assert damaged.read_bytes() == bytes(data)
    assert_refused(
        cli("import", str(SAMPLE), "--project", str(damaged)), "the project file is damaged"
    )


def test_a_read_only_project_can_be_read_but_not_written(base, shared_dir):
    project = shared_dir / "p.rcproj"
    shutil.copyfile(base, project)
    project.chmod(0o444)
    user = other_user()
    run = sessions(project, user=user)
    assert run.returncode == 0, run.stderr
    assert [s["utterances"] for s in json.loads(run.stdout)] == [53]
    before = project.read_bytes()
    run = cli("import", str(SAMPLE), "--project", str(project), user=user)
    assert_refused(
        run, f"{project}: cannot open the project: the file is read-only", "Nothing was changed"
    )
    assert project.read_bytes() == before


def test_a_project_in_a_read_only_folder_can_be_read_but_not_written(base, shared_dir):
    folder = shared_dir / "ro"
    folder.mkdir()
    project = folder / "p.rcproj"
    shutil.copyfile(base, project)
    project.chmod(0o666)
    folder.chmod(0o555)
    user = other_user()
    run = sessions(project, user=user)
    assert run.returncode == 0 and json.loads(run.stdout)[0]["utterances"] == 53, run.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["p.rcproj"]  # no journal left beside it
    run = cli("import", str(SAMPLE), "--project", str(project), user=user)
    assert_refused(run, f"its folder {folder} cannot be written")


FULL_DISK = r"""
set -e
mount -t tmpfs -o size=2m tmpfs "$DIR"
cp "$BASE" "$DIR/p.rcproj"
dd if=/dev/zero of="$DIR/fill" bs=64k 2>/dev/null || true
set +e
"$PY" -m rupture_coder sessions --project "$DIR/p.rcproj" --json > "$OUT/sessions.out" 2> "$OUT/sessions.err"
echo $? > "$OUT/sessions.rc"
"$PY" -m rupture_coder import "$SAMPLE" --project "$DIR/p.rcproj" > "$OUT/import.out" 2> "$OUT/import.err"
echo $? > "$OUT/import.rc"
"$PY" -m rupture_coder export --project "$DIR/p.rcproj" --format xlsx --out "$DIR" > "$OUT/export.out" 2> "$OUT/export.err"
echo $? > "$OUT/export.rc"
rm -f "$DIR"/.*.part
ls "$DIR" > "$OUT/ls"
"""


def test_a_full_disk_is_named_and_reading_still_works(base, tmp_path):
    """A real full file system: a 2 MB tmpfs filled up, mounted in a private mount namespace
    (``unshare``; as an unprivileged user through a user namespace)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed: cannot mount a small file system to fill")
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir()
    out.mkdir()
    ns = (
        ["unshare", "--mount"]
        if os.geteuid() == 0
        else ["unshare", "--user", "--map-root-user", "--mount"]
    )
    env = dict(
        os.environ,
        DIR=str(mnt),
        OUT=str(out),
        BASE=str(base),
        PY=sys.executable,
        SAMPLE=str(SAMPLE),
    )
    setup = subprocess.run(
        [*ns, "sh", "-c", FULL_DISK], env=env, capture_output=True, text=True, timeout=300
    )
    if not (out / "sessions.rc").exists():
        pytest.skip(f"cannot mount a small file system here: {setup.stderr.strip()[:200]}")
    assert (out / "sessions.rc").read_text().strip() == "0", (out / "sessions.err").read_text()
    assert json.loads((out / "sessions.out").read_text())[0]["utterances"] == 53
    assert (out / "import.rc").read_text().strip() == "2"
    err = (out / "import.err").read_text()
    assert "the disk holding it is full" in err and "Traceback" not in err
    assert (out / "export.rc").read_text().strip() == "1"
    err = (out / "export.err").read_text()
    assert "cannot write the export (No space left on device" in err and "Traceback" not in err, err
    assert (out / "ls").read_text().split() == ["fill", "p.rcproj"]  # no journal files were left


def test_an_export_that_cannot_be_written_is_named(base, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        run = cli("export", "--project", str(base), "--format", "csv", "--out", str(out))
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
        assert f"rupture-coder export: {out}: cannot make the export folder" in run.stderr
    assert blocker.read_text() == "x"
