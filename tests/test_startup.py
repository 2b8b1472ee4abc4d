"""The CLI starts without importing any cloud SDK: plugins import theirs when
configured, so `relscan --help` and the demo's start are quick."""

from __future__ import annotations

import json
import subprocess
import sys

SDKS = ("boto3", "botocore", "azure", "google.cloud", "google.api_core", "oci")


def test_loading_the_cli_and_every_plugin_imports_no_sdk():
    code = (
        "import json, sys, scanner.cli; from scanner.plugin import installed_plugins, "
        "broken_plugins; print(json.dumps([sorted(installed_plugins()), broken_plugins(), "
        "sorted(m for m in sys.modules)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    plugins, broken, modules = json.loads(out)
    assert plugins == ["aws", "azure", "gcp", "oci"] and broken == {}
    loaded = [m for m in modules if m.split(".")[0] in SDKS or m.startswith(SDKS)]
    assert loaded == []
