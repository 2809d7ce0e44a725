"""Contact histories as the channels write them (created, queued, accepted, answered, held,
completed, wrap-up, disposition, survey, messages), drawn by any chooser: hypothesis in the
roll-up's property tests, a seeded random in bench/reports.py, so both write the same shapes."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
Step = tuple[str, float, dict[str, Any]]
WAYS = ("answered", "answered", "abandoned", "callback", "waiting", "ivr")


class Chooser(Protocol):
    """Where a history's choices come from."""

    def real(self, low: float, high: float) -> float: ...

    def integer(self, low: int, high: int) -> int: ...

    def pick(self, options: Sequence[T]) -> T: ...

    def coin(self) -> bool: ...


class Seeded:
    """Choices from a seeded random.Random: the same seed, the same histories."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def real(self, low: float, high: float) -> float:
        return self._random.uniform(low, high)

    def integer(self, low: int, high: int) -> int:
        return self._random.randint(low, high)

    def pick(self, options: Sequence[T]) -> T:
        return options[self._random.randrange(len(options))]

    def coin(self) -> bool:
        return self._random.random() < 0.5


@dataclass(frozen=True)
class History:
    """One contact's events: (type, seconds after the log's start, data); a step's "Q" data
    value is the contact's queue's id, filled in when it is written."""

    interaction_id: str
    channel: str
    queue: int  # an index into the writer's queues
    steps: tuple[Step, ...]


def contact_history(
    choose: Chooser, agents: int = 3, queues: int = 2, span: float = 7200.0, way: str | None = None
) -> History:
    """One contact arriving within `span` seconds of the start: answered (held, transferred,
    disposed, surveyed or not), abandoned, sent to a callback, still waiting, or IVR only."""
    channel = choose.pick(["voice", "chat"])
    arrived = round(choose.real(0, span), 3)
    ivr = choose.pick([0.0, 4.0, 30.0])
    wait = round(choose.real(0, 90), 3)
    way = way or choose.pick(WAYS)
    queue = choose.integer(0, queues - 1)
    agent = str(choose.integer(1, agents))
    q = arrived + ivr
    steps: list[Step] = [("created", arrived, {"channel": channel})]
    if way == "ivr":
        steps.append(("completed", arrived + ivr + 1, {}))
        return History(str(uuid.uuid4()), channel, queue, tuple(steps))
    steps.append(("queued", q, {"queue_id": "Q"}))
    if channel == "chat":
        steps.append(("message_in", q, {"by": "customer"}))
    if way == "abandoned":
        steps.append(("canceled", q + wait, {}))
    elif way == "callback":
        steps.append(("exited", q + wait, {"exit": "callback"}))
    elif way == "answered":
        steps.extend(_handled(choose, channel, q + wait, agent))
    return History(str(uuid.uuid4()), channel, queue, tuple(steps))


def _handled(choose: Chooser, channel: str, at: float, agent: str) -> list[Step]:
    talk = round(choose.real(5, 600), 3)
    steps: list[Step] = [("accepted", at, {"agent_id": agent})]
    connected = at + (3.0 if channel == "voice" else 0.0)
    if channel == "voice":
        steps.append(("answered", connected, {"agent_id": agent}))
    else:
        steps.append(("message_out", at + choose.pick([1.0, 12.5]), {"by": "agent"}))
    if choose.coin():
        steps.append(("held", connected + 2, {"role": "customer"}))
        steps.append(("unheld", connected + 4, {"role": "customer"}))
    end = connected + talk
    if choose.coin():
        steps.append(("transferred", end, {}))
        steps.append(("accepted", end + 1, {"agent_id": agent}))
        end += 30
    steps.append(("completed", end, {}))
    steps.append(("wrap_up", end, {"agent_id": agent, "ends_at": end + 20}))
    if choose.coin():
        resolved = choose.coin()
        steps.append(
            ("disposition", end + 8, {"code": "done", "agent_id": agent, "resolved": resolved})
        )
    if choose.coin():
        steps.append(("survey", end + 30, {"score": choose.integer(1, 5), "scale": 5}))
    return steps


def call(index: int) -> History:
    """A plain call, deterministic by index: most answered after a short wait, some abandoned."""
    arrived = float(index * 7 % 7200)
    wait = float(index % 45)
    steps: list[Step] = [
        ("created", arrived, {"channel": "voice"}),
        ("queued", arrived + 5, {"queue_id": "Q"}),
    ]
    if index % 5 == 0:
        steps.append(("canceled", arrived + 5 + wait, {}))
    else:
        agent = str(index % 3 + 1)
        at = arrived + 5 + wait
        steps += [
            ("accepted", at, {"agent_id": agent}),
            ("answered", at + 3, {"agent_id": agent}),
            ("completed", at + 120 + index % 200, {}),
            ("disposition", at + 140 + index % 200, {"code": "done", "agent_id": agent}),
        ]
    return History(str(uuid.UUID(int=index + 1)), "voice", index % 2, tuple(steps))
