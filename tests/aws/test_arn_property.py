"""The `relscan check` id parser, on arbitrary text (Hypothesis)."""

from __future__ import annotations

import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from providers.aws.arn import ParsedArn, parse_arn
from providers.aws.plugin import plugin
from scanner.errors import UsageError

NAME_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs"), blacklist_characters="/"
)  # anything printable but the separator
names = st.text(NAME_CHARS, min_size=1, max_size=40)
valid = st.builds(
    ParsedArn,
    service=st.sampled_from(["codedeploy", "elasticbeanstalk"]),
    region=st.from_regex(r"[a-z]{2}(-[a-z]+)+-[0-9]", fullmatch=True),
    account=st.text(string.digits, min_size=12, max_size=12),
    application=names,
    name=names,
    partition=st.sampled_from(["aws", "aws-us-gov", "aws-cn"]),
)


@settings(max_examples=250, deadline=None)
@given(
    st.text()
    | st.text().map(lambda t: "arn:" + t)
    | st.binary().map(lambda b: "arn:aws:" + b.decode("latin-1"))
)
@example("arn:aws:codedeploy:eu-west-2:123456789012:deploymentgroup:a/b\n")
@example("arn:aws:codedeploy:eu-west-2:١٢٣٤٥٦٧٨٩٠١٢:deploymentgroup:a/b")
@example("arn:aws:codedeploy:eu-west-2:123456789012:deploymentgroup:a/b\x00")
@example("arn:aws:elasticbeanstalk:eu-west-2:123456789012:environment/a/b/c")
@example("arn:" + "x" * 100_000)
def test_arbitrary_text_raises_nothing_but_usage_error(text):
    try:
        parsed = parse_arn(text)
    except UsageError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 1000
        return
    assert parsed.text == text  # whatever is accepted is exactly a valid ARN
    assert plugin.claims(text)


@settings(max_examples=150, deadline=None)
@given(valid)
def test_valid_ids_round_trip(arn):
    assert parse_arn(arn.text) == arn
    assert plugin.claims(arn.text)


@settings(max_examples=150, deadline=None)
@given(valid, st.sampled_from(["", "/", "//", "/x/"]), st.booleans())
def test_a_supported_kind_with_a_broken_name_is_malformed_not_unsupported(arn, cut, drop_name):
    """A name with a missing, empty or extra segment is reported as malformed,
    naming the kind, never as an unsupported kind."""
    text = arn.text.rsplit("/", 1)[0] + ("" if drop_name else cut)
    if text == arn.text:
        return
    try:
        parse_arn(text)
    except UsageError as exc:
        message = str(exc)
        assert message.startswith("malformed ") and "unsupported" not in message
        return
    assert "/" in arn.application or "/" in arn.name  # only then can it still parse
