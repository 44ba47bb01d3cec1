"""Timestamps as transcripts write them: hh:mm:ss, hh:mm:ss.mmm, hh:mm:ss,mmm, mm:ss, seconds."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?$")
_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")


def parse_timestamp(text: str) -> float:
    """Seconds from a timestamp string; ValueError with the accepted forms otherwise."""
    t = text.strip().strip("[]()")
    m = _CLOCK.match(t)
    if m:
        hours, minutes, seconds, frac = m.groups()
        value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
        return value + (int(frac.ljust(3, "0")) / 1000 if frac else 0.0)
    if _SECONDS.match(t):
        return float(t)
    raise ValueError(
        f"{text!r} is not a timestamp (expected hh:mm:ss, hh:mm:ss.mmm, hh:mm:ss,mmm, mm:ss "
        "or seconds)"
    )


def format_timestamp(seconds: float | None, millis: bool = False) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    out = f"{h:02d}:{m:02d}:{s:02d}"
    if millis:
        out += f".{round((seconds - whole) * 1000):03d}"
    return out
