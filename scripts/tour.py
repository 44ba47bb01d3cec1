"""A tour of the app as a person uses it, under Xvfb: real key presses and clicks (xdotool) on the
real window, a screenshot of the screen after each step (ImageMagick's ``import -window root``).

    make tour                      # = xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/tour.py tour-shots
    python scripts/tour.py DIR     # on a display that is not yours to use: run it under xvfb-run

The app runs normally in the main thread (``run_gui``), with a fresh demo project in a private
data folder. The tour runs in a second thread that only sends X events, takes screenshots and, to
find a button or check what was stored, asks the GUI thread (a queued call) - never a slot.
Each step's name and outcome is printed; the script exits non-zero if a check fails.

Then the role tours (tests/test_tour_*.py: a coder, a lead, a supervisor, each a whole job through
the real widgets) run on the same display, a screenshot per step in DIR/roles/<role>/.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

_HOME = tempfile.mkdtemp(prefix="rupture-coder-tour-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["RUPTURE_CODER_LOG"] = os.path.join(_HOME, "rupture-coder.log")

from PySide6.QtCore import QObject, Qt, Signal  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget  # noqa: E402


class GuiThread(QObject):
    """Runs a function in the GUI thread and hands its result back to the tour thread."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def _run(self, job) -> None:
        fn, box, done = job
        try:
            box.append(fn())
        except Exception as exc:  # handed back to the tour thread
            box.append(exc)
        done.set()

    def __call__(self, fn: Callable[[], Any], timeout: float = 20) -> Any:
        box: list = []
        done = threading.Event()
        self.call.emit((fn, box, done))
        if not done.wait(timeout):
            raise TimeoutError("the GUI thread did not answer (a modal dialog waiting?)")
        if isinstance(box[0], Exception):
            raise box[0]
        return box[0]


class Tour:
    def __init__(self, out: Path, gui: GuiThread):
        self.out, self.gui, self.n, self.failures = out, gui, 0, []

    # -- the person's hands --------------------------------------------------------------------
    def key(self, *keys: str, pause: float = 0.4) -> None:
        subprocess.run(["xdotool", "key", "--delay", "60", *keys], check=True)
        time.sleep(pause)

    def type(self, text: str, pause: float = 0.4) -> None:
        subprocess.run(["xdotool", "type", "--delay", "40", text], check=True)
        time.sleep(pause)

    def click_at(self, x: int, y: int, pause: float = 0.5) -> None:
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], check=True)
        time.sleep(pause)

    def click(self, text: str, window_name: str | None = None) -> None:
        """Click the visible button labelled ``text`` (in the window with that object name)."""

        def where() -> tuple[int, int]:
            roots = [w for w in QApplication.topLevelWidgets() if w.isVisible()
                     and (window_name is None or w.objectName() == window_name)]  # fmt: skip
            for root in roots:
                for b in root.findChildren(QAbstractButton):
                    if b.isVisible() and b.text().replace("&", "") == text:
                        p = b.mapToGlobal(b.rect().center())
                        return p.x(), p.y()
            raise LookupError(f"no visible button {text!r}")

        self.click_at(*self.gui(where))

    def window(self, name: str, timeout: float = 8) -> QWidget:
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.gui(lambda: next((w for w in QApplication.topLevelWidgets()
                                           if w.objectName() == name and w.isVisible()), None))  # fmt: skip
            if found is not None:
                return found
            time.sleep(0.2)
        raise LookupError(f"window {name!r} did not appear")

    # -- what the person sees ------------------------------------------------------------------
    def shot(self, name: str) -> Path:
        self.n += 1
        path = self.out / f"{self.n:02d}-{name}.png"
        time.sleep(0.4)
        subprocess.run(["import", "-window", "root", str(path)], check=True)
        print(f"  screenshot {path.name}", flush=True)
        return path

    def check(self, what: str, ok: bool) -> None:
        print(f"  {'ok ' if ok else 'FAILED'} {what}", flush=True)
        if not ok:
            self.failures.append(what)


def main_window() -> Any:
    from rupture_coder.gui.main_window import MainWindow

    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))


def steps(t: Tour) -> None:
    print("1 first start: who is coding?", flush=True)
    t.window("identityDialog")
    t.shot("identity")
    t.key("Tab")  # from the list of raters to "or type a new rater name"
    t.type("Robin")
    t.key("Return", pause=1.5)
    win = t.gui(main_window)
    t.gui(lambda: (win.activateWindow(), win.view.setFocus()))
    t.check("coding as Robin", t.gui(lambda: win.rater_box.currentText()) == "Robin")
    t.shot("workspace")

    print("2 code, extend, rate from the keyboard", flush=True)
    t.key("Down", "2")  # W2 on the second utterance
    t.key("shift+Down")
    t.key("ctrl+m")  # the W2 now spans two utterances
    t.key("ctrl+r", "4", "Tab", "1", "Escape")
    codes = t.gui(lambda: [(c.item_id, c.first_position, c.last_position) for c in win.state.codes])
    t.check("W2 on utterances 2-3", codes == [("W2", 1, 2)])
    t.shot("coded-and-rated")

    print("3 Ctrl+Return: what is missing, and a jump there", flush=True)
    t.key("ctrl+Return")
    t.window("missingDialog")
    t.shot("missing-list")
    t.key("Down", "Down", "Down", "Return", pause=1)
    t.shot("jumped-to-missing")
    t.key("Escape")

    print("4 F1, then the keyboard is back in the transcript", flush=True)
    t.key("F1")
    t.window("helpOverlay")
    t.shot("keys")
    t.key("Escape", pause=0.8)
    t.check("focus back in the transcript", t.gui(lambda: win.view.hasFocus()))

    print("5 the session filter and the next session", flush=True)
    t.key("ctrl+shift+f")
    t.type("group")
    t.key("Return", pause=1)
    t.shot("filtered-group")
    t.key("ctrl+Next", pause=1)
    t.shot("next-session")

    print("6 the same item twice is refused, in a dialog", flush=True)
    t.key("ctrl+shift+f", "ctrl+a")
    t.type("individual")
    t.key("Return", pause=1)
    t.key("2")
    t.key("2", pause=1)
    t.window("failureDialog")
    t.shot("refused-duplicate")
    t.key("Return")

    print("7 another program holds the write lock: not saved, and said so", flush=True)
    path = t.gui(lambda: str(win.project.path))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    t.key("Up", "Up", "3", pause=7)  # the busy timeout (5 s) runs out
    t.window("failureDialog")
    t.shot("locked-not-saved")
    other.execute("ROLLBACK")
    other.close()
    t.key("Return")

    print("8 Help > User guide, then File > Quit", flush=True)
    t.key("alt+h", "Return", pause=1.5)
    t.window("userGuide")
    t.shot("user-guide")
    t.key("Escape", pause=0.8)
    t.check("the guide closed with Escape",
            t.gui(lambda: not any(w.objectName() == "userGuide" and w.isVisible()
                                  for w in QApplication.topLevelWidgets())))  # fmt: skip
    t.key("ctrl+q", pause=1)


ROLE_TOURS = (
    "tests/test_tour_coder.py",
    "tests/test_tour_lead.py",
    "tests/test_tour_supervisor.py",
)


def role_tours(out: Path) -> int:
    """The acceptance tours of the three roles (the same tests ``make test`` runs), on this
    display, with a screenshot of the screen at each of their steps (tests/tours.py)."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "RUPTURE_CODER_TOUR_SHOTS": str(out.resolve())}
    print("9 the role tours: coder, lead, supervisor", flush=True)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *ROLE_TOURS],
                          cwd=root, env=env, check=False)  # fmt: skip
    return done.returncode


def run(out: Path) -> int:
    from rupture_coder.gui.app import make_app, run_gui

    out.mkdir(parents=True, exist_ok=True)
    make_app()
    gui = GuiThread()
    tour = Tour(out, gui)

    def drive() -> None:
        try:
            subprocess.run(["xdotool", "mousemove", "400", "300"], check=False)
            steps(tour)
        except Exception:
            traceback.print_exc()
            tour.failures.append("the tour stopped")
            try:
                tour.shot("where-it-stopped")
            finally:
                os._exit(1)

    threading.Thread(target=drive, daemon=True, name="tour").start()
    code = run_gui(None)
    shutil.rmtree(_HOME, ignore_errors=True)
    roles = role_tours(out / "roles")
    shots = tour.n + sum(1 for _ in (out / "roles").rglob("*.png"))
    print(f"{shots} screenshots in {out}; "
          + ("every check passed" if not (tour.failures or roles) else f"FAILED: {tour.failures or 'a role tour'}"))  # fmt: skip
    return 1 if tour.failures or code or roles else 0


if __name__ == "__main__":
    if not os.environ.get("DISPLAY"):
        sys.exit(
            "tour: no display; run it under Xvfb: xvfb-run -a -s '-screen 0 1600x1000x24' python scripts/tour.py DIR"
        )
    for tool in ("xdotool", "import"):
        if not shutil.which(tool):
            sys.exit(f"tour: {tool} is missing; scripts/setup.sh tour installs it")
    sys.exit(run(Path(sys.argv[1] if len(sys.argv) > 1 else "tour-shots")))
