"""Tools of an attacker (or of damage) for the package tests: repack a package with edits, with or
without a fresh checksum and signature, and build zips that no exporter would write."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from pathlib import Path

from sqlalchemy import select

from rupture_coder.store.db import open_project
from rupture_coder.store.models import RaterKey
from rupture_coder.study.package_file import signature


def secret_of(project_path: Path, rater_id: str) -> str:
    """The key a project holds for a rater (a coder has their own copy's key at hand)."""
    project = open_project(project_path)
    try:
        with project.read() as db:
            return db.scalar(select(RaterKey.secret).filter_by(rater_id=rater_id))
    finally:
        project.close()


def unpack(path: Path) -> tuple[dict, dict]:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("manifest.json")), json.loads(z.read("data.json"))


def repack(
    src: Path,
    out: Path,
    edit=None,
    *,
    secret: str | None = None,
    rehash: bool = True,
    manifest_edit=None,
) -> Path:
    """``src`` with ``edit(data)`` and ``manifest_edit(manifest)`` applied; the checksum recomputed
    (``rehash``), and signed anew with ``secret`` when given (else the old signature is kept)."""
    import zipfile

    manifest, data = unpack(src)
    if edit is not None:
        edit(data)
    payload = json.dumps(data, sort_keys=True).encode()
    if rehash:
        manifest["sha256"] = hashlib.sha256(payload).hexdigest()
    if manifest_edit is not None:
        manifest_edit(manifest)
    if secret is not None:
        manifest["signature"] = signature(secret, manifest, payload)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("data.json", payload)
    return out


def _local(name: bytes, crc: int, csize: int, usize: int, method: int) -> bytes:
    return (
        struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0, crc, csize, usize, len(name), 0
        )
        + name
    )


def _central(name: bytes, crc: int, csize: int, usize: int, method: int, offset: int) -> bytes:
    return struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, csize, usize, len(name), 0, 0, 0, 0, 0, offset,
    ) + name  # fmt: skip


def zip_bomb(out: Path, manifest: dict, inflated_mib: int = 1430) -> Path:
    """A package whose data.json is ``inflated_mib`` MiB of zeros (1,430 MiB = 1.5 GB) deflated
    into about 1.4 MB: the same 1 MiB deflate block (a full flush resets the compressor, so every
    block is byte-identical) written ``inflated_mib`` times, then an empty final block."""
    mib = b"\0" * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(mib) + comp.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    deflated = block * inflated_mib + end
    crc = 0
    for _ in range(inflated_mib):
        crc = zlib.crc32(mib, crc)
    usize = inflated_mib << 20
    head = json.dumps(manifest).encode()
    parts, directory, offset = [], [], 0
    for name, crc_, data, size, method in (
        (b"manifest.json", zlib.crc32(head), head, len(head), 0),
        (b"data.json", crc, deflated, usize, 8),
    ):
        directory.append(_central(name, crc_, len(data), size, method, offset))
        local = _local(name, crc_, len(data), size, method) + data
        parts.append(local)
        offset += len(local)
    cd = b"".join(directory)
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 2, 2, len(cd), offset, 0)
    out.write_bytes(b"".join(parts) + cd + eocd)
    return out


def crafted_zip(out: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip whose directory declares, for each (name, data, inflated size, compressed size), the
    sizes given, whatever the data is: what a guard reading the directory sees of a bomb."""
    parts, directory, offset = [], [], 0
    for name, data, usize, csize in members:
        raw = name.encode()
        directory.append(_central(raw, zlib.crc32(data), csize, usize, 8, offset))
        local = _local(raw, zlib.crc32(data), csize, usize, 8) + data
        parts.append(local)
        offset += len(local)
    cd = b"".join(directory)
    n = len(members)
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(cd), offset, 0)
    out.write_bytes(b"".join(parts) + cd + eocd)
    return out
