"""Suite-wide: scans never touch the user's own history database."""

from __future__ import annotations

import os
import tempfile

import pytest


def pytest_configure(config):
    """Before any fixture of any scope: scans made outside a test's own store
    (module-scoped fixtures, say) still go to a throwaway database."""
    folder = tempfile.mkdtemp(prefix="relscan-tests-")
    os.environ["RELSCAN_STORE"] = f"sqlite:///{folder}/history.db"


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    monkeypatch.setenv("RELSCAN_STORE", f"sqlite:///{tmp_path / 'history.db'}")


# The AWS emulator fixture, shared by the CLI tests of several folders.
from tests.aws.estate import serve  # noqa: E402, F401
