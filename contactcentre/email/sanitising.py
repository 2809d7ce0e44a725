"""HTML from the internet made safe to show an agent: nh3 (Ammonia) keeps a conservative set of
tags, and images load only from the message itself (cid:), never from a sender's server, which
would tell them the mail was read. Beside it, the plain-text view of the same HTML."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "caption", "code", "div", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_BLOCK_END = re.compile(r"(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6]|/blockquote|/table|hr)\b[^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")


def _only_inline_images(tag: str, attribute: str, value: str) -> str | None:
    """Remote images (and data: URLs, a common tracking and phishing carrier) are dropped."""
    if tag == "img" and attribute == "src" and not value.strip().lower().startswith("cid:"):
        return None
    return value


def sanitise(markup: str) -> str:
    """The HTML with every script, style, event handler, form and remote image removed."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_only_inline_images,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
    )


def text_of(markup: str) -> str:
    """The HTML's text: block ends become line breaks, scripts and styles vanish."""
    broken = _BLOCK_END.sub("\n", markup)
    stripped = html.unescape(nh3.clean(broken, tags=set()))
    lines = [line.rstrip() for line in stripped.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
