"""A package whose manifest or data is JSON nested a hundred thousand deep (200 KB) is refused
in one line, never a RecursionError traceback, and the lead's project is unchanged."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest
from test_lab_roundtrip import SAMPLE, ok, refused, rows

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("member", ["manifest.json", "data.json"])
def test_a_deeply_nested_package_is_refused_in_one_line(tmp_path, member):
    lab = tmp_path / "lab.rcproj"
    ok("raters", "add", "Lena", "--role", "lead", "--create", project=lab)
    ok("import", str(SAMPLE), project=lab)
    ok("raters", "add", "Ann", project=lab)
    rater_id = rows(lab, "select id from raters where name = 'Ann'")[0][0]
    manifest = {
        "format": "rupture-coder-package/1",
        "rater": {"id": rater_id, "name": "Ann"},
        "created": "2026-01-01T00:00:00+00:00",
        "sha256": hashlib.sha256(DEEP.encode()).hexdigest(),  # a checksum anyone can compute
        "signature": "0" * 64,
    }
    package = tmp_path / "deep.rcpkg"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", DEEP if member == "manifest.json" else json.dumps(manifest))
        z.writestr("data.json", DEEP)
    before = rows(lab, "select * from raters union all select rater_id, sha256, '', '' "
                  "from merged_packages")  # fmt: skip
    line = refused("merge", str(package), project=lab)
    assert "deep.rcpkg" in line and "nested too deeply" in line, line
    assert rows(lab, "select * from raters union all select rater_id, sha256, '', '' "
                "from merged_packages") == before  # fmt: skip
    assert not list(tmp_path.glob("lab.rcproj.backup-*"))
