# ruff: noqa: E501 - raw mail lines are kept whole, as a sender writes them
"""A corpus of hard messages, built byte by byte as real senders write them: each entry names
what it must end as (parsed or quarantined, and the facts that prove it was understood)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

MAILBOX = "support@example.com"


@dataclass(frozen=True)
class Hard:
    name: str
    raw: bytes
    outcome: str  # "parsed" or the quarantine reason
    expect: dict[str, Any] = field(default_factory=dict)  # ParsedEmail attribute -> value


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("ascii")


def simple(
    *,
    message_id: str = "<m1@customer.example>",
    sender: str = "Ann Customer <ann@customer.example>",
    subject: str = "My order has not arrived",
    body: str = "Hello, my order 1234 has not arrived yet. Can you help?",
    extra: str = "",
    to: str = MAILBOX,
) -> bytes:
    """A plain UTF-8 message; `extra` is more header lines ("Name: value\\n" each)."""
    head = f"From: {sender}\nTo: {to}\nSubject: {subject}\nMessage-ID: {message_id}\n"
    head += "Date: Mon, 07 Dec 2026 10:00:00 +0000\nMIME-Version: 1.0\n" + extra
    head += "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    return head.replace("\n", "\r\n").encode("utf-8") + body.replace("\n", "\r\n").encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def _attachment_message(content_type: str, filename: str, data: bytes, mid: str) -> bytes:
    return _crlf(
        f"From: ann@customer.example\nTo: {MAILBOX}\nSubject: attached\nMessage-ID: <{mid}>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n'
        "--b1\nContent-Type: text/plain; charset=us-ascii\n\nSee the attachment.\n"
        f'--b1\nContent-Type: {content_type}; name="{filename}"\n'
        f'Content-Disposition: attachment; filename="{filename}"\n'
        f"Content-Transfer-Encoding: base64\n\n{_b64(data)}--b1--\n"
    )


def _iso2022jp() -> bytes:
    subject = base64.b64encode("注文について".encode("iso2022_jp")).decode()
    body = "注文した商品がまだ届いていません。確認していただけますか。".encode("iso2022_jp")
    return (
        _crlf(
            f"From: =?ISO-2022-JP?B?{base64.b64encode('山田'.encode('iso2022_jp')).decode()}?= "
            f"<yamada@customer.example>\nTo: {MAILBOX}\nSubject: =?ISO-2022-JP?B?{subject}?=\n"
            "Message-ID: <jp1@customer.example>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n"
        )
        + body
        + b"\r\n"
    )


def _nested() -> bytes:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    pdf = b"%PDF-1.4\n" + b"0" * 200
    return _crlf(
        f"From: Ann <ann@customer.example>\nTo: {MAILBOX}\nSubject: Nested\n"
        'Message-ID: <nested@customer.example>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="m"\n\n'
        '--m\nContent-Type: multipart/alternative; boundary="a"\n\n'
        "--a\nContent-Type: text/plain; charset=utf-8\n\nPlain words first.\n"
        '--a\nContent-Type: multipart/related; boundary="r"\n\n'
        '--r\nContent-Type: text/html; charset=utf-8\n\n<p>HTML <b>words</b> <img src="cid:logo"></p>\n'
        f"--r\nContent-Type: image/png\nContent-ID: <logo>\nContent-Transfer-Encoding: base64\n\n{_b64(png)}--r--\n"
        "--a--\n"
        '--m\nContent-Type: application/pdf; name="invoice.pdf"\nContent-Disposition: attachment; filename="invoice.pdf"\n'
        f"Content-Transfer-Encoding: base64\n\n{_b64(pdf)}--m--\n"
    )


def _bounce() -> bytes:
    return _crlf(
        f"From: Mail Delivery System <MAILER-DAEMON@mx.example>\nTo: {MAILBOX}\n"
        "Subject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn1@mx.example>\n"
        "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="d"\n\n'
        "--d\nContent-Type: text/plain\n\nThis is the mail system. Your message could not be delivered.\n"
        "--d\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example\n\n"
        "Final-Recipient: rfc822; gone@customer.example\nOriginal-Recipient: rfc822;gone@customer.example\n"
        "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n"
        "--d\nContent-Type: message/rfc822\n\n"
        "From: support@example.com\nTo: gone@customer.example\nSubject: Re: help\n"
        "Message-ID: <ack-1@contactcentre>\n\nWe have your message.\n--d--\n"
    )


def corpus() -> list[Hard]:
    big = b"%PDF-1.4\n" + b"x" * (20 * 1024 * 1024)
    deep = "".join(
        f'--b{i}\nContent-Type: multipart/mixed; boundary="b{i + 1}"\n\n' for i in range(40)
    )
    return [
        Hard(
            "plain",
            simple(),
            "parsed",
            {"from_address": "ann@customer.example", "kind": "customer"},
        ),
        Hard(
            "unknown charset",
            _crlf(
                f"From: a@customer.example\nTo: {MAILBOX}\nSubject: x\nMessage-ID: <u1@c>\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=x-klingon\n"
                "Content-Transfer-Encoding: 8bit\n\n"
            )
            + "Grüße aus Köln".encode("latin-1"),
            "parsed",
            {"text": "Grüße aus Köln"},
        ),
        Hard(
            "ks_c_5601-1987 (Korean, as Outlook labels it)",
            _crlf(
                f"From: kim@customer.example\nTo: {MAILBOX}\nSubject: hello\nMessage-ID: <k1@c>\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=ks_c_5601-1987\n\n"
            )
            + "안녕하세요".encode("cp949"),
            "parsed",
            {"text": "안녕하세요"},
        ),
        Hard(
            "ISO-2022-JP", _iso2022jp(), "parsed", {"subject": "注文について", "from_name": "山田"}
        ),
        Hard("nested multiparts", _nested(), "parsed", {"text": "Plain words first."}),
        Hard(
            "missing headers (only From)",
            _crlf("From: terse@customer.example\n\nno subject, no date, no id\n"),
            "parsed",
            {"message_id": None, "subject": ""},
        ),
        Hard("no headers at all", b"just some words\r\nand more\r\n", "no_headers"),
        Hard("no sender", _crlf("Subject: who am I\nTo: x@example.com\n\nbody\n"), "no_sender"),
        Hard("empty", b"", "empty"),
        Hard(
            "forwarded thread",
            _crlf(
                f"From: boss@customer.example\nTo: {MAILBOX}\nSubject: Fwd: Your invoice\n"
                'Message-ID: <fw1@c>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="f"\n\n'
                "--f\nContent-Type: text/plain\n\nPlease look at the mail below.\n\n"
                "---------- Forwarded message ---------\nFrom: billing@example.com\n"
                "Subject: Your invoice\n\nYour invoice is attached.\n"
                "--f\nContent-Type: message/rfc822\n\nFrom: billing@example.com\nSubject: Your invoice\n"
                "Message-ID: <inv1@example.com>\n\nYour invoice is attached.\n--f--\n"
            ),
            "parsed",
            {"subject": "Fwd: Your invoice", "attachments.content_type": "message/rfc822"},
        ),
        Hard(
            "auto-reply (RFC 3834)",
            simple(
                message_id="<ooo1@c>",
                subject="Out of office: My order",
                body="I am out of the office until Monday.",
                extra="Auto-Submitted: auto-replied\n",
            ),
            "parsed",
            {"kind": "auto_reply"},
        ),
        Hard(
            "auto-reply (Precedence: bulk)",
            simple(message_id="<bulk1@c>", extra="Precedence: bulk\n"),
            "parsed",
            {"kind": "auto_reply"},
        ),
        Hard(
            "mailing list",
            simple(message_id="<list1@c>", extra="List-Id: <news.customer.example>\n"),
            "parsed",
            {"kind": "list"},
        ),
        Hard(
            "bounce (DSN)",
            _bounce(),
            "parsed",
            {"kind": "bounce", "bounced_message_id": "ack-1@contactcentre"},
        ),
        Hard(
            "20 MB attachment",
            _attachment_message("application/pdf", "big.pdf", big, "big@c"),
            "parsed",
            {"attachments.refusal": "too_large"},
        ),
        Hard(
            "winmail.dat",
            _attachment_message(
                "application/ms-tnef", "winmail.dat", b"\x78\x9f\x3e\x22" + b"\0" * 50, "tnef@c"
            ),
            "parsed",
            {"attachments.refusal": "type_not_allowed"},
        ),
        Hard(
            "an executable that says it is a PDF",
            _attachment_message(
                "application/pdf", "invoice.pdf", b"MZ\x90\x00" + b"\0" * 60, "exe@c"
            ),
            "parsed",
            {"attachments.refusal": "executable"},
        ),
        Hard(
            "HTML only, remote image and script",
            _crlf(
                f"From: h@customer.example\nTo: {MAILBOX}\nSubject: html\nMessage-ID: <h1@c>\n"
                "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
                '<html><body><p>Hello <img src="https://tracker.example/p.gif"></p>'
                "<script>alert(1)</script><p>second line</p></body></html>\n"
            ),
            "parsed",
            {"text": "Hello\nsecond line"},
        ),
        Hard(
            "undecodable encoded word in From",
            _crlf(
                f"From: =?x-unknown?q?J=F6rg?= <jorg@customer.example>\nTo: {MAILBOX}\nSubject: hi\n\nbody\n"
            ),
            "parsed",
            {"from_address": "jorg@customer.example"},
        ),
        Hard(
            "parts nested 40 deep",
            _crlf(
                f"From: d@customer.example\nTo: {MAILBOX}\nSubject: deep\nMIME-Version: 1.0\n"
                'Content-Type: multipart/mixed; boundary="b0"\n\n' + deep + "text\n"
            ),
            "too_complex",
        ),
    ]
