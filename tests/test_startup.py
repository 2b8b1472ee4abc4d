"""The CLI starts without importing any cloud SDK: plugins import theirs when
configured, so `relscan --help` and the demo's start are quick."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SDKS = ("boto3", "botocore", "azure", "google.cloud", "google.api_core", "oci", "kubernetes")


def test_loading_the_cli_and_every_plugin_imports_no_sdk():
    """...and so does reading every plugin's kinds and checking the rule files
    against them (`relscan rules`, `report`, and every scan do)."""
    code = (
        "import json, sys, scanner.cli; from scanner.plugin import installed_plugins, "
        "broken_plugins; from scanner.rules import load_rulebook; load_rulebook(); "
        "[p.kinds() for p in installed_plugins().values()]; "
        "print(json.dumps([sorted(installed_plugins()), broken_plugins(), "
        "sorted(m for m in sys.modules)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    plugins, broken, modules = json.loads(out)
    assert plugins == ["aws", "azure", "gcp", "kubernetes", "oci"] and broken == {}
    loaded = [m for m in modules if m.split(".")[0] in SDKS or m.startswith(SDKS)]
    assert loaded == []


MALFORMED = {
    "aws": "arn:aws:codedeploy:eu-west-2:123456789012:deploymentgroup:payments",
    "azure": "/subscriptions/0000-1111/resourceGroups/rg/providers/Microsoft.Web/sites/a",
    "gcp": "//run.googleapis.com/projects/p/locations/europe-west2/services/frontend",
    "oci": "ocid1.loadbalancer.oc1.uk-london-1.BAD",
}


@pytest.mark.parametrize("provider", sorted(MALFORMED))
def test_check_refuses_a_malformed_id_before_importing_the_sdk(provider, tmp_path):
    """`relscan check` of a typo answers at once: no SDK import (seconds and
    hundreds of MB for GCP), no credentials read (OCI's config file is absent)."""
    code = (
        "import json, sys\nfrom scanner.cli import main\ntry:\n    main(['check', sys.argv[1]])\n"
        "except SystemExit as exc:\n    print(json.dumps([exc.code, sorted(sys.modules)]))\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "OCI_CLI_CONFIG_FILE": str(tmp_path / "none")}
    r = subprocess.run(
        [sys.executable, "-c", code, MALFORMED[provider]],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    exit_code, modules = json.loads(r.stdout)
    assert exit_code == 2
    assert r.stderr.startswith("relscan: error: malformed ") and r.stderr.count("\n") == 1
    loaded = [m for m in modules if m.split(".")[0] in SDKS or m.startswith(SDKS)]
    assert loaded == []
