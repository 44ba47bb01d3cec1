"""Every keyboard shortcut of the coding workspace, as data: one registry the GUI binds from, the
help overlay (F1) lists, and a test checks against every codebook's hotkeys."""

from __future__ import annotations

from dataclasses import dataclass

from rupture_coder.codebook import Codebook
from rupture_coder.codebook.model import normalise_hotkey


@dataclass(frozen=True)
class Shortcut:
    id: str
    keys: str
    description: str
    group: str


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("next_utterance", "Down", "next utterance", "Transcript"),
    Shortcut("previous_utterance", "Up", "previous utterance", "Transcript"),
    Shortcut("extend_down", "Shift+Down", "extend the selection down", "Transcript"),
    Shortcut("extend_up", "Shift+Up", "extend the selection up", "Transcript"),
    Shortcut("next_segment", "Ctrl+Down", "first utterance of the next segment", "Transcript"),
    Shortcut(
        "previous_segment", "Ctrl+Up", "first utterance of the previous segment", "Transcript"
    ),
    Shortcut("search", "Ctrl+F", "search the transcript", "Transcript"),
    Shortcut("search_next", "F3", "next search hit", "Transcript"),
    Shortcut("back_to_transcript", "Escape", "back to the transcript", "Transcript"),
    Shortcut("next_session", "Ctrl+PgDown", "next session in the list", "Sessions"),
    Shortcut("previous_session", "Ctrl+PgUp", "previous session in the list", "Sessions"),
    Shortcut(
        "filter_sessions",
        "Ctrl+Shift+F",
        "filter the session list (Enter: first match)",
        "Sessions",
    ),
    Shortcut(
        "rate_segment",
        "Ctrl+R",
        "rate the current segment (Tab moves, digits rate, 0 = N/A)",
        "Ratings",
    ),
    Shortcut("rate_session", "Ctrl+Shift+R", "session ratings", "Ratings"),
    Shortcut("mark_complete", "Ctrl+Return", "mark the session complete", "Ratings"),
    Shortcut("codes_here", "Ctrl+K", "the codes on the current utterance", "Codes"),
    Shortcut("delete_code", "Delete", "delete the selected code (in the codes list)", "Codes"),
    Shortcut(
        "move_code",
        "Ctrl+M",
        "in the codes list: pick the code up; in the transcript: move it to the selection",
        "Codes",
    ),
    Shortcut("note_code", "Ctrl+E", "edit the note of the selected code", "Codes"),
    Shortcut("flag_code", "Ctrl+G", "flag the selected code for supervisor review", "Codes"),
    Shortcut("play_pause", "Ctrl+Space", "play or pause the media", "Media"),
    Shortcut(
        "spans",
        "Ctrl+B",
        "without a transcript: item keys code spans (press to start, again to end) or instants",
        "Media",
    ),
    Shortcut("jump_back", "Ctrl+Left", "jump back (5 s by default)", "Media"),
    Shortcut("jump_forward", "Ctrl+Right", "jump forward", "Media"),
    Shortcut("slower", "Ctrl+[", "slower playback", "Media"),
    Shortcut("faster", "Ctrl+]", "faster playback", "Media"),
    Shortcut("undo", "Ctrl+Z", "undo", "Edit"),
    Shortcut("redo", "Ctrl+Shift+Z", "redo", "Edit"),
    Shortcut("import", "Ctrl+I", "import sessions", "File"),
    Shortcut("new_project", "Ctrl+N", "create a new project", "File"),
    Shortcut("open", "Ctrl+O", "open a project", "File"),
    Shortcut("agreement", "Ctrl+Shift+A", "inter-rater agreement", "Analysis"),
    Shortcut("help", "F1", "this list", "Help"),
)
BY_ID = {s.id: s for s in SHORTCUTS}


def keys(shortcut_id: str) -> str:
    return BY_ID[shortcut_id].keys


def clashes(codebook: Codebook) -> list[str]:
    """Codebook hotkeys that an app shortcut already uses (they would never reach the item)."""
    taken = {normalise_hotkey(s.keys): s for s in SHORTCUTS}
    return [
        f"{item.id} hotkey {item.hotkey} is the app's '{taken[item.hotkey].description}' ({taken[item.hotkey].keys})"
        for item in codebook.items()
        if item.hotkey in taken
    ]
