"""Builders of dial attempt records for the dialer's unit tests (times in UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.dialer.attempts import CallResult, DialAttemptRecord

T0 = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)  # a Monday, 11:00 in New York


def at(seconds: float = 0.0, base: datetime = T0) -> datetime:
    return base + timedelta(seconds=seconds)


_counter = iter(range(1, 10**9))


def attempt(
    result: CallResult = CallResult.NO_ANSWER,
    *,
    placed: datetime = T0,
    campaign_id: str = "c1",
    lead_id: str = "l1",
    number: str = "+12125550100",
    connect_after_greeting: float | None = None,
    ended_after: float = 30.0,
    **fields: object,
) -> DialAttemptRecord:
    """An attempt placed at `placed`; a live one answered 10 s later, its greeting ending 1 s
    after that, and (when connect_after_greeting is given) an agent that many seconds on."""
    answered = greeting = connected = None
    if result in (CallResult.HUMAN, CallResult.MACHINE):
        answered = placed + timedelta(seconds=10)
    if result is CallResult.HUMAN:
        greeting = answered + timedelta(seconds=1) if answered else None
        if connect_after_greeting is not None and greeting is not None:
            connected = greeting + timedelta(seconds=connect_after_greeting)
    defaults: dict[str, object] = {
        "answered_at": answered,
        "greeting_ended_at": greeting,
        "agent_connected_at": connected,
        "ended_at": placed + timedelta(seconds=ended_after),
    }
    defaults.update(fields)
    return DialAttemptRecord(
        attempt_id=f"a{next(_counter)}",
        campaign_id=campaign_id,
        lead_id=lead_id,
        number=number,
        placed_at=placed,
        result=result,
        **defaults,  # type: ignore[arg-type]
    )
