"""The subject of an agent's reply: "Re:" once, and the thread's reference number once, even
when the customer's subject fills the column."""

from __future__ import annotations

from contactcentre.email.agent_reply import reply_subject
from contactcentre.email.threads import REFERENCE


def test_re_and_the_reference_are_added_once() -> None:
    assert reply_subject("My order", "CC-ABCDEFGH") == "Re: My order [CC-ABCDEFGH]"
    assert reply_subject("RE: My order", "CC-ABCDEFGH") == "RE: My order [CC-ABCDEFGH]"
    assert reply_subject("Re: My order [CC-ABCDEFGH]", "CC-ABCDEFGH") == (
        "Re: My order [CC-ABCDEFGH]"
    )
    assert reply_subject("", "CC-ABCDEFGH") == "Re: [CC-ABCDEFGH]"


def test_a_long_subject_keeps_the_reference_within_255_characters() -> None:
    subject = reply_subject("x" * 300, "CC-ABCDEFGH")
    assert len(subject) <= 255
    match = REFERENCE.search(subject)
    assert match is not None and match.group(0) == "CC-ABCDEFGH"
