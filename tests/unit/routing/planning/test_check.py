"""The simulator, driving the real routing engine, agrees with the staffing answer within its 95%
confidence interval, and its run is bounded by the contact budget it was given."""

from __future__ import annotations

import pytest

from routing.planning.check import MAX_CONTACTS, check
from routing.planning.staffing import Demand, Target, staff

TARGET = Target(service_level=0.8, answer_seconds=20)


def test_erlang_c_answer_is_confirmed_by_the_simulator() -> None:
    """Call Centre Helper's case (14 agents): the simulated SL, ASA and occupancy CIs cover
    Erlang C's values, and the SL interval is narrow enough to mean something."""
    demand = Demand(100, 180, 1800)
    answer = staff("erlang_c", demand, TARGET)
    model = answer.figures()
    result = check(demand, answer.agents, TARGET, model, replications=8, contacts=40_000)
    assert result.covers == {"service_level": True, "asa_seconds": True, "occupancy": True}
    assert result.service_level is not None and result.service_level.half_width < 0.03
    assert result.abandon_rate is None  # nobody hangs up without a patience


def test_erlang_a_answer_is_confirmed_by_the_simulator() -> None:
    """With 2-minute patience (12 agents) the simulated abandon rate's CI covers Erlang A's too."""
    demand = Demand(100, 180, 1800, patience_seconds=120)
    answer = staff("erlang_a", demand, TARGET)
    result = check(demand, answer.agents, TARGET, answer.figures(), contacts=40_000)
    assert result.covers["abandon_rate"] and result.covers["service_level"]


def test_the_budget_bounds_the_measured_hours() -> None:
    """8 runs sharing 8,000 contacts at 200 an hour measure 5 hours each, however many agents."""
    result = check(Demand(100, 180, 1800), 14, TARGET, None, replications=8, contacts=8_000)
    assert result.measured_hours == pytest.approx(5.0)
    assert result.covers == {}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"replications": 1}, "replications"), ({"contacts": MAX_CONTACTS + 1}, "contacts")],
)
def test_an_unbounded_check_is_refused(kwargs, field) -> None:
    """Too few replications for an interval, or a budget past the ceiling, is refused."""
    with pytest.raises(ValueError, match=field):
        check(Demand(100, 180, 1800), 14, TARGET, None, **kwargs)
