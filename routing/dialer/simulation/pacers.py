"""The pacers the simulation compares, each fed only what a dialer process would know.

ModelPacer runs the real predictive pacer (decide(), the abandon throttle, the slow feedback
loop and a model re-estimated from the floor's recent history); ProgressivePacer runs decide()
in progressive mode; AdaptivePacer runs VICIdial's adaptive dial level (routing.dialer.adaptive).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from routing.dialer.abandon import AbandonTally, throttle
from routing.dialer.adaptive import AdaptiveDialLevel, AdaptMethod, DropStats
from routing.dialer.feedback import AbandonFeedback
from routing.dialer.model import AttemptTiming, PacingModel, estimate
from routing.dialer.pacer import (
    AgentState,
    AgentView,
    CallView,
    Mode,
    PacingDecision,
    PacingInputs,
    decide,
)
from routing.dialer.policy import CompliancePolicy

UNLIMITED_LEADS = 1_000_000
RESERVE = 0.0
EPOCH = datetime(2025, 6, 2, 13, 0, tzinfo=UTC)  # a simulated day starts at 09:00 New York


class _Floor(Protocol):
    """The parts of the simulated floor a FloorView reads (read-only)."""

    @property
    def now(self) -> float: ...
    @property
    def agents(self) -> Sequence[object]: ...
    @property
    def idle(self) -> Sequence[int]: ...
    @property
    def waiting(self) -> Sequence[int]: ...
    @property
    def in_flight(self) -> Mapping[int, float]: ...
    @property
    def timings(self) -> Sequence[AttemptTiming]: ...
    @property
    def talks(self) -> Sequence[float]: ...
    @property
    def wraps(self) -> Sequence[float]: ...
    @property
    def dials(self) -> Sequence[float]: ...
    @property
    def live_times(self) -> Sequence[float]: ...
    @property
    def abandoned_before(self) -> Sequence[int]: ...

    def agent_views(self) -> tuple[AgentView, ...]: ...

    def call_views(self) -> tuple[CallView, ...]: ...


class FloorView:
    """What a pacer may read at one tick (a window onto the simulated floor)."""

    def __init__(self, floor: _Floor) -> None:
        self._floor = floor
        self.now = floor.now

    @property
    def signed_in(self) -> int:
        return len(self._floor.agents)

    @property
    def idle(self) -> int:
        return len(self._floor.idle)

    @property
    def waiting_live(self) -> int:
        return len(self._floor.waiting)

    @property
    def ringing(self) -> int:
        return len(self._floor.in_flight)

    def agents(self) -> tuple[AgentView, ...]:
        return self._floor.agent_views()

    def in_flight(self) -> tuple[CallView, ...]:
        return self._floor.call_views()

    def connected(self) -> int:
        """Agents being connected or talking (a line each)."""
        states = (AgentState.RESERVED, AgentState.TALKING)
        return sum(getattr(a, "state", None) in states for a in self._floor.agents)

    def history(self) -> tuple[Sequence[AttemptTiming], Sequence[float], Sequence[float]]:
        return self._floor.timings, self._floor.talks, self._floor.wraps

    def lives(self, since: float) -> tuple[int, int]:
        """(live answers, abandoned) resolved since `since`."""
        times, before = self._floor.live_times, self._floor.abandoned_before
        low = bisect_left(times, since)
        return len(times) - low, before[-1] - before[low]

    def dials(self, since: float) -> int:
        dials = self._floor.dials
        return len(dials) - bisect_left(dials, since)


class Pacer(Protocol):
    name: str

    def calls(self, view: FloorView) -> int: ...


@dataclass
class ProgressivePacer:
    name: str = "progressive"

    def calls(self, view: FloorView) -> int:
        inputs = PacingInputs(
            campaign_id="sim",
            at=view.now,
            mode=Mode.PROGRESSIVE,
            agents=view.agents(),
            in_flight=view.in_flight(),
            waiting_live=view.waiting_live,
            calls_per_second_left=1_000,
            hopper_size=UNLIMITED_LEADS,
        )
        return decide(inputs).calls


@dataclass
class ModelPacer:
    """Ours. The run is one day of a new campaign, so its day is also its 30-day period."""

    policy: CompliancePolicy = field(default_factory=CompliancePolicy)
    model_every: float = 300.0
    feedback_every: float = 60.0
    feedback_window: float = 1800.0
    keep_decisions: int = 0
    name: str = "ours"
    feedback: AbandonFeedback | None = None
    model: PacingModel | None = None
    decisions: deque[PacingDecision] = field(default_factory=deque)
    _model_at: float = -1e18
    _model_samples: int = 0
    _feedback_at: float = 0.0

    def __post_init__(self) -> None:
        if self.feedback is None:
            # Start cautious: the model is still the generic prior.
            self.feedback = AbandonFeedback(aim=self.policy.aim, target=self.policy.aim / 2)
        self.decisions = deque(maxlen=max(1, self.keep_decisions))

    def calls(self, view: FloorView) -> int:
        now = view.now
        attempts = len(view.history()[0])
        # Re-estimated every model_every s, and sooner while the history is still doubling.
        if (
            self.model is None
            or now - self._model_at >= self.model_every
            or attempts >= 2 * self._model_samples + 100
        ):
            self.model, self._model_at = self._estimate(view), now
            self._model_samples = attempts
        assert self.feedback is not None
        live, abandoned = view.lives(0.0)
        if now - self._feedback_at >= self.feedback_every:
            recent = view.lives(now - self.feedback_window)
            self.feedback = self.feedback.update(*recent, live, abandoned)
            self._feedback_at = now
        clock = EPOCH + timedelta(seconds=now)
        periods = [
            (AbandonTally("today", EPOCH, clock, live, abandoned), self.policy.abandon_limit)
        ]
        window = self.policy.burst_window
        if window is not None:
            recent = view.lives(now - window.total_seconds())
            tally = AbandonTally("recent", clock - window, clock, *recent)
            periods.append((tally, self.policy.burst_limit))
        held = throttle(periods)
        decision = decide(
            PacingInputs(
                campaign_id="sim",
                at=now,
                mode=Mode.PREDICTIVE,
                agents=view.agents(),
                in_flight=view.in_flight(),
                waiting_live=view.waiting_live,
                model=self.model,
                target=self.feedback.target,
                progressive_only=held.progressive,
                abandon_budget=max(0.0, held.budget - RESERVE),
                throttle_reason=held.reason,
                calls_per_second_left=1_000,
                hopper_size=UNLIMITED_LEADS,
            )
        )
        if self.keep_decisions:
            self.decisions.append(decision)
        return decision.calls

    def _estimate(self, view: FloorView) -> PacingModel:
        agents = view.agents()
        return estimate(
            *view.history(),
            ringing=[c.seconds for c in view.in_flight()],
            talking=[a.seconds for a in agents if a.state is AgentState.TALKING],
            wrapping=[a.seconds for a in agents if a.state is AgentState.WRAP_UP],
        )


@dataclass
class AdaptivePacer:
    """VICIdial: AST_VDadapt.pl's level, AST_VDauto_dial.pl's lines (its defaults)."""

    method: AdaptMethod = AdaptMethod.HARD_LIMIT
    name: str = "vicidial"
    state: AdaptiveDialLevel | None = None

    def __post_init__(self) -> None:
        if self.state is None:
            self.state = AdaptiveDialLevel(method=self.method)

    def calls(self, view: FloorView) -> int:
        assert self.state is not None
        now = view.now
        answers_one, drops_one = view.lives(now - 60.0)
        answers_today, drops_today = view.lives(0.0)
        stats = DropStats(
            calls_one=view.dials(now - 60.0),
            answers_one=answers_one,
            drops_one=drops_one,
            calls_today=view.dials(0.0),
            answers_today=answers_today,
            drops_today=drops_today,
        )
        self.state.second(view.idle, view.waiting_live, view.signed_in, stats)
        connected = view.connected()
        active = view.idle + connected
        lines = view.ringing + view.waiting_live + connected
        return self.state.calls_to_place(active, lines)
