"""How many calls to place now: preview, progressive, power (fixed ratio) or predictive.

decide(inputs) is a pure function of a PacingInputs record, and its PacingDecision carries the
inputs and the reason, so every decision can be logged and replayed (same inputs, same
decision). Predictive pacing is model-based: over each look-ahead time t it compares the live
answers expected from the calls in flight (by how long each has rung) with the agents expected
free (by how long each has talked or wrapped up), and places the next call only while that
call's abandon risk, P(its live answer finds no free agent), stays under the target, and the
abandons expected stay within the abandon budget.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from routing.dialer.forecast import forecast
from routing.dialer.model import PacingModel

SOFT_BUDGET = 3.0  # abandons: below this budget the predictive target shrinks


class Mode(StrEnum):
    PREVIEW = "preview"  # the agent sees the lead and dials
    PROGRESSIVE = "progressive"  # one call per free agent
    POWER = "power"  # a fixed number of calls per free agent
    PREDICTIVE = "predictive"  # model-based, under an abandon-risk target


class AgentState(StrEnum):
    IDLE = "idle"  # signed in and free
    RESERVED = "reserved"  # being connected to a live answer
    TALKING = "talking"
    WRAP_UP = "wrap_up"


class DecisionCode(StrEnum):
    NO_AGENTS = "no_agents"
    PREVIEW = "preview"
    PROGRESSIVE = "progressive"
    THROTTLED = "throttled_by_abandon_rate"
    POWER = "power"
    PREDICTIVE = "predictive"
    ABANDON_BUDGET = "abandon_budget"


@dataclass(frozen=True)
class AgentView:
    state: AgentState
    seconds: float  # in that state


@dataclass(frozen=True)
class CallView:
    seconds: float  # since the call was placed; it has neither needed an agent nor ended


@dataclass(frozen=True)
class PacingInputs:
    """Everything a decision depends on (nothing else is read).

    waiting_live: live answers waiting for an agent now. target: the predictive pacer's limit
    on the next call's P(live answer, no free agent), set by the slow abandon feedback.
    progressive_only, abandon_budget, throttle_reason: the abandon throttle's verdict.
    calls_per_second_left: the account's budget left this second. max_lines: concurrent calls.
    """

    campaign_id: str
    at: float
    mode: Mode
    agents: tuple[AgentView, ...]
    in_flight: tuple[CallView, ...] = ()
    waiting_live: int = 0
    model: PacingModel | None = None
    target: float = 0.02
    dial_ratio: float = 1.0
    preview_requests: int = 0
    progressive_only: bool = False
    abandon_budget: float = math.inf
    throttle_reason: str | None = None
    calls_per_second_left: int = 1
    hopper_size: int = 0
    max_lines: int = 10_000

    def __post_init__(self) -> None:
        if self.mode is Mode.PREDICTIVE and self.model is None:
            raise ValueError("predictive pacing needs a model")
        if not 0 < self.target < 1:
            raise ValueError("target must be a probability in (0, 1)")
        if self.dial_ratio < 1:
            raise ValueError("dial_ratio must be at least 1 call per free agent")
        if min(self.waiting_live, self.preview_requests, self.hopper_size, self.max_lines) < 0:
            raise ValueError("counts must not be negative")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for the decision log."""
        data = asdict(self)
        data["model"] = None if self.model is None else self.model.to_dict()
        data["agents"] = [[str(a.state), a.seconds] for a in self.agents]
        data["in_flight"] = [c.seconds for c in self.in_flight]
        data["abandon_budget"] = None if math.isinf(self.abandon_budget) else self.abandon_budget
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PacingInputs:
        values = dict(data)
        values["mode"] = Mode(data["mode"])
        values["model"] = None if data["model"] is None else PacingModel.from_dict(data["model"])
        values["agents"] = tuple(AgentView(AgentState(s), float(t)) for s, t in data["agents"])
        values["in_flight"] = tuple(CallView(float(t)) for t in data["in_flight"])
        budget = data["abandon_budget"]
        values["abandon_budget"] = math.inf if budget is None else float(budget)
        return cls(**values)


@dataclass(frozen=True)
class PacingDecision:
    """calls: to place now; wanted: before the budget, hopper and line caps. hang_up_ringing:
    cancel the calls still ringing (nobody is left to answer them). expected_abandons and
    next_call_risk: the predictive model's figures behind the choice (None otherwise)."""

    inputs: PacingInputs
    calls: int
    wanted: int
    code: DecisionCode
    reason: str
    hang_up_ringing: bool = False
    expected_abandons: float | None = None
    next_call_risk: float | None = None
    capped_by: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["inputs"] = self.inputs.to_dict()
        return data


def decide(inputs: PacingInputs) -> PacingDecision:
    """How many calls to place now, and why."""
    agents = inputs.agents
    if not agents:
        return PacingDecision(
            inputs, 0, 0, DecisionCode.NO_AGENTS, "no agent is signed in", hang_up_ringing=True
        )
    idle = sum(a.state is AgentState.IDLE for a in agents)
    pending = len(inputs.in_flight) + inputs.waiting_live
    if inputs.mode is Mode.PREVIEW:
        wanted = inputs.preview_requests
        return _capped(inputs, wanted, DecisionCode.PREVIEW, f"{wanted} agents asked to dial")
    if inputs.mode is Mode.PROGRESSIVE or inputs.progressive_only:
        wanted = max(0, idle - pending)
        throttled = inputs.mode is not Mode.PROGRESSIVE
        code = DecisionCode.THROTTLED if throttled else DecisionCode.PROGRESSIVE
        why = f"one call per free agent: {idle} free, {pending} calls pending"
        if code is DecisionCode.THROTTLED:
            why = f"{inputs.throttle_reason or 'throttled by the abandon rate'}; {why}"
        return _capped(inputs, wanted, code, why)
    if inputs.mode is Mode.POWER:
        wanted = max(0, math.floor(inputs.dial_ratio * idle + 1e-9) - pending)
        why = f"{inputs.dial_ratio:g} calls per free agent: {idle} free, {pending} calls pending"
        return _capped(inputs, wanted, DecisionCode.POWER, why)
    return _predictive(inputs, idle)


def replay(decision: PacingDecision) -> PacingDecision:
    """The decision its own inputs give now; equal to `decision` unless the code changed."""
    return decide(decision.inputs)


def _caps(inputs: PacingInputs) -> dict[str, int]:
    connected = sum(a.state in (AgentState.TALKING, AgentState.RESERVED) for a in inputs.agents)
    lines = len(inputs.in_flight) + inputs.waiting_live + connected
    return {
        "calls_per_second": max(0, inputs.calls_per_second_left),
        "hopper": inputs.hopper_size,
        "lines": max(0, inputs.max_lines - lines),
    }


def _capped(
    inputs: PacingInputs,
    wanted: int,
    code: DecisionCode,
    reason: str,
    **figures: float | None,
) -> PacingDecision:
    caps = _caps(inputs)
    calls = min(wanted, *caps.values())
    capped_by = tuple(name for name, cap in caps.items() if cap < wanted and cap == calls)
    if capped_by:
        reason += f"; {calls} of {wanted} placed (limited by {', '.join(capped_by)})"
    return PacingDecision(
        inputs,
        calls,
        wanted,
        code,
        reason,
        capped_by=capped_by,
        **figures,  # type: ignore[arg-type]
    )


def _predictive(inputs: PacingInputs, idle: int) -> PacingDecision:
    model = inputs.model
    assert model is not None  # checked by PacingInputs
    busy = []
    for agent in inputs.agents:
        if agent.state is AgentState.TALKING:
            busy.append(model.talk_row(agent.seconds))
        elif agent.state is AgentState.RESERVED:
            busy.append(model.talk_row(0.0))
        elif agent.state is AgentState.WRAP_UP:
            busy.append(model.wrap_row(agent.seconds))
    ahead = forecast(
        model,
        idle=idle,
        busy=busy,
        ringing=[model.call_row(c.seconds) for c in inputs.in_flight],
        waiting_live=inputs.waiting_live,
    )
    caps = _caps(inputs)
    limit = min(caps.values())
    # Slow down before the budget runs out rather than stop dead at it: with fewer than
    # SOFT_BUDGET abandons affordable the risk target shrinks in proportion.
    target = inputs.target * min(1.0, inputs.abandon_budget / SOFT_BUDGET)
    spent = ahead.expected_abandons()  # by the calls already in flight, at least
    calls, risk, code, capped = 0, 0.0, DecisionCode.PREDICTIVE, False
    # Each call added raises the next one's risk: stop at the first call over the target or
    # the abandon budget, or (looking one call past them) over the caps.
    for k in range(1, limit + 2):
        risk = ahead.call_risk(others=k - 1)
        if risk > target:
            break
        if spent + risk * ahead.new_live > inputs.abandon_budget:
            code = DecisionCode.ABANDON_BUDGET
            break
        if k > limit:
            capped = True
            break
        calls, spent = k, spent + risk * ahead.new_live
    reason = (
        f"{calls} calls: within {ahead.look_ahead[-1]} s about {ahead.free_mean[-1]:.1f} agents"
        f" free and {ahead.live_mean[-1]:.1f} live answers due from {len(inputs.in_flight)}"
        f" calls in flight; the next call's abandon risk {risk:.2%} vs target"
        f" {target:.2%}"
    )
    if code is DecisionCode.ABANDON_BUDGET:
        reason += f"; abandon budget {inputs.abandon_budget:.1f} reached"
    capped_by = tuple(name for name, cap in caps.items() if cap == limit) if capped else ()
    if capped_by:
        reason += f" (more wanted, limited by {', '.join(capped_by)})"
    return PacingDecision(
        inputs,
        calls,
        calls + 1 if capped else calls,
        code,
        reason,
        expected_abandons=spent,
        next_call_risk=risk,
        capped_by=capped_by,
    )
