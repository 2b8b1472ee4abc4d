"""Running relscan as a user does, for the CLI tests of every folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RELSCAN = str(Path(sys.executable).parent / "relscan")


def relscan(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The installed command in a subprocess, no standard input, output captured."""
    return subprocess.run([RELSCAN, *args], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip


def clean_env(*prefixes: str) -> dict[str, str]:
    """This environment without variables starting with `prefixes`, but always
    with RELSCAN_STORE, so a test's scans never reach the user's own history."""
    return {k: v for k, v in os.environ.items()
            if k == "RELSCAN_STORE" or not k.startswith(prefixes)}  # fmt: skip
