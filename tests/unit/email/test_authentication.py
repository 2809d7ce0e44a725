"""Authentication-Results (RFC 8601) read into DKIM/SPF/DMARC verdicts; only our servers'
headers are believed; spoofed = DMARC fail, or SPF fail with no passing DKIM where no DMARC."""

from __future__ import annotations

from contactcentre.email.authentication import assess, parse_header
from contactcentre.email.parsing import Limits, parse

OURS = {"mx.ourcentre.example"}


def test_a_header_with_comments_and_properties() -> None:
    """RFC 8601 appendix B.6's shape: version, comments, several signatures."""
    header = (
        "mx.ourcentre.example 1; (checked at the border)\r\n"
        " dkim=fail (bad signature) header.d=shop.example header.s=s1;\r\n"
        " dkim=pass header.d=shop.example header.s=s2;\r\n"
        " spf=pass smtp.mailfrom=shop.example; dmarc=pass (p=reject) header.from=shop.example"
    )
    assert parse_header(header) == (
        "mx.ourcentre.example",
        {"dkim": "pass", "spf": "pass", "dmarc": "pass"},
    )


def test_dkim_without_any_passing_signature_is_the_worst_of_them() -> None:
    _, results = parse_header("mx.ourcentre.example; dkim=neutral; dkim=fail; dkim=none")
    assert results == {"dkim": "fail"}


def test_no_results_and_unreadable_headers() -> None:
    assert parse_header("mx.ourcentre.example; none") == ("mx.ourcentre.example", {})
    assert parse_header("   ") == (None, {})


def test_dmarc_fail_is_spoofed_and_pass_is_not() -> None:
    failed = assess(["mx.ourcentre.example; spf=pass; dkim=pass; dmarc=fail"], OURS)
    assert failed.spoofed and failed.verified_by == "mx.ourcentre.example"
    assert not assess(["mx.ourcentre.example; spf=fail; dmarc=pass"], OURS).spoofed


def test_without_dmarc_spf_fail_counts_unless_a_dkim_signature_passed() -> None:
    assert assess(["mx.ourcentre.example; spf=fail; dkim=none"], OURS).spoofed
    assert not assess(["mx.ourcentre.example; spf=fail; dkim=pass"], OURS).spoofed
    assert not assess(["mx.ourcentre.example; spf=softfail"], OURS).spoofed
    assert assess(["mx.ourcentre.example; spf=fail; dmarc=none"], OURS).spoofed


def test_a_header_from_anyone_else_is_counted_never_believed() -> None:
    """The sender wrote 'dmarc=pass' itself, below our server's verdict: ours stands."""
    forged_then_ours = [
        "mx.ourcentre.example; dmarc=fail header.from=bank.example",
        "mx.ourcentre.example.attacker.example; dmarc=pass",
    ]
    verdict = assess(forged_then_ours, OURS)
    assert verdict.spoofed and verdict.untrusted_headers == 1
    nothing_trusted = assess(["attacker.example; dmarc=fail"], set())
    assert not nothing_trusted.spoofed and nothing_trusted.verified_by is None
    assert nothing_trusted.as_facts() == {
        "verified_by": None, "untrusted_headers": 1, "spoofed": False,
    }  # fmt: skip


def test_the_parser_records_the_verdict_of_the_topmost_trusted_header() -> None:
    raw = (
        b"Authentication-Results: mx.ourcentre.example; spf=fail smtp.mailfrom=bank.example;"
        b" dkim=none; dmarc=fail header.from=bank.example\r\n"
        b"Authentication-Results: mx.ourcentre.example; dmarc=pass\r\n"
        b"From: Bank <security@bank.example>\r\nTo: support@ourcentre.example\r\n"
        b"Subject: verify\r\nMessage-ID: <x1@bank.example>\r\n\r\nhello\r\n"
    )
    limits = Limits(10**6, frozenset(), trusted_authserv_ids=frozenset(OURS))
    facts = parse(raw, limits).authentication.as_facts()
    assert facts == {
        "verified_by": "mx.ourcentre.example", "spf": "fail", "dkim": "none", "dmarc": "fail",
        "untrusted_headers": 0, "spoofed": True,
    }  # fmt: skip
    assert not parse(raw, Limits(10**6, frozenset())).authentication.spoofed
