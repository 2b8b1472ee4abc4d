"""What an evidence bundle may and may not hold."""

from __future__ import annotations

from scanner.evidence.recorder import MASK, body_value, scrub, scrub_url


def test_credentials_are_masked_wherever_they_stand():
    body = scrub(
        {
            "Credentials": {"AccessKeyId": "ASIA1", "SecretAccessKey": "s", "SessionToken": "t"},
            "ExternalId": "e",
            "nested": [{"password": "p", "api_key": "k"}],
        }
    )
    assert body["Credentials"] == {
        "AccessKeyId": MASK,
        "SecretAccessKey": MASK,
        "SessionToken": MASK,
    }
    assert body["ExternalId"] == MASK
    assert body["nested"] == [{"password": MASK, "api_key": MASK}]
    xml = body_value(
        "<R><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
        "<AccessKeyId>a</AccessKeyId></R>"
    )
    assert "s<" not in xml and ">t<" not in xml and f"<AccessKeyId>{MASK}" in xml


def test_ordinary_data_that_sounds_secret_is_kept():
    data = {
        "Tags": [{"Key": "service", "Value": "x"}],
        "error": {"code": "Forbidden"},
        "healthChecker": {"returnCode": 200},
        "NextToken": "n",
        "nextPageToken": "p",
        "PaginationToken": "q",
    }
    assert scrub(data) == data


def test_url_queries_lose_keys_signatures_and_function_codes_but_keep_paging():
    url = scrub_url(
        "https://h.example:8443/p?key=AIza&sig=abc&code=fk&pageToken=7"
        "&%24skiptoken=9&api-version=2024-04-01"
    )
    assert "AIza" not in url and "abc" not in url and "fk" not in url
    assert "pageToken=7" in url and "skiptoken=9" in url and "api-version=2024-04-01" in url
    assert scrub_url("https://user:pw@h/p") == "https://h/p"


def test_xml_paging_tokens_are_kept_for_replay():
    xml = body_value("<R><NextToken>2</NextToken><SessionToken>t</SessionToken></R>")
    assert "<NextToken>2</NextToken>" in xml and f"<SessionToken>{MASK}</SessionToken>" in xml
