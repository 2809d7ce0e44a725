"""Erlang B, C and A: queueing formulas for staffing a contact-centre queue.

Pure functions of offered load (Erlangs), agents, AHT and answer target; see DOMAIN.md §3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Bound on the truncated queue so a mistyped input fails fast instead of looping for minutes.
_MAX_QUEUE = 200_000


def offered_load(arrival_rate: float, aht_seconds: float) -> float:
    """Offered load A in Erlangs = arrivals per second x average handle time in seconds."""
    _positive("arrival_rate", arrival_rate)
    _positive("aht_seconds", aht_seconds)
    return arrival_rate * aht_seconds


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of M/M/N/N by the stable recursion B(k) = A·B(k-1)/(k + A·B(k-1))."""
    _agents(agents)
    _positive("load", load)
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(agents: int, load: float) -> float:
    """Probability that a caller waits (M/M/N): C = N·B / (N - A·(1 - B)); needs N > A."""
    _stable(agents, load)
    blocking = erlang_b(agents, load)
    return agents * blocking / (agents - load * (1.0 - blocking))


def service_level(agents: int, load: float, aht_seconds: float, target_seconds: float) -> float:
    """Share of callers answered within the target: 1 - C·exp(-(N - A)·T / AHT)."""
    _positive("aht_seconds", aht_seconds)
    _non_negative("target_seconds", target_seconds)
    p_wait = erlang_c(agents, load)
    return 1.0 - p_wait * math.exp(-(agents - load) * target_seconds / aht_seconds)


def average_speed_of_answer(agents: int, load: float, aht_seconds: float) -> float:
    """Mean wait over all callers (those answered at once count 0 s): C·AHT / (N - A)."""
    _positive("aht_seconds", aht_seconds)
    return erlang_c(agents, load) * aht_seconds / (agents - load)


def occupancy(agents: int, load: float) -> float:
    """Share of agent time spent on contacts: A / N (every offered call is served in M/M/N)."""
    _stable(agents, load)
    return load / agents


def agents_needed(
    load: float,
    aht_seconds: float,
    target_seconds: float,
    service_level_target: float,
    max_occupancy: float | None = None,
) -> int:
    """Smallest N > A meeting the service-level target and, if given, the occupancy cap."""
    _positive("load", load)
    if not 0.0 < service_level_target < 1.0:
        raise ValueError(
            f"service_level_target must be a fraction in (0, 1), got {service_level_target}"
        )
    if max_occupancy is not None and not 0.0 < max_occupancy <= 1.0:
        raise ValueError(f"max_occupancy must be a fraction in (0, 1], got {max_occupancy}")
    agents = math.floor(load) + 1
    # SL rises monotonically in N and reaches any target < 1, so the search terminates.
    while service_level(agents, load, aht_seconds, target_seconds) < service_level_target or (
        max_occupancy is not None and load / agents > max_occupancy
    ):
        agents += 1
    return agents


@dataclass(frozen=True)
class ErlangA:
    """Steady state of M/M/N+M (exponential patience): what a caller experiences on arrival.

    service_level counts answered within the target over all offered (abandons are failures);
    asa is the mean wait of answered callers; mean_wait is over every caller, abandoned included.
    """

    p_wait: float
    p_abandon: float
    service_level: float
    asa: float
    mean_wait: float


def erlang_a(
    agents: int,
    arrival_rate: float,
    aht_seconds: float,
    mean_patience_seconds: float,
    target_seconds: float,
    *,
    tolerance: float = 1e-15,
) -> ErlangA:
    """Erlang A from the birth-death chain of callers in system, truncated where π is negligible.

    State k (callers in system) dies at min(k, N)·μ + max(k - N, 0)·θ. With patience the chain is
    stable at any load, and the tail falls faster than geometrically once (k - N)·θ > λ, so
    cutting at relative mass `tolerance` is exact to double precision. A caller arriving to find
    i callers waiting (PASTA) reaches an agent after i + 1 moves of a pure-death chain with rates
    Nμ + jθ while abandoning at rate θ; answered-within-T comes from that chain by uniformization.
    """
    _agents(agents)
    _positive("arrival_rate", arrival_rate)
    _positive("aht_seconds", aht_seconds)
    _positive("mean_patience_seconds", mean_patience_seconds)
    _non_negative("target_seconds", target_seconds)
    service_rate, abandon_rate = 1.0 / aht_seconds, 1.0 / mean_patience_seconds
    full = agents * service_rate

    # Unnormalised π_k for k < N (agents free) and q_i = π_{N+i} (i callers waiting).
    term, below = 1.0, 0.0
    for k in range(agents):
        below += term
        term *= arrival_rate / ((k + 1) * service_rate)
    waiting, mass = [term], below + term
    while True:
        ratio = arrival_rate / (full + len(waiting) * abandon_rate)
        term *= ratio
        # Once the ratio is below 1 it only falls, so the rest of the tail is below a geometric
        # series: stop when that bound is negligible (this also caps long patience near Erlang C).
        if ratio < 1.0 and term / (1.0 - ratio) < tolerance * mass:
            break
        if len(waiting) >= _MAX_QUEUE:
            raise ValueError(
                f"queue too long to truncate (over {_MAX_QUEUE} callers waiting): the load far "
                "exceeds the agents and the patience is long; check arrival_rate and patience"
            )
        waiting.append(term)
        mass += term
    total = below + sum(waiting)
    probs = [q / total for q in waiting]

    p_wait = sum(probs)
    mean_queue = sum(i * p for i, p in enumerate(probs))
    # Little: abandons per second = θ·E[queue]; mean wait of all callers = E[queue] / λ.
    p_abandon = abandon_rate * mean_queue / arrival_rate
    mean_wait = mean_queue / arrival_rate

    answered_wait, answered_waiting = 0.0, 0.0
    time_if_answered, p_answer = 0.0, 0.0
    for i, p in enumerate(probs):
        out = full + (i + 1) * abandon_rate
        # p_answer(i) telescopes to Nμ / (Nμ + (i + 1)θ); time_if_answered is E[W·1{answered}].
        time_if_answered = (full / out) * (1.0 / out) + ((full + i * abandon_rate) / out) * (
            time_if_answered if i else 0.0
        )
        p_answer = full / out
        answered_wait += p * time_if_answered
        answered_waiting += p * p_answer
    p_answered = (1.0 - p_wait) + answered_waiting
    asa = answered_wait / p_answered
    within = _answered_within(probs, full, abandon_rate, target_seconds)
    return ErlangA(
        p_wait=p_wait,
        p_abandon=p_abandon,
        service_level=(1.0 - p_wait) + within,
        asa=asa,
        mean_wait=mean_wait,
    )


def _answered_within(probs: list[float], full: float, theta: float, target: float) -> float:
    """P(caller waits, then is answered within target), uniformizing the tagged caller's chain."""
    if target == 0.0:
        return 0.0
    # State i = callers ahead; it moves to i - 1 (or to "answered" from 0) at Nμ + iθ and the
    # tagged caller abandons at θ. Uniformize at the largest total rate.
    top = len(probs)
    uniform = full + top * theta
    mean_jumps = uniform * target
    mass = list(probs)
    answered = 0.0
    result = 0.0
    jumps = 0
    limit = int(mean_jumps + 12.0 * math.sqrt(mean_jumps) + 30.0)
    log_mean = math.log(mean_jumps)
    while jumps <= limit:
        weight = math.exp(-mean_jumps + jumps * log_mean - math.lgamma(jumps + 1))
        result += weight * answered
        answered += mass[0] * full / uniform
        nxt = [0.0] * top
        for i in range(top):
            stay = 1.0 - (full + (i + 1) * theta) / uniform
            nxt[i] += mass[i] * stay
            if i:
                nxt[i - 1] += mass[i] * (full + i * theta) / uniform
        mass = nxt
        jumps += 1
    return result


def _agents(agents: int) -> None:
    if agents < 1:
        raise ValueError(f"agents must be a positive whole number, got {agents}")


def _positive(name: str, value: float) -> None:
    if not value > 0.0 or math.isinf(value):
        raise ValueError(f"{name} must be a positive finite number, got {value}")


def _non_negative(name: str, value: float) -> None:
    if not value >= 0.0 or math.isinf(value):
        raise ValueError(f"{name} must be zero or a positive finite number, got {value}")


def _stable(agents: int, load: float) -> None:
    _agents(agents)
    _positive("load", load)
    if agents <= load:
        raise ValueError(
            f"agents ({agents}) must exceed the offered load ({load:.4g} Erlangs) for Erlang C: "
            "with N <= A the queue grows without bound; add agents or use erlang_a"
        )
