"""The parser on the hard-message corpus, and its property: it never raises anything but
Unparseable, so every message ends parsed or quarantined."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactcentre.email.parsing import (
    Limits,
    ParsedEmail,
    Unparseable,
    message_ids,
    message_key,
    parse,
)
from tests.email_corpus import Hard, corpus, simple

LIMITS = Limits(
    max_attachment_bytes=10 * 1024 * 1024,
    attachment_types=frozenset({"application/pdf", "image/png", "text/plain", "message/rfc822"}),
)
CORPUS = corpus()


def _value(parsed: ParsedEmail, path: str) -> Any:
    head, _, rest = path.partition(".")
    value = getattr(parsed, head)
    if head == "attachments":
        return [getattr(a, rest) for a in value]
    return getattr(value, rest) if rest else value


@pytest.mark.parametrize("hard", CORPUS, ids=[h.name for h in CORPUS])
def test_every_hard_message_ends_parsed_or_quarantined_as_expected(hard: Hard) -> None:
    """Each message of the corpus is understood (the facts that prove it) or refused for the
    reason it deserves."""
    if hard.outcome != "parsed":
        with pytest.raises(Unparseable) as refused:
            parse(hard.raw, LIMITS)
        assert refused.value.reason == hard.outcome
        return
    parsed = parse(hard.raw, LIMITS)
    for path, expected in hard.expect.items():
        value = _value(parsed, path)
        if isinstance(value, list):
            assert expected in value, (path, value)
        else:
            assert value == expected, (path, value)


def test_html_is_sanitised_and_remote_images_removed() -> None:
    """No script and no image from a sender's server survives; an inline cid: image does."""
    html_only = next(h for h in CORPUS if h.name.startswith("HTML only"))
    parsed = parse(html_only.raw, LIMITS)
    assert parsed.html is not None
    assert "script" not in parsed.html and "tracker.example" not in parsed.html
    nested = parse(next(h for h in CORPUS if h.name == "nested multiparts").raw, LIMITS)
    assert nested.html is not None and 'src="cid:logo"' in nested.html
    assert [a.content_type for a in nested.attachments] == ["image/png", "application/pdf"]
    assert all(a.accepted for a in nested.attachments)


def test_a_bounce_names_the_address_that_failed() -> None:
    """A DSN's per-recipient block becomes a bounce against that address, with its status."""
    parsed = parse(next(h for h in CORPUS if h.name == "bounce (DSN)").raw, LIMITS)
    assert [(b.address, b.action, b.status) for b in parsed.bounces] == [
        ("gone@customer.example", "failed", "5.1.1")
    ]


def test_the_reply_is_separated_from_the_quote_and_the_signature() -> None:
    """The customer's new words, what they quoted, and their signature come apart."""
    body = (
        "Thanks, that fixed it.\n\nBest regards,\nAnn\n\n"
        "On Mon, 1 Dec 2026 at 10:00, Support <support@example.com> wrote:\n"
        "> Please restart the router.\n"
    )
    parsed = parse(simple(body=body), LIMITS)
    assert parsed.reply.reply == "Thanks, that fixed it."
    assert "restart the router" in parsed.reply.quoted
    assert parsed.reply.signature.startswith("Best regards")


def test_message_ids_are_read_from_threading_headers_in_order() -> None:
    """In-Reply-To and References give their ids without brackets, oldest first."""
    assert message_ids("<a@x> <b@y>\r\n <c@z>") == ["a@x", "b@y", "c@z"]
    assert message_ids("garbage") == []


def test_the_key_is_the_message_id_else_a_hash_of_the_bytes() -> None:
    """Two copies of one message share a key; a message without an id is keyed by its bytes."""
    assert message_key(simple(message_id="<same@x>")) == "same@x"
    assert message_key(simple(message_id="<same@x>", body="other")) == "same@x"
    no_id = b"From: a@b.example\r\n\r\nhi"
    assert message_key(no_id).startswith("sha256:")
    assert message_key(no_id) != message_key(no_id + b"!")


def test_language_is_detected_from_the_reply() -> None:
    """A German message is German; a two-word one is too short to tell."""
    german = "Guten Tag, meine Bestellung ist leider noch nicht angekommen. Können Sie helfen?"
    assert parse(simple(body=german), LIMITS).language == "de"
    assert parse(simple(body="ok thanks"), LIMITS).language is None


_HEADER_NAMES = st.sampled_from(
    ["From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Content-Type",
     "Content-Transfer-Encoding", "Auto-Submitted", "Content-Disposition", "X-Junk"]
)  # fmt: skip
_HEADER_VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ['multipart/mixed; boundary="b"', "text/plain; charset=x-nope", "text/html; charset=utf-7",
         "base64", "quoted-printable", "=?utf-8?b?!!!?=", "=?x-bad?q?=FF?= <a@b.c>", "<a@b>",
         "message/rfc822", "multipart/report; report-type=delivery-status",
         'attachment; filename="'],
    ),
)  # fmt: skip


@st.composite
def _messages(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=8))
    body = draw(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    raw: bytes = head.encode("utf-8", "surrogatepass") + b"\r\n" + body
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_messages(), st.binary(max_size=500)))
def test_the_parser_never_raises_anything_but_unparseable(raw: bytes) -> None:
    """Whatever the bytes, the result is a parsed message or a quarantine reason."""
    try:
        parsed = parse(raw, LIMITS)
    except Unparseable as refused:
        assert refused.reason
        return
    assert parsed.from_address is not None and "@" in parsed.from_address
    assert isinstance(parsed.text, str) and isinstance(parsed.reply.reply, str)
    assert parsed.html is None or "<script" not in parsed.html.lower()
