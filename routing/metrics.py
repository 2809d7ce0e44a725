"""SLA metric definitions: named, versioned formulas over plain contact-outcome records.

Vendors disagree on what "service level" means (DOMAIN.md §2), so every number names its
definition; this module is the only place a metric is written. Each definition states its unit,
denominator, business-hours scope and that an empty denominator gives no number (None), never 0%
or 100%. Contact-based definitions compute from a Tally, so interval roll-ups add up exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from typing import Any, ClassVar, Literal, Protocol, cast

from routing.tally import (
    AgentTime,
    Clock,
    ContactOutcome,
    DialAttempt,
    Elapsed,
    Handling,
    Offer,
    Tally,
    Thresholds,
)

__all__ = [
    "AgentTime",
    "ContactOutcome",
    "DialAttempt",
    "Elapsed",
    "Handling",
    "Offer",
    "Tally",
    "Thresholds",
]

ServiceLevelVariant = Literal["asterisk_sl", "asterisk_sl2", "connect", "genesys"]
Unit = Literal["ratio", "seconds", "count", "score", "currency"]
WALL_CLOCK = "all hours (wall clock)"
NO_NUMBER = "no number (None): never shown as 0% or 100%"


class MetricDefinition(Protocol):
    """What the UI shows beside each number: stable id, version and a label with units."""

    metric_id: ClassVar[str]
    version: ClassVar[int]

    @property
    def id(self) -> str: ...

    @property
    def label(self) -> str: ...


class _Definition:
    """The parts every definition states; subclasses fill the class variables."""

    metric_id: ClassVar[str] = ""
    version: ClassVar[int] = 1
    unit: ClassVar[Unit] = "ratio"
    better: ClassVar[Literal["higher", "lower"]] = "higher"
    denominator: ClassVar[str] = ""

    @property
    def id(self) -> str:
        return self.metric_id

    @property
    def label(self) -> str:
        raise NotImplementedError

    @property
    def scope(self) -> str:
        return WALL_CLOCK

    @property
    def on_zero(self) -> str:
        return NO_NUMBER

    def parameters(self) -> dict[str, Any]:
        """The settings this instance was made with (a clock function shows as its scope)."""
        names: list[str] = [f.name for f in fields(cast(Any, self))] if is_dataclass(self) else []
        values: dict[str, Any] = {name: getattr(self, name) for name in names}
        return {k: v for k, v in values.items() if v is not None and not callable(v)}

    def describe(self) -> dict[str, Any]:
        """The definition as the API serves it; `key` tells apart instances of one id."""
        parameters = self.parameters()
        settings = ",".join(f"{k}={v}" for k, v in parameters.items())
        return {
            "key": f"{self.id}({settings})" if settings else self.id,
            "id": self.id,
            "parameters": parameters,
            "metric": self.metric_id,
            "version": self.version,
            "label": self.label,
            "unit": self.unit,
            "better": self.better,
            "denominator": self.denominator,
            "business_hours": self.scope,
            "zero_denominator": self.on_zero,
        }


class _FromTally(_Definition):
    """A definition over contacts: its figure is a function of their tally alone."""

    def thresholds(self) -> Thresholds:
        return Thresholds()

    def measure(self) -> Elapsed | None:
        """The clock response and resolution times run on: None for wall-clock seconds."""
        return None

    def compute(self, outcomes: Iterable[ContactOutcome]) -> float | None:
        return self.of_tally(Tally.over(outcomes, self.thresholds(), self.measure()))

    def of_tally(self, tally: Tally) -> float | None:
        raise NotImplementedError


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _mean_ms(total_ms: int, count: int) -> float | None:
    return total_ms / count / 1000 if count else None


def _seconds(value: float) -> str:
    return f"{value:g} s"


@dataclass(frozen=True)
class ServiceLevel(_FromTally):
    """Service level under one vendor's variant, answer target T, short-abandon threshold and
    the clock's start (enqueue, or the contact's arrival with the IVR's time included)."""

    variant: ServiceLevelVariant = "genesys"
    target_seconds: float = 20.0
    short_abandon_seconds: float = 0.0
    clock: Clock = "queued"
    metric_id: ClassVar[str] = "service_level"
    version: ClassVar[int] = 1

    def __post_init__(self) -> None:
        Thresholds(self.target_seconds, self.short_abandon_seconds, self.clock)
        if self.short_abandon_seconds and self.variant != "genesys":
            raise ValueError(f"short-abandon exclusion applies to 'genesys', not '{self.variant}'")

    @property
    def id(self) -> str:
        return f"{self.metric_id}.{self.variant}"

    @property
    def denominator(self) -> str:  # type: ignore[override]
        return {
            "asterisk_sl": "answered contacts",
            "asterisk_sl2": "answered + abandoned contacts",
            "connect": "queued contacts (answered, abandoned, callback or still waiting)",
            "genesys": "answered + abandoned contacts"
            + (", short abandons excluded" if self.short_abandon_seconds else ""),
        }[self.variant]

    @property
    def label(self) -> str:
        t = _seconds(self.target_seconds)
        text = {
            "asterisk_sl": f"answered within {t} / answered",
            "asterisk_sl2": f"(answered + abandoned) within {t} / (answered + abandoned)",
            "connect": f"left queue within {t} / queued (answered, abandoned or callback)",
            "genesys": f"answered within {t} / offered (answered + abandoned)",
        }[self.variant]
        if self.short_abandon_seconds:
            text += f", short abandons under {_seconds(self.short_abandon_seconds)} excluded"
        if self.clock == "arrived":
            text += ", clock from arrival (IVR included)"
        return f"Service level: {text}"

    def thresholds(self) -> Thresholds:
        return Thresholds(self.target_seconds, self.short_abandon_seconds, self.clock)

    def of_tally(self, t: Tally) -> float | None:
        if self.variant == "asterisk_sl":
            return _ratio(t.answered_in_target, t.answered)
        if self.variant == "asterisk_sl2":
            return _ratio(t.answered_in_target + t.abandoned_in_target, t.answered + t.abandoned)
        if self.variant == "connect":
            return _ratio(t.left_in_target, t.queued)
        return _ratio(t.answered_in_target, t.answered + t.abandoned - t.short_abandoned)

    def by_queue(
        self, outcomes: Iterable[ContactOutcome], targets: Mapping[str, ServiceLevel]
    ) -> dict[str, float | None]:
        """Each queue's figure under its own definition (its target), else this one."""
        grouped: dict[str, list[ContactOutcome]] = {}
        for outcome in outcomes:
            if outcome.queue_id is not None:
                grouped.setdefault(outcome.queue_id, []).append(outcome)
        return {q: targets.get(q, self).compute(rows) for q, rows in grouped.items()}


@dataclass(frozen=True)
class AverageSpeedOfAnswer(_FromTally):
    """Mean seconds from enqueue to agent answer, over answered contacts."""

    metric_id: ClassVar[str] = "asa"
    unit: ClassVar[Unit] = "seconds"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "answered contacts"

    @property
    def label(self) -> str:
        return "ASA: mean seconds from enqueue to agent answer, answered contacts"

    def of_tally(self, t: Tally) -> float | None:
        return _mean_ms(t.answer_wait_ms, t.answered)


@dataclass(frozen=True)
class AbandonRate(_FromTally):
    """Hung up while queued / queued; callbacks are not abandons; short abandons optionally out."""

    short_abandon_seconds: float = 0.0
    metric_id: ClassVar[str] = "abandon_rate"
    better: ClassVar[Literal["higher", "lower"]] = "lower"

    @property
    def denominator(self) -> str:  # type: ignore[override]
        text = "queued contacts"
        return text + (", short abandons excluded" if self.short_abandon_seconds else "")

    @property
    def label(self) -> str:
        text = "Abandon rate: hung up while queued / queued, callbacks not abandons"
        if self.short_abandon_seconds:
            text += f", short abandons under {_seconds(self.short_abandon_seconds)} excluded"
        return text

    def thresholds(self) -> Thresholds:
        return Thresholds(short_abandon_seconds=self.short_abandon_seconds)

    def of_tally(self, t: Tally) -> float | None:
        # A short abandon is treated as never offered: out of the numerator and the denominator.
        return _ratio(t.abandoned - t.short_abandoned, t.queued - t.short_abandoned)


@dataclass(frozen=True)
class ShortAbandons(_FromTally):
    """Contacts that hung up within the threshold of queueing (a count): mostly misdials."""

    short_abandon_seconds: float = 5.0
    metric_id: ClassVar[str] = "short_abandons"
    unit: ClassVar[Unit] = "count"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "none (a count)"

    @property
    def label(self) -> str:
        return f"Short abandons: hung up within {_seconds(self.short_abandon_seconds)} of queueing"

    @property
    def on_zero(self) -> str:
        return "0 (a count of nothing)"

    def thresholds(self) -> Thresholds:
        return Thresholds(short_abandon_seconds=self.short_abandon_seconds)

    def of_tally(self, t: Tally) -> int:
        return t.short_abandoned


@dataclass(frozen=True)
class ContactsHandled(_FromTally):
    """Contacts answered whose contact has ended (a count; per agent when given one agent's)."""

    metric_id: ClassVar[str] = "handled"
    unit: ClassVar[Unit] = "count"
    denominator: ClassVar[str] = "none (a count)"

    @property
    def label(self) -> str:
        return "Handled: contacts answered whose contact has ended"

    @property
    def on_zero(self) -> str:
        return "0 (a count of nothing)"

    def compute(self, outcomes: Iterable[ContactOutcome]) -> int:
        return sum(o.handled for o in outcomes)

    def of_tally(self, t: Tally) -> int:
        return t.handled


HandlePart = Literal["talk", "hold", "acw"]


@dataclass(frozen=True)
class AverageHandleTime(_FromTally):
    """Mean talk + hold + after-call work seconds, over handled contacts (see Handling)."""

    metric_id: ClassVar[str] = "aht"
    # v2: only contacts that have ended; v1 averaged answered contacts still in progress too.
    version: ClassVar[int] = 2
    unit: ClassVar[Unit] = "seconds"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "handled contacts (answered and ended)"

    @property
    def label(self) -> str:
        return (
            "AHT: mean seconds of talk + hold + after-call work, from the agent connecting"
            " (ringing excluded) to the end of wrap-up, handled contacts"
        )

    def of_tally(self, t: Tally) -> float | None:
        return _mean_ms(t.talk_ms + t.hold_ms + t.acw_ms, t.handled)


@dataclass(frozen=True)
class HandleTimePart(_FromTally):
    """One part of AHT alone: mean talk, hold or after-call work seconds per handled contact."""

    part: HandlePart = "talk"
    metric_id: ClassVar[str] = "aht_part"
    unit: ClassVar[Unit] = "seconds"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "handled contacts (answered and ended)"

    def __post_init__(self) -> None:
        if self.part not in ("talk", "hold", "acw"):
            raise ValueError(f"part must be talk, hold or acw, not {self.part!r}")

    @property
    def id(self) -> str:
        return f"{self.metric_id}.{self.part}"

    @property
    def label(self) -> str:
        name = {"talk": "talk", "hold": "hold", "acw": "after-call work (wrap-up)"}[self.part]
        return f"Average {name}: mean seconds per handled contact"

    def of_tally(self, t: Tally) -> float | None:
        total = {"talk": t.talk_ms, "hold": t.hold_ms, "acw": t.acw_ms}[self.part]
        return _mean_ms(total, t.handled)


@dataclass(frozen=True)
class OffersNotTaken:
    """Offers that rang until they expired ("missed") or that the agent declined (a count)."""

    outcome: Literal["expired", "rejected"] = "expired"
    metric_id: ClassVar[str] = "offers"
    version: ClassVar[int] = 1

    @property
    def id(self) -> str:
        return f"{self.metric_id}.{'missed' if self.outcome == 'expired' else 'rejected'}"

    @property
    def label(self) -> str:
        if self.outcome == "expired":
            return "Missed offers: offers that rang until they expired"
        return "Rejected offers: offers the agent declined"

    def describe(self) -> dict[str, Any]:
        return {
            "key": self.id,
            "id": self.id,
            "parameters": {},
            "metric": self.metric_id,
            "version": self.version,
            "label": self.label,
            "unit": "count",
            "better": "lower",
            "denominator": "none (a count)",
            "business_hours": WALL_CLOCK,
            "zero_denominator": "0 (a count of nothing)",
        }

    def compute(self, offers: Iterable[Offer]) -> int:
        return sum(o.outcome == self.outcome for o in offers)


@dataclass(frozen=True)
class Occupancy(_Definition):
    """Time on contacts / (time on contacts + available idle time), summed over agents."""

    metric_id: ClassVar[str] = "occupancy"
    denominator: ClassVar[str] = "agents' seconds on contacts + available idle seconds"

    @property
    def label(self) -> str:
        return "Occupancy: time on contacts / (time on contacts + available idle time)"

    def compute(self, agent_times: Iterable[AgentTime]) -> float | None:
        rows = list(agent_times)
        on_contacts = sum(a.contact_seconds for a in rows)
        total = on_contacts + sum(a.idle_seconds for a in rows)
        return on_contacts / total if total > 0 else None


@dataclass(frozen=True)
class Utilisation(_Definition):
    """Time on contacts / signed-in time (on contacts + idle + away on break or not ready)."""

    metric_id: ClassVar[str] = "utilisation"
    denominator: ClassVar[str] = "agents' signed-in seconds (contacts + idle + break/not ready)"

    @property
    def label(self) -> str:
        return "Utilisation: time on contacts / signed-in time (breaks included)"

    def compute(self, agent_times: Iterable[AgentTime]) -> float | None:
        rows = list(agent_times)
        on_contacts = sum(a.contact_seconds for a in rows)
        total = on_contacts + sum(a.idle_seconds + a.away_seconds for a in rows)
        return on_contacts / total if total > 0 else None


class _Clocked(_FromTally):
    """A definition measured on a clock: wall-clock seconds, or business hours when given."""

    channel: str | None
    elapsed: Elapsed | None

    def measure(self) -> Elapsed | None:
        return self.elapsed

    @property
    def scope(self) -> str:
        if self.elapsed is None:
            return WALL_CLOCK
        return "business hours only (the calendar's opening hours, holidays excluded)"

    @property
    def id(self) -> str:
        return self.metric_id if self.channel is None else f"{self.metric_id}.{self.channel}"

    def _hours(self) -> str:
        return "business-hours" if self.elapsed else "wall-clock"

    def _scope(self) -> str:
        return f"{self.channel} " if self.channel else ""

    def compute(self, outcomes: Iterable[ContactOutcome]) -> float | None:
        rows = [o for o in outcomes if self.channel is None or o.channel == self.channel]
        return super().compute(rows)


@dataclass(frozen=True)
class FirstResponseTime(_Clocked):
    """Mean seconds from the customer's message to the first human reply (bots excluded upstream).

    `elapsed(start, end)` lets the app count business hours only; by default wall-clock seconds.
    """

    channel: str | None = None
    elapsed: Elapsed | None = None
    metric_id: ClassVar[str] = "first_response_time"
    unit: ClassVar[Unit] = "seconds"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "contacts with a customer message and a human reply"

    @property
    def label(self) -> str:
        return (
            f"First response time: mean {self._hours()} seconds, "
            f"{self._scope()}customer message -> first human reply"
        )

    def of_tally(self, t: Tally) -> float | None:
        return _mean_ms(t.first_response_ms, t.first_responses)


@dataclass(frozen=True)
class NextResponseTime(_Clocked):
    """Mean seconds from each later customer message to the human reply answering it."""

    channel: str | None = None
    elapsed: Elapsed | None = None
    metric_id: ClassVar[str] = "next_response_time"
    unit: ClassVar[Unit] = "seconds"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "replies after the first response (each customer turn answered)"

    @property
    def label(self) -> str:
        return (
            f"Next response time: mean {self._hours()} seconds, "
            f"{self._scope()}later customer message -> the human reply to it"
        )

    def of_tally(self, t: Tally) -> float | None:
        return _mean_ms(t.next_response_ms, t.next_responses)


@dataclass(frozen=True)
class AverageResponseTime(_Clocked):
    """Mean seconds over every human reply, the first included (the source texts' figure)."""

    channel: str | None = None
    elapsed: Elapsed | None = None
    metric_id: ClassVar[str] = "average_response_time"
    unit: ClassVar[Unit] = "seconds"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "human replies to customer messages, first and later"

    @property
    def label(self) -> str:
        return (
            f"Average response time: mean {self._hours()} seconds, "
            f"{self._scope()}customer message -> human reply, every reply"
        )

    def of_tally(self, t: Tally) -> float | None:
        return _mean_ms(
            t.first_response_ms + t.next_response_ms, t.first_responses + t.next_responses
        )


@dataclass(frozen=True)
class ResolutionTime(_Clocked):
    """Mean seconds from the contact's arrival to its end, over handled contacts."""

    channel: str | None = None
    elapsed: Elapsed | None = None
    metric_id: ClassVar[str] = "resolution_time"
    unit: ClassVar[Unit] = "seconds"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "handled contacts (answered and ended)"

    @property
    def label(self) -> str:
        return (
            f"Resolution time: mean {self._hours()} seconds, "
            f"{self._scope()}arrival -> end of the contact"
        )

    def of_tally(self, t: Tally) -> float | None:
        return _mean_ms(t.resolution_ms, t.resolved_contacts)


FcrVariant = Literal["disposition", "no_repeat"]
WEEK = 7 * 24 * 3600.0


@dataclass(frozen=True)
class FirstContactResolution(_FromTally):
    """FCR in the source texts' two readings.

    "disposition": the agent's outcome code counts toward FCR and no transfer passed the customer
    on / handled contacts with a disposition. "no_repeat": the same customer did not contact again
    within the window / handled contacts of identified customers whose window has passed.
    """

    variant: FcrVariant = "disposition"
    window_seconds: float = WEEK
    metric_id: ClassVar[str] = "fcr"

    def __post_init__(self) -> None:
        if self.variant not in ("disposition", "no_repeat"):
            raise ValueError(f"variant must be disposition or no_repeat, not {self.variant!r}")
        if self.window_seconds <= 0:
            raise ValueError("window_seconds must be positive")

    @property
    def id(self) -> str:
        return f"{self.metric_id}.{self.variant}"

    @property
    def denominator(self) -> str:  # type: ignore[override]
        if self.variant == "disposition":
            return "handled contacts with a disposition"
        return "handled contacts of identified customers whose repeat window has passed"

    @property
    def label(self) -> str:
        if self.variant == "disposition":
            return "FCR: resolved at first contact (disposition, no transfer) / dispositioned"
        days = self.window_seconds / 86400
        return f"FCR: no repeat contact within {days:g} days / contacts of known customers"

    def of_tally(self, t: Tally) -> float | None:
        if self.variant != "disposition":
            raise ValueError("the no_repeat variant looks ahead of each contact: use compute()")
        return _ratio(t.resolved_first_contact, t.disposed)

    def compute(
        self, outcomes: Iterable[ContactOutcome], as_of: float | None = None
    ) -> float | None:
        rows = list(outcomes)
        if self.variant == "disposition":
            return super().compute(rows)
        return _ratio(*self._no_repeat(rows, as_of))

    def _no_repeat(self, rows: list[ContactOutcome], as_of: float | None) -> tuple[int, int]:
        starts: dict[str, list[float]] = {}
        for o in rows:
            start = _start(o)
            if o.customer_id is not None and start is not None:
                starts.setdefault(o.customer_id, []).append(start)
        horizon = (
            as_of
            if as_of is not None
            else max((s for v in starts.values() for s in v), default=0.0)
        )
        hits = total = 0
        for o in rows:
            start = _start(o)
            if not o.handled or o.customer_id is None or start is None:
                continue
            if start + self.window_seconds > horizon:
                continue  # the window is still open: a repeat may yet come
            total += 1
            repeats = [s for s in starts[o.customer_id] if start < s <= start + self.window_seconds]
            hits += not repeats
        return hits, total


def _start(o: ContactOutcome) -> float | None:
    return o.arrived_at if o.arrived_at is not None else o.queued_at


@dataclass(frozen=True)
class CustomerSatisfaction(_FromTally):
    """CSAT: ratings of 4 or 5 / all ratings, on a 1-5 scale."""

    metric_id: ClassVar[str] = "csat"
    denominator: ClassVar[str] = "rated contacts (1-5 ratings)"

    @property
    def label(self) -> str:
        return "CSAT: ratings 4-5 / all ratings (1-5 scale)"

    def satisfied(self, score: int) -> bool:
        """A rating that counts towards CSAT: 4 or 5."""
        return score >= 4

    def of_tally(self, t: Tally) -> float | None:
        return _ratio(t.satisfied, t.rated)


@dataclass(frozen=True)
class CustomerEffort(_FromTally):
    """CES: the mean effort score on a 1-7 scale; lower is better (less effort)."""

    metric_id: ClassVar[str] = "ces"
    unit: ClassVar[Unit] = "score"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "contacts with an effort rating (1-7)"

    @property
    def label(self) -> str:
        return "CES: mean effort score, 1 (very easy) to 7 (very hard); lower is better"

    def of_tally(self, t: Tally) -> float | None:
        return t.effort_sum / t.effort_rated if t.effort_rated else None


@dataclass(frozen=True)
class TransferRate(_FromTally):
    """Handled contacts that were transferred at least once / handled contacts."""

    metric_id: ClassVar[str] = "transfer_rate"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "handled contacts (answered and ended)"

    @property
    def label(self) -> str:
        return "Transfer rate: handled contacts transferred at least once / handled contacts"

    def of_tally(self, t: Tally) -> float | None:
        return _ratio(t.transferred, t.handled)


@dataclass(frozen=True)
class CallbacksKept(_FromTally):
    """Callback contacts on which an agent talked to the customer / callback contacts made."""

    metric_id: ClassVar[str] = "callbacks_kept"
    denominator: ClassVar[str] = "callback contacts (one per callback promised)"

    @property
    def label(self) -> str:
        return "Callbacks kept: callbacks where an agent reached the customer / callbacks promised"

    def of_tally(self, t: Tally) -> float | None:
        return _ratio(t.callbacks_kept, t.callback_contacts)


@dataclass(frozen=True)
class DialerDropRate(_Definition):
    """Abandoned live answers / live answers; machines excluded; one campaign's attempts at a time.

    A live answer is abandoned when no agent is connected within `connect_seconds` of the end of
    the called person's greeting (2 s under FCC 47 CFR 64.1200 and Ofcom).
    """

    connect_seconds: float = 2.0
    metric_id: ClassVar[str] = "dialer_drop_rate"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "live (human) answers of one campaign; machines excluded"

    @property
    def label(self) -> str:
        return (
            f"Drop rate: live answers without an agent within {_seconds(self.connect_seconds)}"
            " / live answers (machines excluded)"
        )

    def compute(self, attempts: Iterable[DialAttempt]) -> float | None:
        live = [a for a in attempts if a.answered_by == "human"]
        return _ratio(sum(self.dropped(a) for a in live), len(live))

    def per_campaign(self, attempts: Iterable[DialAttempt]) -> dict[str, float | None]:
        """Drop rate of each campaign, the unit the regulations apply to."""
        by_campaign: dict[str, list[DialAttempt]] = {}
        for attempt in attempts:
            by_campaign.setdefault(attempt.campaign_id, []).append(attempt)
        return {cid: self.compute(rows) for cid, rows in by_campaign.items()}

    def dropped(self, attempt: DialAttempt) -> bool:
        if attempt.agent_connected_at is None or attempt.greeting_ended_at is None:
            return attempt.agent_connected_at is None
        return attempt.agent_connected_at - attempt.greeting_ended_at > self.connect_seconds


SlaTargetName = Literal["answer", "first_response", "resolution"]
SLA_TARGETS: tuple[SlaTargetName, ...] = ("answer", "first_response", "resolution")
SLA_SCOPE = "business hours of the policy's calendar (holidays excluded); wall clock without one"


@dataclass(frozen=True)
class SlaCompliance(_Definition):
    """SLA policy clocks met / clocks judged (met + breached) for one target; clocks still
    running, and those closed because the contact left before its due time, are not counted.
    Clocks are routing.sla's, one per contact and target."""

    target: SlaTargetName = "answer"
    metric_id: ClassVar[str] = "sla_compliance"
    denominator: ClassVar[str] = "SLA clocks met or breached (running and closed ones excluded)"

    @property
    def id(self) -> str:
        return f"{self.metric_id}.{self.target}"

    @property
    def scope(self) -> str:
        return SLA_SCOPE

    @property
    def label(self) -> str:
        target = self.target.replace("_", " ")
        return f"SLA compliance ({target}): met by the due time / met + breached"

    def of_counts(self, met: int, breached: int) -> float | None:
        return _ratio(met, met + breached)

    def compute(self, clocks: Iterable[Any]) -> float | None:
        rows = [c for c in clocks if c.target == self.target]
        return self.of_counts(
            sum(c.status == "met" for c in rows), sum(c.status == "breached" for c in rows)
        )


@dataclass(frozen=True)
class SlaBreaches(_Definition):
    """How many SLA policy clocks of one target were breached: stopped after their due time,
    or still running when it passed."""

    target: SlaTargetName = "answer"
    metric_id: ClassVar[str] = "sla_breaches"
    unit: ClassVar[Unit] = "count"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = "none (a count of breached clocks)"

    @property
    def id(self) -> str:
        return f"{self.metric_id}.{self.target}"

    @property
    def scope(self) -> str:
        return SLA_SCOPE

    @property
    def on_zero(self) -> str:
        return "0 (a count)"

    @property
    def label(self) -> str:
        return f"SLA breaches ({self.target.replace('_', ' ')}): not reached by the due time"

    def compute(self, clocks: Iterable[Any]) -> int:
        return sum(c.target == self.target and c.status == "breached" for c in clocks)


CUSTOMER_SCOPE = "calendar dates (a customer's record, not a contact's clock)"
ON_FILE = (
    "customers on file: created before the instant and not erased by it; CLV and segment are"
    " each one's latest quarterly value-history row up to that quarter (else the record's)"
)
CHURNED = "erased (the relationship ended) within the range"


class _CustomerValue(_Definition):
    """A customer-value figure: computed from counts and CLV amounts, not contacts."""

    @property
    def scope(self) -> str:
        return CUSTOMER_SCOPE


@dataclass(frozen=True)
class CustomerEquity(_CustomerValue):
    """Customer equity: the sum of the CLV of the customers on file at the range's end
    (DOMAIN.md §1: CLV = purchase value x purchases a year x years)."""

    metric_id: ClassVar[str] = "customer_equity"
    unit: ClassVar[Unit] = "currency"
    denominator: ClassVar[str] = "none (a sum over " + ON_FILE + ")"

    @property
    def on_zero(self) -> str:
        return "0 (a sum over no customers)"

    @property
    def label(self) -> str:
        return "Customer equity: sum of CLV of the customers on file at the range's end"

    def compute(self, clvs: Iterable[Decimal]) -> Decimal:
        return sum(clvs, Decimal(0))


@dataclass(frozen=True)
class AverageCustomerValue(_CustomerValue):
    """Mean CLV: customer equity / customers on file at the range's end."""

    metric_id: ClassVar[str] = "average_clv"
    unit: ClassVar[Unit] = "currency"
    denominator: ClassVar[str] = ON_FILE + ", at the range's end"

    @property
    def label(self) -> str:
        return "Average CLV: customer equity / customers on file at the range's end"

    def compute(self, clvs: Iterable[Decimal]) -> Decimal | None:
        values = list(clvs)
        return sum(values, Decimal(0)) / len(values) if values else None


@dataclass(frozen=True)
class ChurnRate(_CustomerValue):
    """Churned / customers on file at the range's start; churned: one of those whose record was
    erased within the range. (A cancellation is a counter without dates on the record, so it
    cannot be placed in a range; it feeds the at-risk rules instead.)"""

    metric_id: ClassVar[str] = "churn_rate"
    better: ClassVar[Literal["higher", "lower"]] = "lower"
    denominator: ClassVar[str] = ON_FILE + ", at the range's start"

    @property
    def label(self) -> str:
        return "Churn rate: customers at the start " + CHURNED + " / customers at the start"

    def of_counts(self, at_start: int, churned: int) -> float | None:
        return _ratio(churned, at_start)


@dataclass(frozen=True)
class RetentionRate(_CustomerValue):
    """Retained / customers on file at the range's start: 1 - churn rate, and no number
    either when no customer was on file at the start."""

    metric_id: ClassVar[str] = "retention_rate"
    denominator: ClassVar[str] = ON_FILE + ", at the range's start"

    @property
    def label(self) -> str:
        return "Retention rate: customers at the start still on file at the end / at the start"

    def of_counts(self, at_start: int, churned: int) -> float | None:
        return _ratio(at_start - churned, at_start)


def catalogue(target_seconds: float = 20.0, short_abandon_seconds: float = 5.0) -> list[Any]:
    """Every definition, one instance each, as the API lists them (a queue's own target and
    short-abandon threshold replace the defaults where a queue is asked about)."""
    return [
        ServiceLevel("genesys", target_seconds, short_abandon_seconds),
        ServiceLevel("genesys", target_seconds),
        ServiceLevel("asterisk_sl", target_seconds),
        ServiceLevel("asterisk_sl2", target_seconds),
        ServiceLevel("connect", target_seconds),
        ServiceLevel("genesys", target_seconds, short_abandon_seconds, clock="arrived"),
        AverageSpeedOfAnswer(),
        AverageHandleTime(),
        HandleTimePart("talk"),
        HandleTimePart("hold"),
        HandleTimePart("acw"),
        AbandonRate(),
        AbandonRate(short_abandon_seconds),
        ShortAbandons(short_abandon_seconds),
        ContactsHandled(),
        OffersNotTaken("expired"),
        OffersNotTaken("rejected"),
        Occupancy(),
        Utilisation(),
        FirstResponseTime(),
        NextResponseTime(),
        AverageResponseTime(),
        ResolutionTime(),
        FirstContactResolution("disposition"),
        FirstContactResolution("no_repeat"),
        CustomerSatisfaction(),
        CustomerEffort(),
        TransferRate(),
        CallbacksKept(),
        DialerDropRate(),
        *(SlaCompliance(t) for t in SLA_TARGETS),
        *(SlaBreaches(t) for t in SLA_TARGETS),
        CustomerEquity(),
        AverageCustomerValue(),
        ChurnRate(),
        RetentionRate(),
    ]
