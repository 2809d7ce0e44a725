"""The language a customer wrote in, by py3langid (a model shipped inside the package, no
download); too little text to tell gives None, and the mailbox's language is used."""

from __future__ import annotations

MIN_CHARS = 20
SAMPLE_CHARS = 2_000


def detect(text: str) -> str | None:
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(sample) < MIN_CHARS:
        return None
    import py3langid  # loads its model (about 0.3 s) on first use, not at import

    language, _score = py3langid.classify(sample)
    return str(language)[:8] or None
