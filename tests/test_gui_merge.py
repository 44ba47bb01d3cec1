"""Study > Merge rater packages… as the lead uses it: the verified rater in the status bar, a
forged package's reasons in a dialog, and an older package asked about ("Merge anyway")."""

from __future__ import annotations

from gui_helpers import button, click, wait_window
from package_forgery import repack, unpack
from test_package_attacks import sent, snapshot  # noqa: F401  (fixtures)
from test_packages import study  # noqa: F401  (fixture)

from rupture_coder.gui.main_window import MainWindow
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import UpdateCode
from rupture_coder.services.project import AddRater
from rupture_coder.store.db import open_project
from rupture_coder.study.packages import export_package


def trigger(window, text: str) -> None:
    (action,) = [a for a in window.actions() if a.text().replace("&", "") == text]
    action.trigger()


def lead_window(qtbot, lead_path):
    lead = open_project(lead_path)
    me = ProjectService(lead, "lead").run(AddRater("Lead", "lead")).result
    window = MainWindow(lead, "lead", rater_id=me.id)
    qtbot.addWidget(window)
    window.show()
    return window


def merge_in(qtbot, window, paths) -> None:
    window._ask_path = lambda *_a, **_k: [str(p) for p in paths]  # the file dialog's answer
    trigger(window, "Merge rater packages…")


def status(window) -> str:
    return window.statusBar().currentMessage()


def test_an_older_package_is_asked_about_and_merged_only_when_the_lead_says_so(
    qtbot,
    sent,  # noqa: F811
    study,  # noqa: F811
):
    lead_path, out, tmp = sent
    _lp, coders, _t = study
    older = out["Ann"][0]
    p = open_project(coders["Ann"][0].path)
    ann, session = coders["Ann"][2], coders["Ann"][3]
    (c5,) = [c for c in queries.codes(p, session.id, ann.id) if c.item_id == "C5"]
    ProjectService(p, "Ann").run(UpdateCode(c5.id, {"note": "newer"}))
    export_package(p, ann.id, tmp / "newer.rcpkg")
    p.close()
    window = lead_window(qtbot, lead_path)
    merge_in(qtbot, window, [tmp / "newer.rcpkg"])
    qtbot.waitUntil(
        lambda: "merged 1 package(s): 4 row(s) changed; signed by Ann (verified)" in status(window)
    )

    def c5_note() -> str:
        codes = queries.codes(window.project, session.id, ann.id)
        return next(c.note for c in codes if c.item_id == "C5")

    assert c5_note() == "newer"
    merge_in(qtbot, window, [older])
    box = wait_window(qtbot, "olderPackageDialog")
    made = unpack(older)[0]["created"][:10]
    assert f"it was made {made}" in box.text() and "before the package of Ann" in box.text()
    click(qtbot, button(box, "Don't merge"))
    qtbot.waitUntil(lambda: "not merged; nothing was changed" in status(window))
    assert c5_note() == "newer"
    merge_in(qtbot, window, [older])
    box = wait_window(qtbot, "olderPackageDialog")
    click(qtbot, button(box, "Merge anyway"))
    qtbot.waitUntil(lambda: "1 row(s) changed; signed by Ann (verified)" in status(window))
    assert c5_note() == ""


def test_a_forged_package_shows_its_reason_and_changes_nothing(qtbot, sent):  # noqa: F811
    lead_path, out, tmp = sent
    forged = repack(out["Bob"][0], tmp / "forged.rcpkg", lambda d: d["rater"].update(role="lead"))
    window = lead_window(qtbot, lead_path)
    before = queries.raters(window.project)
    merge_in(qtbot, window, [out["Ann"][0], forged])
    box = wait_window(qtbot, "failureDialog")
    assert "signature does not verify with the key issued to Bob" in box.text()
    assert queries.raters(window.project) == before
    assert (
        queries.codes(window.project, queries.list_sessions(window.project)[0].id, out["Ann"][1])
        == []
    )
    box.close()
