"""relscan.toml: every key validated, errors name the file and the key."""

from __future__ import annotations

import pytest

from scanner.config import load_config
from scanner.errors import UsageError
from scanner.plugin import installed_plugins

GOOD = """
[scan]
providers = ["aws"]
concurrency = 4
per_account = 2
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
    assert values["tag_keys"] == ("team",)
    assert values["assignments"] == ("arn:aws:*:legacy/*=hr-tool",)
    assert values["target_level"] == 5
    assert values["waivers_path"] == str(tmp_path / "waivers.yaml")
    assert values["store"] == "sqlite:///tmp/x.db"
    assert [(o.format, o.path) for o in settings.outputs] == [("html", "out/relscan-{date}.html")]


def test_singular_key_for_a_repeatable_option(tmp_path):
    _, settings = load(tmp_path, '[aws]\nregion = ["eu-west-2"]\n')
    assert settings.option_values()["aws_region"] == ("eu-west-2",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[scan]\nconcurrency = 0\n",
            "scan.concurrency: Input should be greater than or equal to 1",
        ),
        ("[scan]\nprovider = ['aws']\n", "scan.provider: unknown key"),
        ("[scan]\nproviders = ['azur']\n", "scan.providers: unknown provider 'azur'"),
        ("[aws]\nregions = 'eu-west-2'\n", "aws.regions: Input should be a valid list"),
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
