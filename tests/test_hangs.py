"""Hung and refused endpoints, the time budget, and Ctrl-C, on every cloud.

Each test runs the installed `relscan` in a subprocess against a loopback
socket that accepts connections and never answers, a port that refuses them,
or a real emulator that stops answering the reads of a scope, and measures
what a user would: how long until it ends, the exit code, what is written.
Small --timeout values keep the suite fast; the default is documented."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from providers.aws.emulator import app as aws
from providers.azure.emulator import app as azure
from providers.gcp.emulator import app as gcp
from providers.oci.emulator import app as oci
from scanner.demo.serve import load_estate
from scanner.emulators.server import LoopbackServer, Request
from scanner.store import Store
from tests.cli import RELSCAN, relscan
from tests.sockets import Hanging, cloud_env, refused_port, silent_socket

CLOUDS = ("aws", "azure", "gcp", "oci")
# What each cloud's discovery says on a terminal while it waits.
STATUS = {
    "aws": "identifying the AWS account",
    "azure": "listing subscriptions",
    "gcp": "listing the projects the credential can see",
    "oci": "listing compartments",
}


def _timed(*args: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    began = time.monotonic()
    result = relscan(*args, env=env)
    return result, time.monotonic() - began


def _errors(stdout: str) -> list[dict[str, str]]:
    return json.loads(stdout)["scan"]["errors"]


@pytest.mark.parametrize("cloud", CLOUDS)
def test_a_silent_endpoint_is_tried_twice_then_reported(cloud):
    with silent_socket() as silent:
        r, took = _timed("scan", "-p", cloud, "-f", "json", "--timeout", "0.5",
                         env=cloud_env(cloud, silent.port))  # fmt: skip
    assert r.returncode == 3, r.stderr
    # was 248-379 s, or still running at 900 s (OCI); a busy machine's imports stay well inside
    assert took < 45
    errors = _errors(r.stdout)  # exit 3: everything read, errors included, is in the output
    assert errors and all(e["provider"] == cloud for e in errors)
    assert any("time" in e["message"].lower() for e in errors), errors  # a timeout, said so
    # each call that got no answer was tried twice, not 6-8 times; OCI stops at
    # the compartment listing instead of reading each service blind
    assert silent.connections == 2
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("cloud", CLOUDS)
def test_a_refused_connection_costs_seconds(cloud):
    with refused_port() as port:
        r, took = _timed("scan", "-p", cloud, "-f", "json", env=cloud_env(cloud, port))
    assert r.returncode == 3, r.stderr
    assert took < 40  # OCI took 118 s (and the others 18-28 s)
    errors = _errors(r.stdout)
    assert errors and all(e["provider"] == cloud for e in errors)
    assert any("refused" in e["message"] or "connect" in e["message"].lower() for e in errors)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_the_time_budget_covers_discovery(cloud):
    with silent_socket() as silent:
        r, took = _timed("scan", "-p", cloud, "-f", "json", "--timeout", "60",
                         "--time-budget", "2", env=cloud_env(cloud, silent.port))  # fmt: skip
    assert r.returncode == 3, r.stderr
    assert took < 30  # OCI ran past 600 s with --time-budget 5
    assert json.loads(r.stdout)["scan"]["seconds"] < 3  # the budget, discovery included
    assert _errors(r.stdout) == [
        {
            "provider": cloud,
            "scope": cloud,
            "service": "*",
            "message": "not scanned: the scan's time budget of 2 s ran out while its "
            "scopes were being discovered",
        }
    ]


def test_the_time_budget_ends_a_scope_that_hangs(tmp_path):
    """A scope whose reads hang is reported as not finished when the budget is
    spent; the other scopes' units are kept."""
    estate = load_estate()["aws"]
    app = Hanging(aws.AwsEmulator(estate), lambda req: "/eu-west-1/" in _aws_scope(req))
    with LoopbackServer(app) as server:
        env = _env(aws.endpoint_env(server.url))
        r, took = _timed("scan", "-p", "aws", "--aws-region", "eu-west-2", "--aws-region",
                         "eu-west-1", "-f", "json", "--time-budget", "15", env=env)  # fmt: skip
        app.release.set()
    assert r.returncode == 3, r.stderr
    assert took < 45
    doc = json.loads(r.stdout)
    assert doc["scan"]["seconds"] < 16
    late = [e for e in doc["scan"]["errors"] if e["scope"].endswith("/eu-west-1")]
    assert len(late) == 1 and late[0]["message"].startswith(
        "not finished: the scan's time budget of 15 s ran out"
    )
    # eu-west-2's units and the account's global ones (CloudFront, Route 53)
    assert any(":eu-west-2:" in u["id"] for u in doc["resources"])
    assert all(":eu-west-1:" not in u["id"] for u in doc["resources"])


def _aws_scope(req: Request) -> str:
    """The SigV4 credential scope of a request: /REGION/SERVICE/."""
    auth = req.headers.get("authorization", "")
    return "/" + "/".join(auth.split("Credential=", 1)[-1].split("/")[2:4]) + "/"


def _env(variables: dict[str, str | None]) -> dict[str, str]:
    keep = ("AWS_", "RELSCAN_", "GOOGLE_", "OCI_", "AZURE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(keep)}
    env["RELSCAN_STORE"] = os.environ["RELSCAN_STORE"]
    env["OCI_CONFIG_FILE"] = "/nonexistent/oci-config"
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.update({k: v for k, v in variables.items() if v is not None})
    return env


def _interrupt(proc: subprocess.Popen[str], ready) -> tuple[float, str]:
    """Wait until `ready()`, send SIGINT, and time how long the process takes to end."""
    deadline = time.monotonic() + 60
    while not ready() and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    assert ready(), "the scan never reached the phase under test"
    time.sleep(0.3)  # well inside the blocked call
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("relscan did not end within 30 s of Ctrl-C") from None
    return time.monotonic() - sent, err


def _as_on_a_terminal() -> None:
    """SIGINT as a terminal's shell leaves it (a background job's shell would
    have it ignored, and Python then never raises KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([RELSCAN, *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_as_on_a_terminal)  # fmt: skip


@pytest.mark.parametrize("cloud", CLOUDS)
def test_ctrl_c_while_scopes_are_discovered(cloud, tmp_path):
    db = f"sqlite:///{tmp_path / 'h.db'}"
    with silent_socket() as silent:
        proc = _start("scan", "-p", cloud, "-f", "json", "--store", db,
                      env=cloud_env(cloud, silent.port))  # fmt: skip
        took, err = _interrupt(proc, silent.accepted.is_set)
    assert proc.returncode == 130, err
    assert took < 2  # was 248-377 s
    assert "relscan: interrupted while discovering scopes; nothing was scanned" in err
    assert "Traceback" not in err
    assert [row.status for row in Store(db).scans()] == ["interrupted"]


def _reading(cloud: str) -> tuple[object, dict[str, str | None], list[str]]:
    """A real emulator of `cloud` serving the demo estate, which answers every
    discovery call and never answers a read of a release unit."""
    part = load_estate()[cloud]
    if cloud == "aws":
        app = Hanging(aws.AwsEmulator(part), lambda r: "/codedeploy/" in _aws_scope(r))
        return app, {}, ["--aws-region", "eu-west-2"]
    if cloud == "azure":
        app = Hanging(azure.AzureEmulator(part), lambda r: "/providers/" in r.path)
        return app, {}, []
    if cloud == "gcp":
        app = Hanging(gcp.GcpEmulator(part), lambda r: True)  # named projects: no discovery
        projects = [p["id"] for p in part["projects"]][:1]
        return app, {}, [a for p in projects for a in ("--gcp-project", p)]
    emulator = oci.OciEmulator(part)
    app = Hanging(emulator, lambda r: "loadBalancers" in r.path or "deploy" in r.path)
    extra = {"RELSCAN_OCI_TENANCY": emulator.tenancy, "OCI_REGION": emulator.regions[0]}
    return app, extra, []


ENDPOINTS = {"aws": aws.endpoint_env, "azure": azure.endpoint_env, "gcp": gcp.endpoint_env}


@pytest.mark.parametrize("cloud", CLOUDS)
def test_ctrl_c_while_reading(cloud, tmp_path):
    db = f"sqlite:///{tmp_path / 'h.db'}"
    app, extra, args = _reading(cloud)
    with ExitStack() as stack:
        server = stack.enter_context(LoopbackServer(app))  # type: ignore[arg-type]
        stack.callback(app.release.set)  # type: ignore[attr-defined]
        if cloud == "oci":
            variables = {"RELSCAN_OCI_ENDPOINT": server.url + "/{region}", **extra}
        else:
            variables = ENDPOINTS[cloud](server.url)
        proc = _start("scan", "-p", cloud, *args, "-f", "json", "--store", db,
                      env=_env(variables))  # fmt: skip
        took, err = _interrupt(proc, app.hung.is_set)  # type: ignore[attr-defined]
    assert proc.returncode == 130, err
    assert took < 2
    assert "relscan: interrupted after 0 of" in err and "nothing was stored as complete" in err
    assert [row.status for row in Store(db).scans()] == ["interrupted"]


def test_ctrl_c_while_writing_keeps_the_stored_scan(tmp_path, serve):
    """Writing to a FIFO nobody reads blocks, as a slow disk or a full pipe would."""
    db = f"sqlite:///{tmp_path / 'h.db'}"
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    store = Store(db)
    proc = _start("scan", "-p", "aws", "-o", str(fifo), "--store", db, env=serve())

    def stored() -> bool:
        return [row.status for row in store.scans()] == ["complete"]

    took, err = _interrupt(proc, stored)
    assert proc.returncode == 130, err
    assert took < 2
    assert "relscan: interrupted while writing the results; the scan is kept in the history " in err
    assert len(store.load(store.scans()[0]).assessments) == 3


@pytest.mark.parametrize("cloud", CLOUDS)
def test_a_status_line_on_a_terminal_while_discovering(cloud):
    """stderr is a terminal: the status says what discovery waits for."""
    with silent_socket() as silent:
        controller, terminal = pty.openpty()
        proc = subprocess.Popen([RELSCAN, "scan", "-p", cloud, "-f", "json"],
                                env={**cloud_env(cloud, silent.port), "TERM": "xterm"},
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=terminal)  # fmt: skip
        os.close(terminal)
        seen = b""
        deadline = time.monotonic() + 30
        try:
            while STATUS[cloud].encode() not in seen and time.monotonic() < deadline:
                import select

                ready, _, _ = select.select([controller], [], [], 0.2)
                if ready:
                    try:
                        seen += os.read(controller, 4096)
                    except OSError:
                        break
        finally:
            proc.kill()
            proc.wait()
            os.close(controller)
    assert STATUS[cloud].encode() in seen, seen[-500:]


def test_no_status_line_when_stderr_is_not_a_terminal():
    with silent_socket() as silent:
        r = relscan("scan", "-p", "aws", "-f", "json", "--timeout", "0.3",
                    env=cloud_env("aws", silent.port))  # fmt: skip
    assert "identifying" not in r.stderr
    assert r.stderr.splitlines()[0].startswith("relscan: scope error: aws *: cannot identify")


def test_the_summary_time_is_wall_time_with_discovery():
    """Discovery alone takes two timeouts here; the summary counts them."""
    with silent_socket() as silent:
        r, took = _timed("scan", "-p", "aws", "-f", "json", "--timeout", "1",
                         env=cloud_env("aws", silent.port))  # fmt: skip
    seconds = float(r.stderr.rsplit(" in ", 1)[1].removesuffix(" s\n"))
    assert 2.0 <= seconds <= took
    assert json.loads(r.stdout)["scan"]["seconds"] >= 2.0


def test_the_socks_warning_is_silenced():
    """urllib3 warns about SOCKS whenever its SOCKS module is imported before
    requests has silenced it (which threads importing SDKs at once can do)."""
    code = "from scanner.cli import quiet_warnings; quiet_warnings(); import urllib3.contrib.socks"
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    loud = subprocess.run([sys.executable, "-c", "import urllib3.contrib.socks"],
                          capture_output=True, text=True)  # fmt: skip
    if "SOCKS support" not in loud.stderr:
        pytest.skip("PySocks is installed: urllib3 has nothing to warn about")
    assert "SOCKS" not in quiet.stderr


def test_no_credentials_and_no_region_is_a_credentials_error():
    with refused_port() as port:  # nothing may be sent anywhere
        env = cloud_env("aws", port)
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
            del env[key]
        r = relscan("scan", "-p", "aws", "-f", "json", env=env)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith("relscan: error: AWS credentials: no AWS credentials found")
    assert "--aws-region" not in r.stderr


def test_check_in_a_region_that_does_not_exist_is_bad_input():
    arn = "arn:aws:codedeploy:eu-west-9:123456789012:deploymentgroup:payments/prod"
    with refused_port() as port:
        r = relscan("check", arn, env=cloud_env("aws", port))
    assert r.returncode == 2, r.stderr
    assert r.stderr == (
        f"relscan: error: unknown AWS region 'eu-west-9' in {arn} "
        "(no such region in any partition)\n"
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("scans/{date}-{account}.json", "unknown placeholder {account} (known: {date}, {time})"),
        ("nowhere/{date}.json", "the folder"),
        ("{date", "expected '}' before end of string"),
    ],
)
def test_output_templates_are_checked_before_the_scan(tmp_path, path, message):
    config = tmp_path / "relscan.toml"
    config.write_text(
        f'[scan]\nproviders = ["aws"]\n\n[[outputs]]\nformat = "json"\npath = "{tmp_path}/{path}"\n'
    )
    db = f"sqlite:///{tmp_path / 'h.db'}"
    with silent_socket() as silent:
        r = relscan("scan", "--config", str(config), "--store", db,
                    env=cloud_env("aws", silent.port))  # fmt: skip
        assert silent.connections == 0  # nothing was scanned
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("relscan: error: ") and message in r.stderr
    assert Store(db).count() == 0


def test_report_of_a_scan_group_with_a_missing_shard_exits_3(tmp_path, serve):
    db = f"sqlite:///{tmp_path / 'g.db'}"
    env = serve()
    r = relscan("scan", "-p", "aws", "-f", "json", "--store", db, "--scan-group", "g1",
                "--shard", "1/3", env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    for fmt in ("json", "csv", "markdown"):
        out = relscan("report", "--scan-group", "g1", "--store", db, "-f", fmt, env=env)
        assert out.returncode == 3, (fmt, out.stderr)
        assert "relscan: scan group g1: shards not complete: 2/3, 3/3" in out.stderr


def test_timeout_is_validated():
    r = relscan("scan", "-p", "aws", "--timeout", "0", env=cloud_env("aws", 9))
    assert r.returncode == 2
    assert r.stderr.startswith("relscan: error: ") and "--timeout" in r.stderr


def test_the_default_timeout_is_documented():
    r = relscan("scan", "--help", env=dict(os.environ))
    assert "--timeout SECONDS" in r.stdout and "[default: 20.0;" in r.stdout
    readme = Path(__file__).resolve().parents[1] / "README.md"
    assert "--timeout" in readme.read_text(encoding="utf-8")


def test_timeout_from_the_config_file(tmp_path):
    config = tmp_path / "relscan.toml"
    config.write_text('[scan]\nproviders = ["azure"]\ntimeout = 0.5\n')
    with silent_socket() as silent:
        r = relscan("scan", "--config", str(config), "-f", "json",
                    env=cloud_env("azure", silent.port))  # fmt: skip
    assert r.returncode == 3, r.stderr
    assert "(read timeout=0.5)" in _errors(r.stdout)[0]["message"]


@pytest.mark.parametrize("where", ["environment", "profile"])
def test_the_aws_attempts_setting_is_honoured(tmp_path, where):
    """AWS_MAX_ATTEMPTS, or max_attempts in the profile, replaces relscan's own."""
    with silent_socket() as silent:
        env = cloud_env("aws", silent.port)
        if where == "environment":
            env["AWS_MAX_ATTEMPTS"] = "1"
        else:
            (tmp_path / "config").write_text("[default]\nmax_attempts = 1\n")
            env["AWS_CONFIG_FILE"] = str(tmp_path / "config")
        r = relscan("scan", "-p", "aws", "-f", "json", "--timeout", "0.3", env=env)
        assert r.returncode == 3, r.stderr
        assert silent.connections == 1  # one try, not relscan's two


def test_the_oci_retry_switch_is_honoured():
    with silent_socket() as silent:
        env = {**cloud_env("oci", silent.port), "OCI_SDK_DEFAULT_RETRY_ENABLED": "false"}
        r = relscan("scan", "-p", "oci", "-f", "json", "--timeout", "0.3", env=env)
        assert r.returncode == 3, r.stderr
        assert silent.connections == 1  # the compartment listing, once: no retry


CHECK_IDS = {
    "aws": "arn:aws:codedeploy:eu-west-2:123456789012:deploymentgroup:payments/prod",
    "azure": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/"
    "providers/Microsoft.Web/sites/portal",
    "gcp": "//run.googleapis.com/projects/portal-prod/locations/europe-west2/services/frontend",
    "oci": "ocid1.loadbalancer.oc1.uk-london-1.aaaaaaaaexampleexampleexample",
}


@pytest.mark.parametrize("cloud", CLOUDS)
def test_ctrl_c_during_check(cloud):
    """`check` reads in the main thread; Ctrl-C ends it at once, without waiting
    for the interpreter to tear down the SDKs' modules (GCP's took ~2 s)."""
    with silent_socket() as silent:
        proc = _start("check", CHECK_IDS[cloud], env=cloud_env(cloud, silent.port))
        took, err = _interrupt(proc, silent.accepted.is_set)
    assert proc.returncode == 130, err
    assert took < 2
    assert err.strip() == "relscan: interrupted"  # after the new line Click ends ^C with
