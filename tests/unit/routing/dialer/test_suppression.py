"""Do-not-call lists by scope, and dispositions that add to them (and never remove)."""

from __future__ import annotations

import pytest

from routing.dialer.legal import IllegalSetting
from routing.dialer.suppression import (
    OPT_OUT,
    Disposition,
    DncEntry,
    DncScope,
    DoNotCallList,
    check_e164,
    suppress_after,
)

from .records import T0

NUMBER = "+12125550100"


def test_internal_and_national_entries_suppress_every_campaign() -> None:
    """The company's list and a national registry apply to all campaigns."""
    dnc = DoNotCallList.of(
        [DncEntry(NUMBER, DncScope.INTERNAL), DncEntry("+442079460000", DncScope.NATIONAL)]
    )
    assert [e.scope for e in dnc.matches(NUMBER, "any")] == [DncScope.INTERNAL]
    assert [e.scope for e in dnc.matches("+442079460000", "other")] == [DncScope.NATIONAL]
    assert dnc.matches("+12125550199", "any") == ()


def test_a_campaign_entry_suppresses_only_its_campaign() -> None:
    """A number on campaign c1's list may still be called by c2."""
    dnc = DoNotCallList.of([DncEntry(NUMBER, DncScope.CAMPAIGN, campaign_id="c1")])
    assert dnc.matches(NUMBER, "c1")
    assert dnc.matches(NUMBER, "c2") == ()


def test_every_matching_scope_is_reported() -> None:
    """A number on three lists reports all three."""
    dnc = DoNotCallList.of(
        [
            DncEntry(NUMBER, DncScope.NATIONAL),
            DncEntry(NUMBER, DncScope.CAMPAIGN, campaign_id="c1"),
            DncEntry(NUMBER, DncScope.INTERNAL),
        ]
    )
    assert {e.scope for e in dnc.matches(NUMBER, "c1")} == set(DncScope)


@pytest.mark.parametrize(
    ("scope", "campaign_id"),
    [(DncScope.CAMPAIGN, None), (DncScope.INTERNAL, "c1"), (DncScope.NATIONAL, "c1")],
)
def test_a_campaign_id_belongs_to_campaign_entries_only(
    scope: DncScope, campaign_id: str | None
) -> None:
    """A campaign entry needs its campaign; the other scopes must not name one."""
    with pytest.raises(IllegalSetting) as refused:
        DncEntry(NUMBER, scope, campaign_id=campaign_id)
    assert refused.value.field == "campaign_id"


@pytest.mark.parametrize("bad", ["2125550100", "+0125550100", "+1 212 555 0100", "+12", ""])
def test_numbers_must_be_e164(bad: str) -> None:
    """Lists hold E.164 numbers only, so a lookup never misses by formatting."""
    with pytest.raises(IllegalSetting, match=r"E\.164"):
        check_e164(bad)


def test_a_do_not_call_disposition_adds_to_the_internal_list_at_once() -> None:
    """The entry comes back with the disposition, for the same transaction."""
    dnc_disposition = Disposition("dnc", "Do not call", do_not_call=True)
    entries = suppress_after(dnc_disposition, NUMBER, T0, campaign_id="c1")
    assert [(e.number, e.scope, e.added_at) for e in entries] == [(NUMBER, DncScope.INTERNAL, T0)]
    assert DoNotCallList().adding(entries).matches(NUMBER, "another campaign")
    assert suppress_after(OPT_OUT, NUMBER, T0, campaign_id="c1")  # the safe-harbour opt-out key


def test_other_dispositions_add_nothing() -> None:
    """A sale or a callback does not suppress the number."""
    sale = Disposition("sale", "Sale", final=True)
    assert suppress_after(sale, NUMBER, T0, campaign_id="c1") == ()


def test_adding_returns_a_new_list() -> None:
    """A list is a value: adding never changes the original."""
    empty = DoNotCallList()
    full = empty.adding([DncEntry(NUMBER, DncScope.INTERNAL)])
    assert empty.matches(NUMBER, "c1") == ()
    assert full.matches(NUMBER, "c1")


def test_a_disposition_needs_a_code_and_a_sane_retry() -> None:
    """Empty codes and negative retry delays are refused with the field named."""
    from datetime import timedelta

    with pytest.raises(IllegalSetting, match=r"disposition\.code"):
        Disposition(" ", "x")
    with pytest.raises(IllegalSetting, match="retry_after"):
        Disposition("later", "Later", retry_after=timedelta(seconds=-1))
