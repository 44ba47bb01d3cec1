"""The rater package file: a signed zip of ``manifest.json`` and ``data.json``, read with care.

The manifest names the format, the app version, the rater, when the package was made and the
SHA-256 of ``data.json``; its ``signature`` is HMAC-SHA256, keyed with the secret the lead's project
issued to the rater's coder copy, over the manifest without the signature (canonical JSON), a zero
byte, and ``data.json`` as written. A checksum alone proves nothing (anyone who edits the data can
recompute it); the signature proves that the package was made with the key of that rater's copy
and not changed since.

Reading refuses, before anything is inflated, a file that is not a zip, a zip with a member
other than those two, a name twice, a member larger than the cap or compressed suspiciously well
(a "zip bomb"); members are then read through a reader that stops at their declared size.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from rupture_coder.errors import PackageError
from rupture_coder.limits import MiB, Refused, ZipCaps, open_zip, read_capped
from rupture_coder.store.files import atomic_write

FORMAT = "rupture-coder-package/1"
MANIFEST, DATA = "manifest.json", "data.json"
MEMBERS = (MANIFEST, DATA)
# a study of 100 sessions x 10 coders makes packages of a few MB; JSON compresses 5-15 to 1
CAPS = ZipCaps(
    max_archive_bytes=256 * MiB,
    max_members=16,  # two are allowed; more are named as duplicates or unexpected
    max_member_bytes=512 * MiB,
    max_total_bytes=512 * MiB,
    max_ratio=100.0,
    ratio_floor=1 * MiB,
)


@dataclass(frozen=True)
class PackageFile:
    """A package as read: its manifest and data, and the exact bytes the signature covers."""

    path: Path
    manifest: dict[str, Any]
    payload: bytes
    data: dict[str, Any]

    @property
    def rater_id(self) -> str:
        return str(self.manifest["rater"]["id"])

    @property
    def created(self) -> datetime:
        """When it was made, in UTC (the project stores times as UTC without their zone)."""
        return datetime.fromisoformat(self.manifest["created"]).astimezone(UTC)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()


def canonical(value: Any) -> bytes:
    """One byte string for one JSON value, however it was written."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def signature(secret: str, manifest: dict[str, Any], payload: bytes) -> str:
    """HMAC-SHA256 (hex) of the manifest (without its signature) and the data."""
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    message = canonical(unsigned) + b"\0" + payload
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


def signed_by(secret: str, package: PackageFile) -> bool:
    given = package.manifest.get("signature")
    expected = signature(secret, package.manifest, package.payload)
    return isinstance(given, str) and hmac.compare_digest(given, expected)


def write_package(out: Path, manifest: dict[str, Any], payload: bytes) -> None:
    """Write the zip atomically (a crash leaves the old file or none, never half of one)."""
    import zipfile

    out.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, json.dumps(manifest, indent=2))  # pragma: no mutate (layout)
            z.writestr(DATA, payload)

    atomic_write(out, write)


def _why(exc: Exception) -> str:
    if isinstance(exc, RecursionError):  # "[[[[..." a hundred thousand deep
        return "its JSON is nested too deeply"
    return str(exc)


def read_package(path: Path) -> PackageFile:
    """The package, or PackageError naming why it is not one this version can merge."""
    src = str(path)
    try:
        raw = read_capped(path, CAPS.max_archive_bytes, src)
        with open_zip(raw, src, CAPS, allowed=MEMBERS, required=MEMBERS) as z:
            manifest_bytes = z.read(MANIFEST)
            payload = z.read(DATA)
    except FileNotFoundError:
        raise PackageError(src, ["no such file"]) from None
    except Refused as exc:
        raise PackageError(src, [_refusal(exc)]) from None
    except OSError as exc:
        raise PackageError(src, [f"cannot read it ({exc.strerror or exc})"]) from None
    try:
        manifest = json.loads(manifest_bytes)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise PackageError(
            src, [f"not a readable rater package (its manifest: {_why(exc)})"]
        ) from None
    if not isinstance(manifest, dict):
        raise PackageError(src, ["not a rater package (its manifest is not a JSON object)"])
    if manifest.get("format") != FORMAT:
        raise PackageError(
            src, [f"unknown package format {manifest.get('format')!r} (expected {FORMAT})"]
        )
    digest = hashlib.sha256(payload).hexdigest()
    if digest != manifest.get("sha256"):
        raise PackageError(
            src, ["the package content does not match its checksum (corrupt or edited)"]
        )
    try:
        data = json.loads(payload)
        created = datetime.fromisoformat(manifest["created"])
        rater = manifest["rater"]
        if not (isinstance(data, dict) and isinstance(rater, dict) and "id" in rater):
            raise TypeError("not a package's data")
        if created.tzinfo is None:
            raise ValueError(f"no time zone in its date {manifest['created']!r}")
    except (
        json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError, RecursionError
    ) as exc:  # fmt: skip
        raise PackageError(
            src, [f"not a rater package this version can read ({_why(exc)})"]
        ) from None
    package = PackageFile(path, manifest, payload, data)
    package.__dict__["sha256"] = digest  # computed above (cached_property reads it from there)
    return package


def _refusal(exc: Refused) -> str:
    if exc.where != "whole file":
        return f"{exc.where}: {exc.message}" + (f" (found {exc.found})" if exc.found else "")
    if "not a readable zip" in exc.message:
        return f"not a readable rater package (corrupt or truncated: {exc.message})"
    return exc.message + (f" (found {exc.found})" if exc.found else "")
