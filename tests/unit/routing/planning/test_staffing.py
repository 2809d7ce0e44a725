"""Staffing answers match the textbook cases, each target binds when it should, and bad inputs
are refused with the field's name."""

from __future__ import annotations

import pytest

from routing.planning.staffing import (
    Demand,
    Target,
    erlang_a_figures,
    erlang_c_figures,
    scheduled_agents,
    staff,
    staff_both,
)

# Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example": 100 calls in
# 30 minutes, AHT 180 s, 80% in 20 s, shrinkage 30% -> 14 agents (SL 88.8%, ASA 7.8 s,
# occupancy 71.4%), 20 with shrinkage. The same case is DOMAIN.md §3's reference.
CCH = Demand(contacts=100, aht_seconds=180, interval_seconds=1800)
EIGHTY_TWENTY = Target(service_level=0.8, answer_seconds=20)


def test_call_centre_helper_worked_example() -> None:
    """14 agents on the phones, 20 scheduled after 30% shrinkage, at SL 0.88835 and ASA 7.836 s."""
    answer = staff("erlang_c", CCH, EIGHTY_TWENTY, shrinkage=0.3)
    assert (answer.agents, answer.scheduled) == (14, 20)
    assert answer.service_level == pytest.approx(0.88835, abs=5e-6)
    assert answer.asa_seconds == pytest.approx(7.836, abs=5e-4)
    assert answer.occupancy == pytest.approx(0.7143, abs=5e-5)
    assert answer.abandon_rate == 0.0
    assert answer.limited_by == "service_level"


def test_one_agent_fewer_misses_the_target() -> None:
    """13 agents give SL 0.7956 < 0.8: the answer is the smallest number, not merely enough."""
    figures = erlang_c_figures(13, CCH, EIGHTY_TWENTY)
    assert figures is not None and figures.service_level == pytest.approx(0.7956, abs=5e-5)


def test_westbay_erlang_c_example() -> None:
    """Westbay Engineers' Erlang-C page: 360 calls per half hour, 4-minute calls, 55 agents,
    15 s target -> traffic 48 Erlangs, occupancy 87.3%, P(wait) 23.87%, ASA 8.18 s, SL 84.6%."""
    demand = Demand(contacts=360, aht_seconds=240, interval_seconds=1800)
    figures = erlang_c_figures(55, demand, Target(0.8, 15))
    assert demand.load == pytest.approx(48.0)
    assert figures is not None
    assert figures.occupancy == pytest.approx(0.873, abs=5e-4)
    assert figures.asa_seconds == pytest.approx(8.18, abs=5e-3)
    assert figures.service_level == pytest.approx(0.846, abs=5e-4)


def test_erlang_c_below_the_load_is_no_answer() -> None:
    """With agents <= load the queue never settles: no figures rather than nonsense."""
    assert erlang_c_figures(10, CCH, EIGHTY_TWENTY) is None


def test_occupancy_cap_adds_agents() -> None:
    """A 70% occupancy cap needs 15 agents where the service level alone needs 14."""
    answer = staff("erlang_c", CCH, Target(0.8, 20, max_occupancy=0.7))
    assert (answer.agents, answer.limited_by) == (15, "occupancy")
    assert answer.occupancy is not None and answer.occupancy <= 0.7


def test_erlang_a_needs_fewer_agents_than_erlang_c_but_abandons() -> None:
    """With 2-minute patience 12 agents reach 80/20 (callers who leave shorten the queue), and
    6.2% of callers hang up: the reason an abandon cap belongs with the target."""
    demand = Demand(100, 180, 1800, patience_seconds=120)
    answer = staff("erlang_a", demand, EIGHTY_TWENTY)
    assert answer.agents == 12
    assert answer.abandon_rate == pytest.approx(0.0616, abs=5e-4)
    below = erlang_a_figures(11, demand, EIGHTY_TWENTY)
    assert below.service_level < 0.8


def test_abandon_cap_binds() -> None:
    """Capping abandons at 2% needs 15 agents (14 abandon more than 2%)."""
    demand = Demand(100, 180, 1800, patience_seconds=120)
    answer = staff("erlang_a", demand, Target(0.8, 20, max_abandon=0.02))
    assert (answer.agents, answer.limited_by) == (15, "abandon")
    assert answer.abandon_rate is not None and answer.abandon_rate <= 0.02
    assert erlang_a_figures(14, demand, EIGHTY_TWENTY).abandon_rate > 0.02


def test_both_models_only_when_patience_is_known() -> None:
    """Erlang A is answered only when the callers' patience is given."""
    assert set(staff_both(CCH, EIGHTY_TWENTY)) == {"erlang_c"}
    with_patience = Demand(100, 180, 1800, patience_seconds=120)
    assert set(staff_both(with_patience, EIGHTY_TWENTY)) == {"erlang_c", "erlang_a"}


def test_no_demand_needs_no_agents() -> None:
    """An interval with no contacts needs nobody, and says so rather than inventing figures."""
    answer = staff("erlang_c", Demand(0, 180), EIGHTY_TWENTY, shrinkage=0.3)
    assert (answer.agents, answer.scheduled, answer.service_level) == (0, 0, None)


def test_shrinkage_rounds_up_without_float_noise() -> None:
    """14 agents at 30% shrinkage is exactly 20 to schedule (14 / 0.7 is 20.000000000000004)."""
    assert scheduled_agents(14, 0.3) == 20
    assert scheduled_agents(15, 0.3) == 22
    assert scheduled_agents(7, 0.0) == 7


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Demand(-1, 180), "contacts"),
        (lambda: Demand(10, 0), "aht_seconds"),
        (lambda: Demand(10, 180, patience_seconds=0), "patience_seconds"),
        (lambda: Target(service_level=1.0), "service_level"),
        (lambda: Target(max_abandon=0), "max_abandon"),
        (lambda: Target(max_occupancy=1.5), "max_occupancy"),
        (lambda: scheduled_agents(3, 1.0), "shrinkage"),
        (lambda: erlang_a_figures(3, CCH, EIGHTY_TWENTY), "patience_seconds"),
    ],
)
def test_bad_inputs_name_their_field(build, field) -> None:
    """Each impossible input fails at once with its own name in the message."""
    with pytest.raises(ValueError, match=field):
        build()
