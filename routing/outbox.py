"""The router's outbox entries as data: each decided effect with when it was decided and its trace.

The router writes them with to_wire(); its publishers read them once, with decode_entry().
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from routing import effects as fx


@dataclass(frozen=True)
class Delivery:
    """One decision as the publishers hand it to their sinks.

    id: "<outbox entry id>:<index in the entry>", the key of every idempotent write a sink makes;
    the index counts every effect of the entry, read or not, so ids never shift between versions.
    """

    id: str
    at: float
    effect: fx.Effect
    trace: list[dict[str, Any]]


Entry = tuple[str, list[Delivery]]  # (outbox entry id, its deliveries)


def to_wire(at: float, effect: fx.Effect, trace: list[dict[str, Any]]) -> dict[str, Any]:
    """One delivery of an outbox entry's "effects" list, as JSON-ready data."""
    return {"at": at, "effect": effect.to_dict(), "trace": trace}


def decode_entry(entry_id: str, effects_json: str) -> tuple[list[Delivery], list[str]]:
    """An outbox entry's deliveries, and what could not be read in it (one line each).

    An effect this version cannot read (an unknown kind, a missing field) is left out and named
    in the problems; the others are delivered: one bad effect never holds up the rest.
    """
    try:
        items = json.loads(effects_json)
    except ValueError as exc:
        return [], [f"outbox entry {entry_id} is not JSON: {exc}"]
    if not isinstance(items, list):
        return [], [f"outbox entry {entry_id} is not a list of deliveries"]
    deliveries: list[Delivery] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        delivery_id = f"{entry_id}:{index}"
        try:
            deliveries.append(_delivery(delivery_id, item))
        except (ValueError, TypeError, KeyError) as exc:
            problems.append(f"delivery {delivery_id} skipped: {exc}")
    return deliveries, problems


def _delivery(delivery_id: str, item: Any) -> Delivery:
    if not isinstance(item, dict) or not isinstance(item.get("effect"), dict):
        raise ValueError("not a delivery (at, effect, trace)")
    at = item["at"]
    if isinstance(at, bool) or not isinstance(at, int | float):
        raise ValueError(f"its time is not a number: {at!r}")
    trace = item.get("trace") or []
    if not isinstance(trace, list):
        raise ValueError("its trace is not a list")
    return Delivery(delivery_id, float(at), fx.from_dict(item["effect"]), trace)
