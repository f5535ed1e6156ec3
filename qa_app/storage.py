"""Recordings on disk: stored once under their content hash, never modified, never deleted
because processing failed. Names are generated; the uploader's file name is never a path."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
ALLOWED_SUFFIXES = {".wav", ".mp3", ".m4a", ".ogg", ".opus", ".flac", ".webm"}


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    storage_key: str
    bytes: int
    suffix: str


def storage_key_for(sha256: str, suffix: str) -> str:
    """``ab/cd/<sha256><suffix>``: spread over folders so no directory grows huge."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}{suffix}"


def path_for(storage_dir: str | Path, storage_key: str) -> Path:
    root = Path(storage_dir).resolve()
    path = (root / storage_key).resolve()
    if root not in path.parents:
        raise ValueError(f"storage key escapes the storage folder: {storage_key!r}")
    return path


def store_stream(storage_dir: str | Path, stream: BinaryIO, suffix: str) -> StoredFile:
    """Copy ``stream`` into storage, hashing as it goes; an identical file is kept only once."""
    suffix = suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValueError(
            f"unsupported file type {suffix or '(none)'}; "
            f"use one of {', '.join(sorted(ALLOWED_SUFFIXES))}"
        )
    root = Path(storage_dir)
    (root / "incoming").mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=root / "incoming", delete=False) as tmp:
        try:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                tmp.write(chunk)
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            os.unlink(tmp.name)
            raise
    sha256 = digest.hexdigest()
    key = storage_key_for(sha256, suffix)
    final = path_for(root, key)
    if final.exists():
        os.unlink(tmp.name)
    else:
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(tmp.name, final)
        final.chmod(0o440)
    return StoredFile(sha256=sha256, storage_key=key, bytes=size, suffix=suffix)
