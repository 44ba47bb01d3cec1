"""Attacks on ``handout`` and on a locked project through the CLI, each a separate process: a
handout never silently replaces an existing file, names a folder given as --out, and a write
refused because another process holds the project prints one line, never a traceback."""

from __future__ import annotations

import sqlite3
import zipfile

from test_lab_roundtrip import SAMPLE, cli, ok, refused, rows


def _lab(tmp_path):
    lab = tmp_path / "lab.rcproj"
    ok("raters", "add", "Lena", "--role", "lead", "--create", project=lab)
    ok("import", str(SAMPLE), project=lab)
    ok("raters", "add", "Ann", project=lab)
    return lab


def test_a_handout_refuses_to_replace_an_existing_file_unless_told(tmp_path):
    lab = _lab(tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("the lead's notes\n", encoding="utf-8")
    line = refused("handout", "--rater", "Ann", "--out", str(notes), project=lab)
    assert "notes.txt exists" in line and "--replace" in line
    assert notes.read_text(encoding="utf-8") == "the lead's notes\n"
    copy = tmp_path / "ann.rcproj"
    ok("handout", "--rater", "Ann", "--out", str(copy), project=lab)
    before = copy.read_bytes()
    refused("handout", "--rater", "Ann", "--out", str(copy), project=lab)
    assert copy.read_bytes() == before
    ok("handout", "--rater", "Ann", "--out", str(copy), "--replace", project=lab)
    assert rows(copy, "select name, role from raters") == [("Ann", "coder")]
    # the project itself is still refused by its own message, --replace or not
    line = refused("handout", "--rater", "Ann", "--out", str(lab), "--replace", project=lab)
    assert "is the project itself" in line


def test_a_handout_to_a_folder_names_the_folder(tmp_path):
    lab = _lab(tmp_path)
    line = refused("handout", "--rater", "Ann", "--out", str(tmp_path), project=lab)
    assert f"{tmp_path} is a folder" in line and ".part" not in line
    assert not list(tmp_path.glob(".*.part"))


def test_a_locked_project_refuses_a_write_in_one_line(tmp_path):
    lab = _lab(tmp_path)
    before = rows(lab, "select name from raters order by name")
    con = sqlite3.connect(lab, isolation_level=None)
    con.execute("begin immediate")  # another process writing (a GUI saving, a sync tool)
    try:
        for args in (("raters", "add", "Carl"), ("handout", "--rater", "Ann", "--out", "x")):
            done = cli(*args, project=lab)
            assert done.returncode != 0
            assert "Traceback" not in done.stderr, done.stderr
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and "another program is writing" in lines[0], done.stderr
    finally:
        con.execute("rollback")
        con.close()
    assert rows(lab, "select name from raters order by name") == before


def test_a_package_to_a_folder_names_the_folder(tmp_path):
    lab = _lab(tmp_path)
    copy = tmp_path / "ann.rcproj"
    ok("handout", "--rater", "Ann", "--out", str(copy), project=lab)
    out = tmp_path / "packages"
    out.mkdir()
    line = refused("package", "--out", str(out), project=copy)
    assert line == (
        f"rupture-coder package: {out}: is a folder, not a file; name the file to write"
    ), line
    assert list(out.iterdir()) == [] and not list(tmp_path.glob(".*.part"))


def test_a_copy_whose_binding_was_damaged_by_hand_is_refused_in_one_line(tmp_path):
    lab = _lab(tmp_path)
    copy = tmp_path / "ann.rcproj"
    ok("handout", "--rater", "Ann", "--out", str(copy), project=lab)
    con = sqlite3.connect(copy)
    with con:
        con.execute("update project_settings set value = 'not json{' where key = 'bound_rater_id'")
    con.close()
    for args in (("package", "--out", str(tmp_path / "ann.rcpkg")), ("export", "--out", "e")):
        line = refused(*args, project=copy)
        assert "bound_rater_id is damaged" in line, line
    assert not (tmp_path / "ann.rcpkg").exists()


def test_a_package_never_replaces_a_project(tmp_path):
    lab = _lab(tmp_path)
    copy = tmp_path / "ann.rcproj"
    ok("handout", "--rater", "Ann", "--out", str(copy), project=lab)
    ann_codes = "select count(*) from raters union all select count(*) from code_events"
    before = rows(lab, ann_codes), rows(copy, ann_codes)
    line = refused("package", "--out", str(copy), project=copy)
    assert line.endswith("ann.rcproj: is the project itself; choose another file for the package")
    line = refused("package", "--out", str(lab), project=copy)
    assert "lab.rcproj: is a project file, which the package would replace" in line
    assert (rows(lab, ann_codes), rows(copy, ann_codes)) == before  # still projects, unchanged
    assert rows(copy, "select name from raters") == [("Ann",)]
    # an older package of the same name is replaced, as before
    ok("package", "--out", str(tmp_path / "ann.rcpkg"), project=copy)
    ok("package", "--out", str(tmp_path / "ann.rcpkg"), project=copy)
    # any other file is not: the lead's notes, an archive that is no package
    notes = tmp_path / "notes.txt"
    notes.write_text("the coder's notes\n", encoding="utf-8")
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("photo.txt", "not a package")
    for other in (notes, archive):
        before_bytes = other.read_bytes()
        line = refused("package", "--out", str(other), project=copy)
        assert f"{other.name}: exists and is not a rater package" in line
        assert other.read_bytes() == before_bytes


def test_a_replaced_copy_leaves_no_stale_wal_behind(tmp_path):
    """The old copy's -wal (its coder had it open, or the app was killed) must not be replayed
    onto the new copy: --replace removes it with the file it belonged to."""
    lab = _lab(tmp_path)
    copy = tmp_path / "ann.rcproj"
    ok("handout", "--rater", "Ann", "--out", str(copy), project=lab)
    con = sqlite3.connect(copy)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("UPDATE raters SET name = 'stale' WHERE name = 'Ann'")
    con.commit()
    wal = (tmp_path / "ann.rcproj-wal").read_bytes()  # the old copy's un-checkpointed change
    con.close()
    (tmp_path / "ann.rcproj-wal").write_bytes(wal)
    ok("handout", "--rater", "Ann", "--out", str(copy), "--replace", project=lab)
    assert not (tmp_path / "ann.rcproj-wal").exists()
    assert rows(copy, "select name, role from raters") == [("Ann", "coder")]


def test_a_copy_saved_over_an_old_one_leaves_no_stale_wal_behind(tmp_path):
    """File > Save a copy goes through the same backup as handout: a replaced file's -wal goes."""
    from rupture_coder.store.db import backup_sqlite

    src, dest = tmp_path / "src.db", tmp_path / "dest.db"
    for path, value in ((src, "new"), (dest, "old")):
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE t (v TEXT)")
        con.execute("INSERT INTO t VALUES (?)", (value,))
        con.commit()
        con.close()
    con = sqlite3.connect(dest)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("UPDATE t SET v = 'stale'")
    con.commit()
    wal = (tmp_path / "dest.db-wal").read_bytes()
    con.close()
    (tmp_path / "dest.db-wal").write_bytes(wal)
    backup_sqlite(src, dest)
    assert not (tmp_path / "dest.db-wal").exists()
    assert rows(dest, "select v from t") == [("new",)]
