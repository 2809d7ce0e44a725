"""A provider's parsed fields written back as MIME: the same fields give the same bytes, the
parser reads back what the provider sent, and forms keep their bytes."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from contactcentre.email.parsing import Limits, parse
from contactcentre.email.providers.forms import Malformed, read_form
from contactcentre.email.providers.rebuild import (
    Attachment,
    Body,
    header_block,
    header_line,
    message,
)

LIMITS = Limits(max_attachment_bytes=10**6, attachment_types=frozenset())


def _rebuilt() -> bytes:
    headers = header_line("From", "Jöhn Doe <john@customer.example>") + header_line(
        "Date", "not a date"
    )
    return message(
        headers + header_line("Subject", "Colis perdu"),
        Body("Bonjour, où est mon colis ?".encode("iso-8859-1"), "iso-8859-1"),
        Body(b"<p>Bonjour</p>"),
        [Attachment("reçu.pdf", "application/pdf", b"%PDF-1.4\n", None)],
    )


def test_the_same_fields_rebuild_the_same_bytes() -> None:
    """No random boundary: a retry without a Message-ID hashes the same, so it is stored once."""
    assert _rebuilt() == _rebuilt()
    other = message(header_line("From", "a@b.example"), Body(b"other"), None, [])
    assert other != _rebuilt()


def test_the_parser_reads_back_what_the_provider_sent() -> None:
    """The sender, subject, the text in its charset, the attachment with its non-ASCII name."""
    parsed = parse(_rebuilt(), LIMITS)
    assert (parsed.from_address, parsed.from_name) == ("john@customer.example", "Jöhn Doe")
    assert parsed.subject == "Colis perdu"
    assert parsed.text.startswith("Bonjour, où est mon colis ?")
    (attachment,) = parsed.attachments
    assert (attachment.filename, attachment.content_type) == ("reçu.pdf", "application/pdf")


def test_header_values_are_kept_not_reinterpreted() -> None:
    """A malformed Date stays as it came (the policy's parser would have emptied it); line
    breaks inside a value cannot start a new header."""
    read = BytesParser(policy=policy.compat32).parsebytes(_rebuilt())
    assert read["Date"] == "not a date"
    injected = header_line("Subject", "hi\r\nBcc: victim@example.com")
    assert injected == b"Subject: hi Bcc: victim@example.com\r\n"
    assert header_line("Bad Name", "x").startswith(b"X-Invalid-Header: Bad Name: x")


def test_a_raw_header_block_loses_only_the_structural_fields() -> None:
    """SendGrid's `headers`: folding and order kept, the original's Content-Type dropped (the
    body is ours now), bare LF line ends made CRLF."""
    block = (
        b"Received: from a\n\tby b\nContent-Type: multipart/mixed;\n boundary=x\n"
        b"Subject: s\nMIME-Version: 1.0\n"
    )
    assert header_block(block) == b"Received: from a\r\n\tby b\r\nSubject: s\r\n"


def test_no_body_at_all_is_still_a_message() -> None:
    """Headers only: an empty text part, so the parser has a body to read."""
    parsed = parse(message(header_line("From", "a@b.example"), None, None, []), LIMITS)
    assert parsed.from_address == "a@b.example" and parsed.text == ""


def test_form_fields_keep_their_bytes() -> None:
    """Multipart and urlencoded values come back byte for byte, 8-bit included."""
    body = (
        b'--b\r\nContent-Disposition: form-data; name="email"\r\n\r\n\xe9t\xe9\r\n'
        b'--b\r\nContent-Disposition: form-data; name="attachment1"; filename="a.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--b--\r\n"
    )
    form = read_form("multipart/form-data; boundary=b", body)
    assert form.fields["email"] == b"\xe9t\xe9"
    assert form.files["attachment1"].data == b"\x00\x01"
    assert read_form("application/x-www-form-urlencoded", b"a=%E9+x&b=").fields == {
        "a": b"\xe9 x",
        "b": b"",
    }


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{}"),
        ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name="),
    ],
)
def test_what_is_not_a_form_is_malformed(content_type: str, body: bytes) -> None:
    """Not a form, or a multipart body cut short: Malformed, never another exception."""
    with pytest.raises(Malformed):
        read_form(content_type, body)
