"""Output options as a user meets them (issue 13, "check and the output options"
and "Tables, Markdown, JSON"): the installed `relscan` in a subprocess against
the loopback AWS emulator (tests/aws/estate.py: payments/prod at level 5,
legacy/batch at level 1, portal/portal-prod at level 2)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

import jsonschema
import pytest

from scanner.outputs.csv_out import read_rows
from tests.aws.estate import ACCOUNT, CD_ARN, EB_ARN, RELSCAN, relscan

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
BATCH_ARN = f"arn:aws:codedeploy:eu-west-1:{ACCOUNT}:deploymentgroup:legacy/batch"


def one_error_line(r: subprocess.CompletedProcess[str]) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relscan: error: "), r.stderr
    return lines[0]


# --- check follows scan's format rules -------------------------------------------------


def test_check_piped_writes_json_and_the_output_suffix_decides(serve, tmp_path):
    env = serve()
    r = relscan("check", EB_ARN, env=env)  # stdout is a pipe: JSON, as scan does
    assert r.returncode == 0, r.stderr
    unit = json.loads(r.stdout)
    assert (unit["id"], unit["level"], unit["rule"]) == (EB_ARN, 2, "AWS-EB-2-ROLLING")
    r = relscan("check", EB_ARN, "-o", str(tmp_path / "x.json"), env=env)
    assert r.returncode == 0 and r.stdout == ""
    assert json.loads((tmp_path / "x.json").read_text())["rule"] == "AWS-EB-2-ROLLING"
    r = relscan("check", EB_ARN, "-o", str(tmp_path / "x.md"), env=env)
    assert (tmp_path / "x.md").read_text().startswith("### portal/portal\\-prod")
    r = relscan("check", EB_ARN, "-o", str(tmp_path / "x.sarif"), env=env)
    log = json.loads((tmp_path / "x.sarif").read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert [x["ruleId"] for x in log["runs"][0]["results"]] == ["AWS-EB-2-ROLLING"]


def on_a_terminal(args, env):
    """Run relscan with a pseudo-terminal as standard output; (exit code, output)."""
    leader, follower = pty.openpty()
    proc = subprocess.run(
        [RELSCAN, *args], env=env, stdout=follower, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    return proc.returncode, out.decode()


def test_check_on_a_terminal_prints_the_table(serve):
    """A pseudo-terminal as standard output: the human table, as scan gives."""
    code, text = on_a_terminal(["check", EB_ARN], {**serve(), "COLUMNS": "100", "NO_COLOR": "1"})
    assert code == 0
    assert "portal/portal-prod  level 2" in text and "rule: AWS-EB-2-ROLLING" in text
    assert not text.lstrip().startswith("{")


def test_colour_goes_to_the_terminal_never_into_a_file(serve, tmp_path):
    env = {k: v for k, v in serve().items() if k != "NO_COLOR"}
    scan = tmp_path / "scan.json"
    assert relscan("scan", "-p", "aws", "-o", str(scan), "-q", env=env).returncode == 0
    code, text = on_a_terminal(["report", str(scan), "-f", "table"], env)
    assert code == 0 and "\x1b[" in text  # coloured by level on the terminal
    code, text = on_a_terminal(["report", str(scan), "-o", str(tmp_path / "t.txt")], env)
    written = (tmp_path / "t.txt").read_text()
    assert code == 0 and "legacy/batch" in written and "\x1b[" not in written


def test_check_offers_only_its_formats_and_refuses_unknown_suffixes(serve, tmp_path):
    env = serve()
    r = relscan("check", EB_ARN, "-f", "html", env=env)
    assert r.returncode == 2
    assert one_error_line(r).endswith(
        "unknown format 'html'; choose one of json, markdown, table, sarif"
    )
    r = relscan("check", EB_ARN, "-o", str(tmp_path / "r.html"), env=env)
    assert r.returncode == 2
    assert "cannot tell the format from a suffix '.html'; use one of .json, .md, " in (
        one_error_line(r)
    )
    assert not (tmp_path / "r.html").exists()
    help_text = relscan("check", "--help", env=env).stdout
    assert "json, markdown, table, sarif" in help_text and "cddo" not in help_text


def test_check_help_lists_no_scan_only_options(serve):
    env = serve()
    check_help = relscan("check", "--help", env=env).stdout
    scan_help = relscan("scan", "--help", env=env).stdout
    scan_only = [
        "--aws-organization",
        "--azure-subscription",
        "--gcp-project",
        "--gcp-folder",
        "--gcp-organization",
        "--oci-compartment",
        "--oci-region",
        "--concurrency",
        "--time-budget",
        "--shard",
    ]
    for option in scan_only:
        assert option in scan_help
        assert option not in check_help, option
    for option in ("--aws-profile", "--aws-assume-role", "--azure-tenant", "--gcp-impersonate"):
        assert option in check_help
    r = relscan("check", CD_ARN, "--aws-organization", env=env)
    assert r.returncode == 2 and "No such option '--aws-organization'" in r.stderr


def test_check_warns_when_aws_region_contradicts_the_arn(serve):
    env = serve()
    r = relscan("check", CD_ARN, "--aws-region", "eu-west-1", env=env)
    assert r.returncode == 0
    assert r.stderr.strip() == (
        "relscan: warning: --aws-region eu-west-1 is ignored: the ARN is in region eu-west-2"
    )
    assert json.loads(r.stdout)["location"] == "eu-west-2"
    r = relscan("check", CD_ARN, "--aws-region", "eu-west-2", env=env)
    assert r.returncode == 0 and r.stderr == ""


# --- -o -, report -, unknown suffixes --------------------------------------------------


def test_dash_means_standard_output_and_report_reads_standard_input(serve, tmp_path):
    env = serve()
    r = subprocess.run(
        [RELSCAN, "scan", "-p", "aws", "-o", "-", "-q"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "-").exists()
    doc = json.loads(r.stdout)
    assert doc["summary"]["total"] == 3
    r = subprocess.run(
        [RELSCAN, "report", "-", "-f", "csv"],
        input=json.dumps(doc), env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("id,provider,kind")
    assert len(r.stdout.splitlines()) == 4
    r = subprocess.run(
        [RELSCAN, "report", "-"], input="{nope", env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert r.returncode == 2 and "standard input: not JSON" in one_error_line(r)


def test_an_unknown_output_suffix_is_an_error_before_the_scan(serve, tmp_path):
    env = serve()
    for name in ("scan.yaml", "scan"):
        r = relscan("scan", "-p", "aws", "-o", str(tmp_path / name), env=env)
        assert r.returncode == 2
        line = one_error_line(r)
        assert "cannot tell the format from a" in line
        assert ".json, .md, .markdown, .txt, .html, .htm, .pdf, .csv, .sarif" in line
        assert not (tmp_path / name).exists()
    r = relscan("scan", "-p", "aws", "-f", "json", "-o", str(tmp_path / "scan.yaml"), env=env)
    assert r.returncode == 0  # an explicit --format names the format of any file
    assert json.loads((tmp_path / "scan.yaml").read_text())["summary"]["total"] == 3


def test_empty_service_tag_key_is_refused(serve):
    r = relscan("scan", "-p", "aws", "--service-tag-key", "", env=serve())
    assert r.returncode == 2
    assert one_error_line(r) == "relscan: error: --service-tag-key: a tag key cannot be empty"
    r = relscan("check", EB_ARN, "--service-tag-key", " ", env=serve())
    assert r.returncode == 2


def test_bare_relscan_prints_the_usual_help():
    r = subprocess.run([RELSCAN], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2  # Click's convention for a group called without a command
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines[0] == "Usage: relscan [OPTIONS] COMMAND [ARGS]..."
    assert "Commands:" in lines and len(lines) > 10
    assert not r.stderr.startswith("relscan: error:")


# --- --service and --below in every format ---------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "table", "sarif"])
def test_service_narrows_every_format(serve, fmt):
    r = relscan("scan", "-p", "aws", "-f", fmt, "--service", "portal", "-q", env=serve())
    assert r.returncode == 0, r.stderr
    out = r.stdout.replace("\\-", "-")  # markdown escapes the hyphen
    assert "portal-prod" in out
    assert "payments" not in out and "legacy" not in out
    if fmt == "json":
        assert [u["id"] for u in json.loads(out)["resources"]] == [EB_ARN]


def test_service_narrows_the_html_report_and_answers_cddo_for_it(serve, tmp_path):
    env = serve()
    out = tmp_path / "r.html"
    r = relscan("scan", "-p", "aws", "--service", "payments", "-o", str(out), "-q", env=env)
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    assert "payments/prod" in html and "portal-prod" not in html
    r = relscan("scan", "-p", "aws", "-f", "cddo", "--service", "payments", "-q", env=env)
    [answer] = json.loads(r.stdout)["assessmentData"]["operations"].values()
    assert answer["answer"] == 5


def test_below_shows_only_the_gaps(serve):
    env = {**serve(), "COLUMNS": "120"}
    r = relscan("scan", "-p", "aws", "-f", "json", "--below", "3", "-q", env=env)
    assert r.returncode == 0, r.stderr
    assert sorted(u["id"] for u in json.loads(r.stdout)["resources"]) == sorted([BATCH_ARN, EB_ARN])
    r = relscan("scan", "-p", "aws", "-f", "table", "--below", "2", "-q", env=env)
    assert "Release units below level 2" in r.stdout
    assert "legacy/batch" in r.stdout and "portal-prod" not in r.stdout
    assert "Summary: 3 units" in r.stdout  # the summary stays the whole scan's
    r = relscan("scan", "-p", "aws", "-f", "markdown", "--below", "2", "-q", env=env)
    assert "## Release units below level 2 (and not assessed): 1 of 3" in r.stdout
    assert "### legacy/batch" in r.stdout and "### portal/portal\\-prod" not in r.stdout
    r = relscan("scan", "-p", "aws", "-f", "csv", "--below", "2", "-q", env=env)
    assert len(r.stdout.splitlines()) == 2
    r = relscan("scan", "-p", "aws", "-f", "sarif", "--below", "2", "-q", env=env)
    assert [x["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            for x in json.loads(r.stdout)["runs"][0]["results"]] == [BATCH_ARN]  # fmt: skip


@pytest.mark.parametrize("fmt", ["html", "pdf", "cddo"])
def test_below_is_refused_by_whole_estate_formats_before_the_scan(fmt, tmp_path):
    out = tmp_path / f"r.{fmt}"
    r = subprocess.run(
        [RELSCAN, "scan", "-p", "aws", "-f", fmt, "-o", str(out), "--below", "3"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
    )  # fmt: skip
    assert r.returncode == 2
    assert f"--format {fmt} reports on the whole estate" in one_error_line(r)
    assert not out.exists()


def test_check_below(serve):
    env = serve()
    r = relscan("check", EB_ARN, "-f", "table", "--below", "2", env=env)
    assert r.returncode == 0
    assert r.stdout == "portal/portal-prod: level 2, not below level 2\n"
    r = relscan("check", EB_ARN, "-f", "table", "--below", "3", env=env)
    assert "rule: AWS-EB-2-ROLLING" in r.stdout
    r = relscan("check", EB_ARN, "-f", "json", "--below", "2", env=env)
    assert json.loads(r.stdout)["level"] == 2  # json always carries the unit


# --- a failed write after the scan -----------------------------------------------------


def test_a_failed_write_after_the_scan_says_where_the_scan_is_kept(serve, tmp_path):
    env = serve()
    with open("/dev/full", "w") as full:  # standard output that is full: any user can
        r = subprocess.run(
            [RELSCAN, "scan", "-p", "aws", "-f", "json", "-q"],
            env=env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    assert r.returncode == 7
    line = one_error_line(r)
    assert line.startswith("relscan: error: cannot write standard output: No space left on device")
    ref = line.split("`relscan show ")[1].split(" ")[0]
    again = relscan("show", ref, "-f", "json", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["summary"]["total"] == 3


def test_a_failed_write_without_a_store_keeps_the_scan_in_a_file(serve, tmp_path):
    env = {**serve(), "TMPDIR": str(tmp_path)}
    target = "/dev/full" if os.access("/dev", os.W_OK) else None
    if target is None:
        pytest.skip("/dev is not writable for this user: -o /dev/full is refused before the scan")
    r = relscan("scan", "-p", "aws", "-f", "json", "-o", target, "--no-store", "-q", env=env)
    assert r.returncode == 7
    line = one_error_line(r)
    assert "cannot write /dev/full: No space left on device; the scan is kept in " in line
    kept = line.split("the scan is kept in ")[1].split(":")[0]
    assert Path(kept).parent == tmp_path
    again = relscan("report", kept, "-f", "json", env=env)
    assert json.loads(again.stdout)["summary"]["total"] == 3


@pytest.mark.parametrize("fmt", ["json", "csv", "sarif"])
def test_a_failed_streamed_write_to_a_file_is_one_line_and_the_store_keeps_the_scan(
    serve, tmp_path, fmt
):
    if not os.access("/dev", os.W_OK):
        pytest.skip("/dev is not writable for this user: -o /dev/full is refused before the scan")
    env = serve()
    db = f"sqlite:///{tmp_path / 'h.db'}"
    r = relscan("scan", "-p", "aws", "-f", fmt, "-o", "/dev/full", "--store", db, "-q", env=env)
    assert r.returncode == 7
    line = one_error_line(r)
    assert line.startswith("relscan: error: cannot write /dev/full: No space left on device; ")
    assert "the scan is kept in the store: `relscan show " in line
    ref = line.split("`relscan show ")[1].split(" ")[0]
    again = relscan("show", ref, "--store", db, "-f", "json", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["summary"]["total"] == 3


def test_every_configured_output_is_streamed_whole(serve, tmp_path):
    config = tmp_path / "relscan.toml"
    config.write_text(
        '[scan]\nproviders = ["aws"]\n'
        f'[[outputs]]\nformat = "sarif"\npath = "{tmp_path}/out.sarif"\n'
        f'[[outputs]]\nformat = "csv"\npath = "{tmp_path}/out.csv"\n'
        f'[[outputs]]\nformat = "markdown"\npath = "{tmp_path}/out.md"\n'
    )
    env = serve()
    db = f"sqlite:///{tmp_path / 'h.db'}"
    r = relscan("scan", "--config", str(config), "--store", db, "-o", str(tmp_path / "out.json"),
                "-q", env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    for fmt, name in (("json", "out.json"), ("sarif", "out.sarif"), ("csv", "out.csv"),
                      ("markdown", "out.md")):  # fmt: skip
        again = relscan("show", "latest", "--store", db, "-f", fmt, env=env)
        written = (tmp_path / name).read_text(encoding="utf-8")
        if fmt in ("json", "sarif"):  # `show` reads the scan back from the store
            assert _units(fmt, written) == _units(fmt, again.stdout) and len(_units(fmt, written))
        elif fmt == "csv":
            assert [row["id"] for row in read_rows(written)] == [
                row["id"] for row in read_rows(again.stdout)
            ] and len(read_rows(written)) == 3
        else:
            assert written.startswith("#"), written[:80]


def _units(fmt: str, text: str) -> list[tuple[str, str]]:
    """Each unit's id and rule, whichever way the JSON format lists them."""
    doc = json.loads(text)
    if fmt == "json":
        return [(u["id"], u["rule"]) for u in doc["resources"]]
    found = doc["runs"][0]["results"]
    return [
        (r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], r["ruleId"]) for r in found
    ]
