"""The providers' checks without I/O: Mailgun's HMAC over timestamp and token and its
freshness, basic auth compared in full, secret references."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from contactcentre.email.providers import Refused, basic_auth_matches, same_secret
from contactcentre.email.providers.forms import Form, Malformed
from contactcentre.email.providers.mailgun import TOLERANCE_SECONDS, check_signature
from contactcentre.email.secrets import is_reference

KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol1"
NOW = 1_800_000_000


def _signed(timestamp: int = NOW, token: str = "a" * 50, key: str = KEY) -> Form:
    # As Mailgun's documentation says: hex HMAC-SHA256 of timestamp + token, signing key.
    digest = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return Form(
        fields={
            "timestamp": str(timestamp).encode(),
            "token": token.encode(),
            "signature": digest.encode(),
        }
    )


def test_mailgun_signature_made_with_the_signing_key_passes() -> None:
    """A signature Mailgun made gives back the token (to remember against replays)."""
    assert check_signature(_signed(), KEY, NOW) == "a" * 50
    upper = _signed()
    upper.fields["signature"] = upper.fields["signature"].upper()
    assert check_signature(upper, KEY, NOW + TOLERANCE_SECONDS) == "a" * 50


@pytest.mark.parametrize(
    "tamper",
    ["key", "token", "timestamp", "signature"],
)
def test_mailgun_signature_fails_when_anything_signed_changes(tamper: str) -> None:
    """Another key, token or timestamp than the signed ones, or a forged signature: refused."""
    form = _signed(key="another-key") if tamper == "key" else _signed()
    if tamper == "token":
        form.fields["token"] = b"b" * 50
    elif tamper == "timestamp":
        form.fields["timestamp"] = str(NOW + 1).encode()
    elif tamper == "signature":
        form.fields["signature"] = b"0" * 64
    with pytest.raises(Refused) as refused:
        check_signature(form, KEY, NOW)
    assert refused.value.code == "bad_signature"


@pytest.mark.parametrize("offset", [-(TOLERANCE_SECONDS + 1), TOLERANCE_SECONDS + 1])
def test_mailgun_timestamps_beyond_the_tolerance_are_stale(offset: int) -> None:
    """Correctly signed but more than five minutes from our clock, either way: refused."""
    with pytest.raises(Refused) as refused:
        check_signature(_signed(NOW + offset), KEY, NOW)
    assert refused.value.code == "stale_timestamp"


@pytest.mark.parametrize("missing", ["timestamp", "token", "signature"])
def test_mailgun_signature_parts_missing_are_malformed(missing: str) -> None:
    """A missing part names its field; a timestamp that is not digits too."""
    form = _signed()
    del form.fields[missing]
    with pytest.raises(Malformed) as malformed:
        check_signature(form, KEY, NOW)
    assert malformed.value.field == missing
    form = _signed()
    form.fields["timestamp"] = b"soon"
    with pytest.raises(Malformed):
        check_signature(form, KEY, NOW)


def test_basic_auth_needs_both_the_user_and_the_password() -> None:
    """The configured user and the secret, exactly; no configured user: the password alone."""
    assert basic_auth_matches("pm", "s3cret", "pm", "s3cret")
    assert not basic_auth_matches("pm", "s3cre", "pm", "s3cret")
    assert not basic_auth_matches("pm", "s3cret-and-more", "pm", "s3cret")
    assert not basic_auth_matches("PM", "s3cret", "pm", "s3cret")
    assert not basic_auth_matches(None, None, "pm", "s3cret")
    assert basic_auth_matches("anyone", "s3cret", None, "s3cret")
    assert not basic_auth_matches("anyone", "", None, "s3cret")


def test_same_secret_compares_text_exactly() -> None:
    """Non-ASCII secrets compare as UTF-8; a prefix is not the secret."""
    assert same_secret("clé-ü", "clé-ü")
    assert not same_secret("clé", "clé-ü")
    assert not same_secret("", "x")


def test_secret_references_are_env_or_file_never_a_password() -> None:
    """What the mailbox API accepts as a secret reference."""
    for good in ("env:CC_MAILGUN_KEY", "env:_X1", "file:/run/secrets/postmark"):
        assert is_reference(good), good
    for bad in ("hunter2", "env:", "env:1BAD", "env:A B", "file:relative", "file:", "ENV:X"):
        assert not is_reference(bad), bad
