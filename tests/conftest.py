"""Suite-wide: scans never touch the user's own history database."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    monkeypatch.setenv("RELSCAN_STORE", f"sqlite:///{tmp_path / 'history.db'}")


# The AWS emulator fixture, shared by the CLI tests of several folders.
from tests.aws.estate import serve  # noqa: E402, F401
