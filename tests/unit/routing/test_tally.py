"""Tallies: additive counts over contacts, so a sum of interval tallies is the whole's tally."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.metrics import ServiceLevel
from routing.tally import ContactOutcome, Tally, Thresholds, ms


@st.composite
def outcomes(draw: st.DrawFn) -> ContactOutcome:
    queued = draw(st.floats(0, 1000, allow_nan=False))
    wait = draw(st.floats(0, 120, allow_nan=False))
    way = draw(st.sampled_from(["answered", "abandoned", "callback", "waiting"]))
    ended = queued + wait + draw(st.floats(1, 600)) if way == "answered" else None
    return ContactOutcome(
        draw(st.uuids()).hex,
        queued_at=queued,
        answered_at=queued + wait if way == "answered" else None,
        abandoned_at=queued + wait if way == "abandoned" else None,
        callback_at=queued + wait if way == "callback" else None,
        ended_at=ended,
        talk_seconds=draw(st.floats(0, 600)) if ended else 0.0,
        csat=draw(st.one_of(st.none(), st.integers(1, 5))),
    )


@given(st.lists(outcomes(), max_size=30), st.integers(0, 30))
def test_the_tally_of_a_whole_is_the_sum_of_its_parts(rows, cut):
    """Tally(all) == Tally(first part) + Tally(rest), whatever the split."""
    rule = Thresholds(20, 5)
    assert Tally.over(rows, rule) == Tally.over(rows[:cut], rule) + Tally.over(rows[cut:], rule)


@given(st.lists(outcomes(), max_size=30), st.integers(0, 30))
def test_a_figure_from_summed_tallies_equals_the_direct_figure(rows, cut):
    """Service level of summed tallies equals the service level computed on all contacts."""
    level = ServiceLevel("genesys", 20, 5)
    parts = Tally.over(rows[:cut], level.thresholds()) + Tally.over(rows[cut:], level.thresholds())
    assert level.of_tally(parts) == level.compute(rows)


def test_durations_are_whole_milliseconds():
    """Durations are summed as integer milliseconds, so the order of addition never matters."""
    assert ms(1.0004) == 1000 and ms(0.0016) == 2


def test_thresholds_refuse_negative_and_unknown_clocks():
    """Thresholds validate: no negative seconds, the clock starts at enqueue or arrival."""
    with pytest.raises(ValueError, match="negative"):
        Thresholds(-1)
    with pytest.raises(ValueError, match="clock"):
        Thresholds(clock="ringing")  # type: ignore[arg-type]
