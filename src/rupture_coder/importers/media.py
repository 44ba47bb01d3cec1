"""Media sessions: a video or audio file (or a plain duration) with a clock and no transcript."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rupture_coder.domain import ImportProblem, ParsedSession
from rupture_coder.importers.base import ImportError_
from rupture_coder.limits import MAX_SESSION_S

MEDIA_EXTENSIONS = {
    ".mp4",
    ".m4v",
    ".mov",
    ".m4a",
    ".mp3",
    ".wav",
    ".ogg",
    ".oga",
    ".opus",
    ".flac",
    ".aac",
    ".aiff",
    ".aif",
    ".wma",
    ".webm",
    ".mkv",
    ".avi",
}


def media_hash(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while block := fh.read(chunk):
                digest.update(block)
    except OSError as exc:
        raise ImportError_(
            [
                ImportProblem(
                    str(path), "whole file", "", f"cannot read the media file: {exc.strerror}"
                )
            ]
        ) from None
    return digest.hexdigest()


def media_duration(path: Path) -> float:
    """Duration in seconds read from the file's own headers (mutagen)."""
    import mutagen

    try:
        info = mutagen.File(path)
    except Exception as exc:  # noqa: BLE001 - mutagen on a damaged file: MutagenError and others
        raise ImportError_(
            [
                ImportProblem(
                    str(path), "whole file", "", f"cannot read the media file ({str(exc)[:200]})"
                )
            ]
        ) from None
    length = getattr(getattr(info, "info", None), "length", None)
    if not length:
        raise ImportError_([ImportProblem(str(path), "whole file", path.suffix,
                                          "cannot read the duration of this media file; give it with --duration")])  # fmt: skip
    if not 0 < float(length) <= MAX_SESSION_S:
        raise ImportError_([ImportProblem(str(path), "whole file", f"{float(length):.0f} s",
                                          "the media file's header gives a duration outside 0 to 24 hours; "
                                          "give the real one with --duration")])  # fmt: skip
    return float(length)


def media_session(
    path: Path | None,
    duration_s: float | None = None,
    title: str | None = None,
    kind: str = "individual",
) -> ParsedSession:
    """A session coded by time; with a file, its duration comes from the file unless given."""
    if duration_s is not None and not (0 < duration_s <= MAX_SESSION_S):
        raise ImportError_([ImportProblem("--duration", "value", str(duration_s),
                                          "a media session lasts more than 0 seconds and at most 24 hours")])  # fmt: skip
    if path is None:
        if not duration_s or duration_s <= 0:
            raise ImportError_(
                [
                    ImportProblem(
                        "--duration",
                        "value",
                        str(duration_s),
                        "a media session needs a duration > 0",
                    )
                ]
            )
        return ParsedSession(title or "Media session", duration_s=duration_s, kind=kind)
    if not path.exists():
        raise ImportError_([ImportProblem(str(path), "whole file", "", "no such media file")])
    if not path.is_file():
        raise ImportError_(
            [ImportProblem(str(path), "whole file", "", "not a media file (a folder or a device)")]
        )
    duration = duration_s or media_duration(path)
    return ParsedSession(
        title or path.stem, duration_s=duration, media_path=str(path.resolve()), media_hash=media_hash(path),
        kind=kind, source_file=path.name,
    )  # fmt: skip
