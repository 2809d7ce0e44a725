"""Charset names as real mail spells them, mapped to Python codecs, and decoding that never
fails: the declared charset (through the aliases), else UTF-8, else Windows-1252 with
replacement characters, saying which one it took."""

from __future__ import annotations

import codecs

# Names seen in real mail that Python does not know, or knows as a narrower charset than what
# the senders actually use (mail labelled gb2312 is routinely GBK; ks_c_5601-1987 is CP949).
ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "x-sjis": "cp932",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "windows-31j": "cp932",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "unknown": "utf-8",
    "default": "utf-8",
    "us-ascii": "utf-8",  # "ascii" mail with 8-bit bytes is nearly always UTF-8 or Latin-1
    "ascii": "utf-8",
    "iso-8859-1": "cp1252",  # Windows-1252 is a superset in the printable range mail uses
    "latin1": "cp1252",
    "latin-1": "cp1252",
}


def codec_for(name: str | None) -> str | None:
    """The Python codec for a charset label, or None when there is no such codec."""
    if not name:
        return None
    label = name.strip().strip('"').lower()
    label = ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def decode(data: bytes, declared: str | None) -> tuple[str, str]:
    """The text and the codec that decoded it (the declared one when it works)."""
    codec = codec_for(declared)
    if codec is not None:
        try:
            return data.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"
