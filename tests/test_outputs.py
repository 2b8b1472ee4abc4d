"""Renderers treat cloud-supplied strings as data."""

from __future__ import annotations

import json

from scanner.model import Assessment, Evidence
from scanner.outputs import json_out, markdown, table
from scanner.outputs.text import clean, md

HOSTILE = "[bold red]pwn[/bold red] <script>alert(1)</script> \x1b[31mred\x1b[0m |x| \u202eevil"


def unit(**kw):
    base = dict(
        id="arn:aws:codedeploy:eu-west-2:1:deploymentgroup:a/b",
        provider="aws",
        kind="aws.codedeploy.deployment_group",
        name=HOSTILE,
        account="1",
        location="eu-west-2",
        tags={"service": HOSTILE},
        level=2,
        status="assessed",
        rule="AWS-CD-2-IN-PLACE-ROLLING",
        reason="rolling",
        evidence=[Evidence("deploymentGroupInfo.x", HOSTILE)],
        next_steps=["go blue"],
    )
    base.update(kw)
    return Assessment(**base)


def test_table_keeps_markup_literal_and_drops_escape_sequences():
    out = table.render_one(unit())
    assert "[bold red]pwn[/bold red]" in out
    assert "\x1b" not in out and "\u202e" not in out


def test_markdown_escapes_html_and_table_breaks():
    out = markdown.render_one(unit())
    assert "<script>" not in out
    assert r"\<script\>" in out
    assert r"\|x\|" in out


def test_json_keeps_the_value_exactly():
    doc = json.loads(json_out.render_one(unit()))
    assert doc["name"] == HOSTILE and doc["tags"]["service"] == HOSTILE


def test_clean_shortens_very_long_strings():
    assert clean("a" * 1000, 50) == "a" * 49 + "…"
    assert md("_x_") == r"\_x\_"


def test_round_trip_through_dict():
    a = unit()
    assert Assessment.from_dict(a.as_dict()) == a
