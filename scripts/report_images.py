"""Render the demo project's reports to page images for docs/ (needs LibreOffice and pdftoppm).

Run: .venv/bin/python scripts/report_images.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    from rupture_coder.services import ProjectService, queries
    from rupture_coder.services.demo import build_demo
    from rupture_coder.services.gold import MarkGold
    from rupture_coder.services.review import AddComment
    from rupture_coder.store.db import open_project
    from rupture_coder.study.reports import session_report, study_report

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        print("needs LibreOffice (soffice) and pdftoppm", file=sys.stderr)
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="rupture-coder-reports-"))
    project = open_project(tmp / "demo.rcproj")
    build_demo(project)
    svc = ProjectService(project, "supervisor")
    session = next(s for s in queries.list_sessions(project) if s.title == "Individual session 7")
    flagged = next(
        c for c in queries.codes(project, session.id, queries.raters(project)[0].id) if c.flagged
    )
    svc.run(
        AddComment(
            session.id,
            "Agree: the first open doubt about the work. Note the repair by R5 right after.",
            "supervisor",
            code_id=flagged.id,
        )
    )
    svc.run(MarkGold(session.id, queries.raters(project)[0].id))
    for name, path in (("session-report", session_report(project, session.id, tmp / "session-report.docx")),
                       ("study-report", study_report(project, tmp / "study-report.docx"))):  # fmt: skip
        subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(path)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(path.with_suffix(".pdf")),
                str(OUT / name),
            ],
            check=True,
        )
        print(f"wrote docs/screenshots/{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
