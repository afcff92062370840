"""Slack's v0 signature check: only plain-digit, fresh timestamps and matching signatures pass."""

import pytest

from bot.slack.verification import Unverified, signature_of, verify

SECRET = "test-signing-secret"
NOW = 1_790_000_000
BODY = b"command=%2Fgate&text=now"


def _headers(timestamp: str, signature: str | None = None) -> dict[str, str]:
    if signature is None:
        signature = signature_of(secret=SECRET, timestamp=timestamp, body=BODY)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def test_a_fresh_request_signed_with_the_secret_passes():
    headers = _headers(str(NOW - 299))

    signed = verify(secret=SECRET, headers=headers, body=BODY, now=NOW)

    assert (signed.signature, signed.timestamp) == (headers["X-Slack-Signature"], NOW - 299)


@pytest.mark.parametrize(
    "timestamp", ["", "abc", "1e3", " 12", "12 ", "+1790000000", "-1", "١٧٩٠٠٠٠٠٠٠", "0x6AB", "1.5"]
)
def test_a_timestamp_that_is_not_plain_digits_is_refused(timestamp: str):
    # Signed over the odd timestamp, so only the timestamp's form can be what refuses it.
    headers = _headers(timestamp) if timestamp.isascii() else _headers(timestamp, "v0=" + "0" * 64)

    with pytest.raises(Unverified, match="well-formed timestamp"):
        verify(secret=SECRET, headers=headers, body=BODY, now=NOW)


@pytest.mark.parametrize("offset", [-301, 301, 10**11])
def test_a_timestamp_outside_five_minutes_is_refused(offset: int):
    with pytest.raises(Unverified, match="five-minute window"):
        verify(secret=SECRET, headers=_headers(str(NOW + offset)), body=BODY, now=NOW)


def test_a_missing_timestamp_is_refused():
    with pytest.raises(Unverified, match="well-formed timestamp"):
        verify(secret=SECRET, headers={"X-Slack-Signature": "v0=" + "0" * 64}, body=BODY, now=NOW)


@pytest.mark.parametrize(
    "signature", ["", "v0=", "v1=" + "a" * 64, "v0=" + "A" * 64, "v0=" + "a" * 63, "v0=zz"]
)
def test_a_malformed_signature_is_refused(signature: str):
    with pytest.raises(Unverified, match="well-formed v0 signature"):
        verify(secret=SECRET, headers=_headers(str(NOW), signature), body=BODY, now=NOW)


def test_an_altered_body_or_another_secret_is_refused():
    headers = _headers(str(NOW))
    other = signature_of(secret="another-secret", timestamp=str(NOW), body=BODY)

    with pytest.raises(Unverified, match="does not match"):
        verify(secret=SECRET, headers=headers, body=BODY + b"&x=1", now=NOW)
    with pytest.raises(Unverified, match="does not match"):
        verify(secret=SECRET, headers=_headers(str(NOW), other), body=BODY, now=NOW)
