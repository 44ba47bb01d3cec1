"""package, merge, export and report from the command line."""

from __future__ import annotations

import json

import pandas as pd
from docx import Document
from test_packages import study  # noqa: F401  (fixture)

from rupture_coder.cli import main


def test_package_merge_export_report(study, capsys):  # noqa: F811
    lead_path, coders, tmp = study
    for name, (p, _svc, _rater, _session) in coders.items():
        assert (
            main(
                [
                    "package",
                    "--project",
                    str(p.path),
                    "--rater",
                    name,
                    "--out",
                    str(tmp / f"{name}.rcpkg"),
                ]
            )
            == 0
        )
        assert (
            f"wrote {tmp / name}.rcpkg: {name}, 1 session(s), 3 code(s)" in capsys.readouterr().out
        )
    packages = [str(tmp / "Ann.rcpkg"), str(tmp / "Bob.rcpkg")]
    assert main(["merge", *packages, "--project", str(lead_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [r["rater"] for r in result[:2]] == ["Ann", "Bob"] and result[-1]["changed_rows"] > 0
    assert main(["merge", packages[0], "--project", str(lead_path)]) == 0
    assert "nothing changed: already merged" in capsys.readouterr().out
    (tmp / "broken.rcpkg").write_bytes(b"PK\x03\x04 not really")
    assert main(["merge", str(tmp / "broken.rcpkg"), "--project", str(lead_path)]) == 1
    assert "corrupt or truncated" in capsys.readouterr().err
    assert (
        main(["export", "--project", str(lead_path), "--format", "xlsx", "--out", str(tmp / "out")])
        == 0
    )
    segments = pd.read_excel(tmp / "out" / "segments.xlsx")
    assert set(segments.rater) == {"Ann", "Bob"} and segments.app_version.notna().all()
    assert (
        main(
            [
                "report",
                "--project",
                str(lead_path),
                "--session",
                "Individual session 7",
                "--out",
                str(tmp / "s.docx"),
            ]
        )
        == 0
    )
    assert (
        main(["report", "--project", str(lead_path), "--study", "--out", str(tmp / "study.docx")])
        == 0
    )
    assert Document(tmp / "s.docx").inline_shapes and Document(tmp / "study.docx").tables
    assert (
        main(
            [
                "report",
                "--project",
                str(lead_path),
                "--session",
                "Nope",
                "--out",
                str(tmp / "x.docx"),
            ]
        )
        == 1
    )
    assert "no session 'Nope'" in capsys.readouterr().err
