"""Sender authentication (DKIM, SPF, DMARC) as the receiving server recorded it in
Authentication-Results (RFC 8601), and whether the sender is spoofed.

Only headers whose authserv-id names a server of ours are believed
(CC_EMAIL_TRUSTED_AUTHSERV_IDS): anyone can write an Authentication-Results header into the
mail they send, so a "dmarc=pass" from elsewhere proves nothing (RFC 8601 §5). With no trusted
id configured nothing is believed and nothing is flagged. A spoofed sender's address is not
trusted to say who the customer is: matching them to a customer would show an impostor that
customer's record, and acknowledging them would send mail to whoever was impersonated.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

METHODS = ("dmarc", "dkim", "spf")
_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"^\s*([a-z0-9_-]+)(?:/[0-9]+)?\s*=\s*([a-z]+)", re.IGNORECASE)
# A DKIM verdict over several signatures: any pass is a pass; the worst of the rest otherwise.
_RANK = {"pass": 0, "none": 1, "neutral": 2, "policy": 3, "temperror": 4, "permerror": 5,
         "softfail": 6, "fail": 7}  # fmt: skip


@dataclass(frozen=True)
class SenderAuthentication:
    verified_by: str | None = None  # the trusted authserv-id whose results these are
    results: dict[str, str] = field(default_factory=dict)  # method -> result
    untrusted_headers: int = 0  # headers from servers not ours, ignored

    @property
    def spoofed(self) -> bool:
        """DMARC failed; or, where the sender's domain publishes no DMARC result, SPF failed
        and no DKIM signature passed."""
        dmarc = self.results.get("dmarc")
        if dmarc is not None and dmarc not in ("none",):
            return dmarc == "fail"
        return self.results.get("spf") == "fail" and self.results.get("dkim") != "pass"

    def as_facts(self) -> dict[str, Any]:
        return {
            "verified_by": self.verified_by,
            **self.results,
            "untrusted_headers": self.untrusted_headers,
            "spoofed": self.spoofed,
        }


def assess(headers: Iterable[str], trusted: Collection[str]) -> SenderAuthentication:
    """The results of the first (topmost: added last, by the server nearest us) header whose
    authserv-id is trusted; the others are counted, never believed."""
    trusted_ids = {t.lower() for t in trusted}
    untrusted = 0
    chosen: tuple[str, dict[str, str]] | None = None
    for header in headers:
        authserv_id, results = parse_header(header)
        if authserv_id is None:
            continue
        if authserv_id.lower() in trusted_ids and chosen is None:
            chosen = (authserv_id, results)
        elif authserv_id.lower() not in trusted_ids:
            untrusted += 1
    if chosen is None:
        return SenderAuthentication(untrusted_headers=untrusted)
    return SenderAuthentication(chosen[0], chosen[1], untrusted)


def parse_header(value: str) -> tuple[str | None, dict[str, str]]:
    """`mx.example.com 1; dkim=pass header.d=a.com; spf=fail smtp.mailfrom=b.com` ->
    ("mx.example.com", {"dkim": "pass", "spf": "fail"}); (None, {}) when unreadable."""
    text = str(value)
    for _ in range(5):  # comments nest; a few rounds remove any that real servers write
        text = _COMMENT.sub(" ", text)
    parts = [p.strip() for p in text.split(";")]
    head = parts[0].split()
    if not head:
        return None, {}
    found: dict[str, list[str]] = {}
    for part in parts[1:]:
        match = _RESULT.match(part)
        if match is None:
            continue  # "none" (no results) or a method this does not use
        method, result = match.group(1).lower(), match.group(2).lower()
        if method in METHODS:
            found.setdefault(method, []).append(result)
    results = {method: verdicts[0] for method, verdicts in found.items()}
    if "dkim" in found:
        signatures = found["dkim"]
        results["dkim"] = (
            "pass" if "pass" in signatures else max(signatures, key=lambda r: _RANK.get(r, 3))
        )
    return head[0], results
