"""Make the screenshots the README and docs show, from the bundled demo project.

Run: make screenshots (offscreen Qt; writes docs/screenshots/*.png).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="rupture-coder-shots-"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")  # no remembered window state
    from rupture_coder.gui.app import make_app, open_main_window
    from rupture_coder.services import queries
    from rupture_coder.services.demo import build_demo
    from rupture_coder.store.db import open_project

    app = make_app()
    path = tmp / "demo.rcproj"
    project = open_project(path)
    build_demo(project)
    demo_coder = next(r.id for r in queries.raters(project) if r.name == "Demo coder")
    project.close()
    window = open_main_window(path, rater_id=demo_coder)
    window.resize(1440, 900)
    window.show()
    OUT.mkdir(parents=True, exist_ok=True)

    def shot(title: str, row: int, name: str, last: int | None = None) -> None:
        for i in range(window.sessions.topLevelItemCount()):
            item = window.sessions.topLevelItem(i)
            if item.text(0) == title:
                window.sessions.setCurrentItem(item)
        window.ratings_dock.raise_()
        window.view.select_rows(row, last)
        for _ in range(3):
            app.processEvents()
        window._refresh_slow_views()
        app.processEvents()
        window.grab().save(str(OUT / name))
        print(f"wrote docs/screenshots/{name}")

    shot("Individual session 7", 17, "main-individual.png")
    shot("Skills group, session 3", 2, "main-group.png")
    dashboard = window.open_agreement()
    dashboard.codebook_box.setCurrentIndex(dashboard.codebook_box.findData("3rs-individual@1.0.0"))
    dashboard.unit_box.setCurrentText("segment-rating")
    deadline = time.monotonic() + 60  # the statistics run on a worker: wait for the table
    while time.monotonic() < deadline and (
        dashboard.status.text().startswith("Computing") or dashboard.table.rowCount() == 0
    ):
        app.processEvents()
        time.sleep(0.02)
    app.processEvents()
    dashboard.grab().save(str(OUT / "agreement.png"))
    print("wrote docs/screenshots/agreement.png")
    dashboard.close()
    window.close()
    window.project.close()
    # the lead's reconciliation of the demo's two coders
    from rupture_coder.services.project import AddRater

    lead_window = open_main_window(path)
    lead = lead_window.service.run(AddRater("Lead", "lead")).result
    lead_window.set_identity(lead.id)
    lead_window.resize(1440, 900)
    lead_window.show()
    for i in range(lead_window.sessions.topLevelItemCount()):
        if lead_window.sessions.topLevelItem(i).text(0) == "Individual session 7":
            lead_window.sessions.setCurrentItem(lead_window.sessions.topLevelItem(i))
    app.processEvents()
    dialog = lead_window.open_reconcile()
    dialog.accept_agreements()
    dialog.note.setText("C3 and C2 name the same moment; C3 fits the homework complaint")
    dialog.decide("kept", chosen=dialog.rater_ids[0])
    for _ in range(3):
        app.processEvents()
    dialog.grab().save(str(OUT / "reconcile.png"))
    print("wrote docs/screenshots/reconcile.png")
    dialog.close()
    lead_window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
