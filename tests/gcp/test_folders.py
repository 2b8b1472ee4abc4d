"""Projects under folders and an organisation (--gcp-folder, --gcp-organization):
Resource Manager v3 followed down the folder tree, ACTIVE projects only,
unioned with --gcp-project; bad ids are usage errors, unreadable folders are
reported and the rest is scanned."""

from __future__ import annotations

import copy
import json
import os
from contextlib import ExitStack

import pytest
import requests

from providers.gcp.emulator.app import start
from providers.gcp.guard import check
from providers.gcp.plugin import plugin
from scanner.errors import CloudError, UsageError
from scanner.readonly import ReadOnlyViolation
from tests.gcp.estates import ALL, ORG, PROJECTS, TREE, folder_estate
from tests.gcp.test_cli import relscan


@pytest.fixture
def cli_env():
    """Serve an estate; the environment a user's shell would have (with the
    suite's private history store)."""
    with ExitStack() as stack:

        def _serve(part):
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("RELSCAN_GCP", "GOOGLE_"))}  # fmt: skip
            served = start(copy.deepcopy(part), stack).items()
            return {**env, **{k: v for k, v in served if v is not None}}

        yield _serve


def labels(projects):
    return [f"gcp:{p}" for p in projects]


def listed(server):
    """(path, parent, pageToken) of every Resource Manager list request."""
    return [(r.path, r.arg("parent"), r.arg("pageToken")) for r in server.requests
            if r.path in ("/v3/folders", "/v3/projects")]  # fmt: skip


def test_an_organisation_is_scanned_down_every_folder(gcp):
    result = gcp.scan(folder_estate(), gcp_organization="555000111")
    assert result.scopes == labels(ALL)  # sorted; not web-retired, not elsewhere-prod
    assert result.errors == []
    calls = listed(gcp.server)
    parents = {parent for _, parent, _ in calls}
    assert parents == {ORG, *TREE}  # the DELETE_REQUESTED folder is not entered
    assert ("/v3/projects", "folders/110", "page-2") in calls  # three projects: two pages
    assert ("/v3/folders", "folders/100", None) in calls
    assert not any(r.path == "/v3/projects:search" for r in gcp.server.requests)


@pytest.mark.parametrize(
    ("folders", "expected"),
    [
        (("100",), ["web-a1", "web-a2", "web-a3", "web-b1", "web-prod"]),
        (("folders/110", "210", "folders/110"), ["pay-db1", "web-a1", "web-a2", "web-a3"]),
        (("100", "110"), ["web-a1", "web-a2", "web-a3", "web-b1", "web-prod"]),  # nested: once
    ],
)
def test_folders_are_scanned_with_their_sub_folders(gcp, folders, expected):
    result = gcp.scan(folder_estate(), gcp_folder=folders)
    assert result.scopes == labels(expected) and result.errors == []
    first_pages = [(path, parent) for path, parent, token in listed(gcp.server) if not token]
    assert len(first_pages) == len(set(first_pages))  # given twice or nested: read once


def test_an_organisation_and_folders_and_projects_are_one_sorted_union(gcp):
    result = gcp.scan(
        folder_estate(), ["web-prod", "elsewhere-prod"], gcp_folder=("200",), gcp_organization=ORG
    )
    assert result.scopes == labels(sorted({*ALL, "elsewhere-prod"}))
    result = gcp.scan(folder_estate(), ["zz-named", "web-prod"], gcp_folder=("folders/120",))
    assert result.scopes == labels(["web-b1", "web-prod", "zz-named"])
    assert [e.scope for e in result.errors] == ["gcp:zz-named"]  # named, but not found


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"gcp_folder": ("abc",)}, "malformed GCP folder id 'abc' (--gcp-folder)"),
        ({"gcp_folder": ("100", "folders/",)}, "malformed GCP folder id 'folders/'"),
        ({"gcp_folder": ("organizations/100",)}, "malformed GCP folder id 'organizations/100'"),
        ({"gcp_folder": ("0123",)}, "malformed GCP folder id '0123'"),
        ({"gcp_folder": ("folders/1/2",)}, "malformed GCP folder id 'folders/1/2'"),
        ({"gcp_organization": "folders/555"},
         "malformed GCP organization id 'folders/555' (--gcp-organization)"),
        ({"gcp_organization": "-5"}, "malformed GCP organization id '-5'"),
        ({"gcp_organization": "555 1"}, "malformed GCP organization id '555 1'"),
    ],
)  # fmt: skip
def test_malformed_ids_are_one_line_usage_errors_before_any_call(gcp, options, message):
    emulator = gcp.serve(folder_estate())
    with pytest.raises(UsageError) as err:
        plugin.configure(options).scopes()
    assert str(err.value).startswith(message) and "\n" not in str(err.value)
    assert "123456789" in str(err.value) and emulator.calls == []


def test_a_refused_folder_is_a_scope_error_and_the_rest_is_scanned(gcp):
    refused = folder_estate(faults=[{"parent": "folders/110", "status": 403}])
    result = gcp.scan(refused, gcp_organization=ORG)
    kept = [p for p in ALL if PROJECTS[p] != "folders/110"]
    assert result.scopes == [*labels(kept), "gcp:folders/110"]
    [error] = result.errors
    assert (error.scope, error.service) == ("gcp:folders/110", "folder")
    assert error.message.startswith("cannot list the folders and projects under folders/110 (403")
    assert error.message.endswith(": nothing under it is scanned") and "\n" not in error.message


def test_a_refused_project_list_keeps_the_sub_folders(gcp):
    refused = folder_estate(
        faults=[{"parent": "folders/100", "op": "projects.list", "status": 403}]
    )
    result = gcp.scan(refused, gcp_folder=("100",))
    assert result.scopes == labels(["web-a1", "web-a2", "web-a3", "web-b1"]) + ["gcp:folders/100"]
    assert result.errors[0].message.startswith("cannot list the projects under folders/100 (403")


@pytest.mark.parametrize(
    ("options", "faults", "named"),
    [
        ({"gcp_folder": ("110",)}, [{"parent": "folders/110", "status": 403}], "folders/110"),
        ({"gcp_organization": ORG}, [{"parent": ORG, "status": 404}], ORG),
        ({"gcp_folder": ("987654",)}, [], "folders/987654"),  # unknown: 403, as Google says
    ],
)
def test_nothing_readable_is_a_cloud_error_naming_it(gcp, options, faults, named):
    run = gcp.run(folder_estate(faults=faults), **options)
    with pytest.raises(CloudError) as err:
        run.scopes()
    text = str(err.value)
    assert f"cannot list the folders and projects under {named} (40" in text
    assert text.endswith("no project to scan") and "\n" not in text


def test_an_empty_folder_is_a_cloud_error(gcp):
    part = folder_estate()
    part["folders"].append({"id": "700", "parent": ORG})
    run = gcp.run(part, gcp_folder=("700",))
    with pytest.raises(CloudError, match=r"^no active project under folders/700$"):
        run.scopes()


def test_the_guard_allows_exactly_the_two_list_reads():
    def prepared(method, path):
        return requests.Request(method, f"https://cloudresourcemanager.googleapis.com{path}")

    for path in ("/v3/folders", "/v3/projects"):
        read = check(prepared("GET", f"{path}?parent={ORG}").prepare(), None)
        assert read.permission == f"resourcemanager.{path[4:]}.list"
    for method, path in (
        ("POST", "/v3/folders"),
        ("GET", "/v3/folders/110"),
        ("DELETE", "/v3/projects/123"),
        ("POST", "/v3/projects"),
        ("GET", "/v3/folders:search"),
        ("GET", "/v3/organizations:search"),
    ):
        with pytest.raises(ReadOnlyViolation):
            check(prepared(method, path).prepare(), None)  # fmt: skip
    granted = plugin.permissions().permissions
    assert {"resourcemanager.folders.list", "resourcemanager.projects.list"} <= set(granted)


def test_cli_and_config_file_scan_folders_and_an_organisation(cli_env, tmp_path):
    env = cli_env(folder_estate())
    r = relscan("scan", "--provider", "gcp", "--gcp-organization", ORG, "--gcp-project",
                "elsewhere-prod", "--format", "json", env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["scan"]["scopes"] == labels(sorted({*ALL, "elsewhere-prod"}))
    config = tmp_path / "relscan.toml"
    config.write_text('[scan]\nproviders = ["gcp"]\n[gcp]\nfolders = ["folders/110", "210"]\n')
    r = relscan("scan", "--config", str(config), "-f", "json", env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["scan"]["scopes"] == labels(["pay-db1", "web-a1", "web-a2",
                                                              "web-a3"])  # fmt: skip
    config.write_text('[scan]\nproviders = ["gcp"]\n[gcp]\norganization = "555000111"\n')
    r = relscan("scan", "--config", str(config), "-f", "json", env=env)
    assert json.loads(r.stdout)["scan"]["scopes"] == labels(ALL)
    r = relscan("scan", "-p", "gcp", "--gcp-folder", "folders/abc", env=env)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("relscan: error: malformed GCP folder id 'folders/abc'")
    refused = folder_estate(faults=[{"parent": "folders/110", "status": 403}])
    r = relscan("scan", "-p", "gcp", "--gcp-folder", "110", env=cli_env(refused))
    assert r.returncode == 3 and "Traceback" not in r.stderr
    assert r.stderr.startswith("relscan: scope error: gcp *: cannot list the folders and "
                               "projects under folders/110 (403")  # fmt: skip
    assert len(r.stderr.strip().splitlines()) == 2  # the error, then the summary line
    assert [e["scope"] for e in json.loads(r.stdout)["scan"]["errors"]] == ["gcp"]
