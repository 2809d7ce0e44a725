"""decide(): each mode, the caps, stopping when agents leave, and replay of logged decisions."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from routing.dialer.model import AttemptTiming, Prior, estimate
from routing.dialer.pacer import (
    AgentState,
    AgentView,
    CallView,
    DecisionCode,
    Mode,
    PacingInputs,
    decide,
    replay,
)

# 30% live answers needing an agent 10-20 s after dialing; talk 60-180 s; wrap-up 10 s.
MODEL = estimate(
    [AttemptTiming(10.0 + n % 11, 10.0 + n % 11) for n in range(30)]
    + [AttemptTiming(None, 5.0 + n % 25) for n in range(70)],
    [60.0 + n for n in range(121)],
    [10.0] * 50,
    Prior(weight=1.0),
)
IDLE = AgentView(AgentState.IDLE, 3.0)


def talking(seconds: float) -> AgentView:
    return AgentView(AgentState.TALKING, seconds)


def inputs(mode: Mode = Mode.PREDICTIVE, **kwargs: object) -> PacingInputs:
    values: dict[str, object] = {
        "campaign_id": "c1",
        "at": 1_000.0,
        "mode": mode,
        "agents": (IDLE,) * 5 + tuple(talking(30.0 * n) for n in range(15)),
        "model": MODEL,
        "calls_per_second_left": 100,
        "hopper_size": 1000,
    }
    values.update(kwargs)
    return PacingInputs(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", list(Mode))
def test_no_agents_means_no_calls_and_ringing_calls_hung_up(mode: Mode) -> None:
    """The moment the last agent leaves: nothing placed and what rings is cancelled."""
    decision = decide(
        inputs(mode, agents=(), in_flight=(CallView(3.0),), preview_requests=2, dial_ratio=3.0)
    )
    assert (decision.calls, decision.code, decision.hang_up_ringing) == (
        0,
        DecisionCode.NO_AGENTS,
        True,
    )


def test_preview_places_the_calls_agents_asked_for() -> None:
    """Preview dials only on an agent's request, within the budget."""
    assert decide(inputs(Mode.PREVIEW, preview_requests=2)).calls == 2
    capped = decide(inputs(Mode.PREVIEW, preview_requests=3, calls_per_second_left=1))
    assert (capped.calls, capped.wanted, capped.capped_by) == (1, 3, ("calls_per_second",))


def test_progressive_places_one_call_per_free_agent() -> None:
    """5 free agents, 2 calls ringing, 1 live answer waiting: 2 more calls."""
    decision = decide(
        inputs(Mode.PROGRESSIVE, in_flight=(CallView(1.0), CallView(2.0)), waiting_live=1)
    )
    assert (decision.calls, decision.code) == (2, DecisionCode.PROGRESSIVE)


def test_power_places_a_fixed_ratio_per_free_agent() -> None:
    """2.5 lines per free agent: 5 free agents keep 12 calls pending."""
    decision = decide(inputs(Mode.POWER, dial_ratio=2.5, in_flight=(CallView(1.0),) * 4))
    assert (decision.calls, decision.code) == (8, DecisionCode.POWER)


def test_every_cap_limits_the_calls_and_is_named() -> None:
    """The budget, the hopper and the lines each cap the calls, and the decision says which."""
    assert decide(inputs(Mode.PROGRESSIVE, hopper_size=1)).capped_by == ("hopper",)
    lines = decide(inputs(Mode.PROGRESSIVE, max_lines=17))  # 15 talking, 2 lines left
    assert (lines.calls, lines.capped_by) == (2, ("lines",))
    predictive = decide(inputs(calls_per_second_left=1))
    assert (predictive.calls, predictive.capped_by) == (1, ("calls_per_second",))
    assert predictive.wanted > 1


def test_predictive_dials_ahead_of_free_agents() -> None:
    """With 5 free agents and nothing ringing, it places more than one call per free agent."""
    decision = decide(inputs())
    assert decision.code is DecisionCode.PREDICTIVE
    assert decision.calls > 5
    assert decision.next_call_risk is not None and decision.next_call_risk > decision.inputs.target


def test_predictive_holds_back_when_nobody_will_be_free() -> None:
    """Everybody just started talking (60 s minimum): no call can find an agent, none placed."""
    decision = decide(inputs(agents=(talking(1.0),) * 20))
    assert decision.calls == 0


def test_more_calls_in_flight_mean_fewer_new_ones() -> None:
    """Calls already ringing will bring live answers; the pacer counts them."""
    counts = [decide(inputs(in_flight=(CallView(4.0),) * n)).calls for n in (0, 5, 10, 20)]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > counts[-1]


def test_a_lower_target_never_places_more() -> None:
    """The abandon-risk target orders the pacer's aggressiveness."""
    counts = [decide(inputs(target=t)).calls for t in (0.001, 0.01, 0.05, 0.2)]
    assert counts == sorted(counts)


def test_the_abandon_budget_caps_expected_abandons() -> None:
    """A generous risk target is still held to the abandons the campaign can afford."""
    for budget in (3.0, 10.0):
        decision = decide(inputs(target=0.9, abandon_budget=budget))
        assert decision.code is DecisionCode.ABANDON_BUDGET
        assert decision.expected_abandons is not None
        assert decision.expected_abandons <= budget


def test_a_small_budget_shrinks_the_target_before_it_runs_out() -> None:
    """Under three abandons affordable, the risk target shrinks with the budget: fewer calls."""
    counts = [decide(inputs(target=0.2, abandon_budget=b)).calls for b in (0.05, 0.5, 1.0, 3.0)]
    assert counts == sorted(counts)
    assert counts[0] < counts[-1]
    assert decide(inputs(target=0.2, abandon_budget=3.0)).calls == decide(inputs(target=0.2)).calls


def test_the_throttle_makes_predictive_progressive() -> None:
    """A campaign that cannot afford an abandon dials one call per free agent, and says why."""
    decision = decide(inputs(progressive_only=True, throttle_reason="today: 3.10% of 3%"))
    assert (decision.calls, decision.code) == (5, DecisionCode.THROTTLED)
    assert decision.reason.startswith("today: 3.10% of 3%")


def test_the_same_inputs_give_the_same_decision() -> None:
    """decide() is a pure function: twice the same, and replay() reproduces a decision."""
    example = inputs(in_flight=(CallView(2.5), CallView(9.0)), waiting_live=1)
    assert decide(example) == decide(example)
    assert replay(decide(example)) == decide(example)


def test_a_logged_decision_replays_from_json() -> None:
    """The inputs written to the log as JSON and read back give the same decision."""
    example = inputs(in_flight=(CallView(2.5), CallView(9.0)), agents=(IDLE, talking(95.5)))
    logged = json.loads(json.dumps(decide(example).to_dict()))
    back = PacingInputs.from_dict(logged["inputs"])
    assert back == example
    again = decide(back)
    assert again == decide(example)
    assert json.loads(json.dumps(again.to_dict())) == logged


@pytest.mark.parametrize(
    "bad",
    [
        {"target": 0.0},
        {"target": 1.0},
        {"dial_ratio": 0.5},
        {"waiting_live": -1},
        {"model": None},
    ],
)
def test_impossible_inputs_are_refused(bad: dict[str, Any]) -> None:
    """A decision never runs on inputs that make no sense."""
    with pytest.raises(ValueError):
        inputs(**bad)


def test_a_different_input_can_change_the_decision() -> None:
    """Replay compares like with like: changing one input is visible in the record."""
    base = inputs()
    assert decide(replace(base, calls_per_second_left=0)).calls == 0
