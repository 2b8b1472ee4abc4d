"""relscan.toml: every key validated, errors name the file and the key."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from scanner.config import ScanSection, load_config
from scanner.errors import UsageError
from scanner.plugin import installed_plugins

GOOD = """
[scan]
providers = ["aws"]
concurrency = 4
per_account = 2
workers = 3
fail_under = 3

[aws]
regions = ["eu-west-2", "eu-west-1"]
profile = "audit"

[services]
tag_keys = ["team"]
assign = { "arn:aws:*:legacy/*" = "hr-tool" }

[report]
target_level = 5
waivers = "waivers.yaml"

[store]
url = "sqlite:///tmp/x.db"

[[outputs]]
format = "html"
path = "out/relscan-{date}.html"
"""


def load(tmp_path, text):
    path = tmp_path / "relscan.toml"
    path.write_text(text)
    return path, load_config(str(path), installed_plugins())


def test_a_full_config_becomes_option_values(tmp_path):
    path, settings = load(tmp_path, GOOD)
    values = settings.option_values()
    assert values["providers"] == ("aws",)
    assert values["aws_region"] == ("eu-west-2", "eu-west-1")
    assert values["aws_profile"] == "audit"
    assert (values["concurrency"], values["per_account"], values["fail_under"]) == (4, 2, 3)
    assert values["workers"] == 3
    assert values["tag_keys"] == ("team",)
    assert values["assignments"] == ("arn:aws:*:legacy/*=hr-tool",)
    assert values["target_level"] == 5
    assert values["waivers_path"] == str(tmp_path / "waivers.yaml")
    assert values["store"] == "sqlite:///tmp/x.db"
    assert [(o.format, o.path) for o in settings.outputs] == [("html", "out/relscan-{date}.html")]


def test_singular_key_for_a_repeatable_option(tmp_path):
    _, settings = load(tmp_path, '[aws]\nregion = ["eu-west-2"]\n')
    assert settings.option_values()["aws_region"] == ("eu-west-2",)


@pytest.mark.parametrize("key", ["region", "regions"])
def test_one_value_for_a_repeatable_option_as_docs_configuration_shows(tmp_path, key):
    """`[aws] region = "eu-west-2"` (docs/configuration.md) is one region."""
    _, settings = load(tmp_path, f'[aws]\n{key} = "eu-west-2"\n')
    assert settings.option_values()["aws_region"] == ("eu-west-2",)


def _documented_example() -> str:
    text = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")
    return text.split("```toml\n", 1)[1].split("```", 1)[0]


def test_every_key_of_the_documented_example_reaches_its_option(tmp_path):
    _, settings = load(tmp_path, _documented_example())
    values = settings.option_values()
    assert values["providers"] == ("aws", "azure", "gcp", "oci")
    assert (values["concurrency"], values["per_account"], values["fail_under"]) == (8, 16, 3)
    assert values["workers"] == 2
    assert values["aws_region"] == ("eu-west-2", "eu-west-1")
    assert (values["aws_profile"], values["aws_organization"]) == ("audit", True)
    assert values["aws_assume_role"] == "relscan-read"
    assert values["aws_external_id"] == "relscan-2026"
    assert values["aws_session_name"] == "relscan"
    assert values["azure_subscription"] == ("0000-...", "1111-...") and values["azure_tenant"]
    assert values["gcp_project"] == ("payments-prod",)
    assert values["oci_compartment"] == ("ocid1.compartment.oc1..aaaa",)
    assert values["oci_region"] == ("uk-london-1", "uk-cardiff-1")
    assert values["oci_profile"] == "DEFAULT"
    assert values["tag_keys"] == ("service", "Service", "app")
    assert values["assignments"] == ("arn:aws:codedeploy:*:deploymentgroup:legacy-*=hr-tool",)
    assert (values["target_level"], values["no_store"]) == (4, False)
    assert values["store"] == "postgresql://relscan@db.internal/relscan"
    assert [o.format for o in settings.outputs] == ["html", "csv"]


def _key_values(option: click.Option) -> tuple[str, object]:
    if option.multiple:
        return '"x-1"', ("x-1",)
    if option.is_flag:
        return "true", True
    if isinstance(option.type, click.Choice):
        return f'"{option.type.choices[-1]}"', option.type.choices[-1]
    return '"x-1"', "x-1"


def test_every_option_of_every_provider_has_its_key(tmp_path):
    """The keys are the options without the `--PROVIDER-` prefix, singular or
    (for repeatable options) plural, as the Keys table says."""
    for name, plugin in installed_plugins().items():
        for option in plugin.options():
            key = option.name.removeprefix(f"{name}_")
            text, expected = _key_values(option)
            keys = [key] + ([key if key.endswith("s") else key + "s"] if option.multiple else [])
            for spelled in keys:
                _, settings = load(tmp_path, f"[{name}]\n{spelled} = {text}\n")
                assert settings.option_values()[option.name] == expected, (name, spelled)


def test_every_scan_section_key_is_documented():
    documented = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    for key in ScanSection.model_fields:
        assert f"| scan | {key} |" in documented, key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[scan]\nconcurrency = 0\n",
            "scan.concurrency: Input should be greater than or equal to 1",
        ),
        ("[scan]\nprovider = ['aws']\n", "scan.provider: unknown key"),
        ("[scan]\nproviders = ['azur']\n", "scan.providers: unknown provider 'azur'"),
        ("[aws]\nregions = 5\n", "aws.regions: Input should be a valid list"),
        ("[oci]\nauth = 'password'\n", "oci.auth: Input should be 'config', 'instance_principal'"),
        ("[aws]\nzone = 'x'\n", "aws.zone: unknown key"),
        (
            "[report]\ntarget_level = 9\n",
            "report.target_level: Input should be less than or equal to 5",
        ),
        ("[[outputs]]\nformat = 'html'\n", "outputs.0.path: Field required"),
        ("[clouds]\n", "clouds: unknown section"),
        ("[scan\n", "not valid TOML"),
    ],
)
def test_errors_name_the_file_the_key_and_what_was_expected(tmp_path, text, message):
    with pytest.raises(UsageError) as info:
        load(tmp_path, text)
    assert str(info.value).startswith(str(tmp_path / "relscan.toml") + ": ")
    assert message in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(UsageError, match="nope.toml: No such file"):
        load_config(str(tmp_path / "nope.toml"), installed_plugins())


def test_workers_left_out_means_the_cores_and_zero_is_refused(tmp_path):
    _, settings = load(tmp_path, '[scan]\nproviders = ["aws"]\n')
    assert settings.option_values()["workers"] is None  # the CLI then takes the cores
    with pytest.raises(UsageError, match=r"relscan.toml: scan.workers: Input should be greater"):
        load(tmp_path, "[scan]\nworkers = 0\n")
