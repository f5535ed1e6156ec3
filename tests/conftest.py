"""Guards shared by every test: nothing leaves the machine, no model is fetched from a hub."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


def shared_data(*parts: str) -> Path:
    """Path into ../shared/data, or skip: a user's fresh clone does not have it (CI does)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing; CI must have ../shared/data")
        pytest.skip(f"evaluation data {path} is not beside this clone (only CI has ../shared/data)")
    return path


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections to anything but this machine: tests must never download."""
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host not in LOCAL_HOSTS:
                raise RuntimeError(f"test tried to reach {host}: tests run offline")
        return real_connect(self, address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
