"""VICIdial's adaptive dial level as AST_VDadapt.pl computes it, and its auto-dial lines."""

from __future__ import annotations

import pytest

from routing.dialer.adaptive import AdaptiveDialLevel, AdaptMethod, DropStats

QUIET = DropStats()


def seconds(
    level: AdaptiveDialLevel,
    n: int,
    *,
    ready: int,
    waiting: int,
    signed_in: int,
    drops: DropStats = QUIET,
) -> None:
    for _ in range(n):
        level.second(ready, waiting, signed_in, drops)


def test_ready_agents_raise_the_level_every_15_seconds() -> None:
    """All 10 agents ready for 15 s: level x (1 + 10/10), so 1.0 becomes 2.0; then 3.0 (cap)."""
    level = AdaptiveDialLevel()
    seconds(level, 14, ready=10, waiting=0, signed_in=10)
    assert level.level == 1.0
    seconds(level, 1, ready=10, waiting=0, signed_in=10)
    assert level.level == 2.0
    seconds(level, 15, ready=10, waiting=0, signed_in=10)
    assert level.level == 3.0  # 4.0 capped at the maximum level


def test_waiting_calls_lower_the_level_but_never_under_one() -> None:
    """2 ready and 4 calls waiting among 10 agents: x (1 - 0.2); never below 1.0."""
    level = AdaptiveDialLevel(level=2.5)
    seconds(level, 15, ready=2, waiting=4, signed_in=10)
    assert level.level == pytest.approx(2.0)
    seconds(level, 15 * 10, ready=0, waiting=10, signed_in=10)
    assert level.level == 1.0


def test_intensity_raises_faster_and_lowers_slower() -> None:
    """Intensity +10: a 50% raise becomes 55%, a 20% cut becomes 18%."""
    up = AdaptiveDialLevel(level=1.0, intensity=10)
    seconds(up, 15, ready=5, waiting=0, signed_in=10)
    assert up.level == pytest.approx(1.55)
    down = AdaptiveDialLevel(level=2.0, intensity=10)
    seconds(down, 15, ready=0, waiting=2, signed_in=10)
    assert down.level == pytest.approx(2.0 * (1 - 0.2 * 0.9))


def test_over_the_drop_limit_today_hard_limit_sets_one() -> None:
    """Over 50 calls today and drops above 3% of answers: ADAPT_HARD_LIMIT goes to 1.0."""
    over = DropStats(calls_today=200, answers_today=60, drops_today=3)
    level = AdaptiveDialLevel(level=3.0)
    seconds(level, 15, ready=5, waiting=0, signed_in=10, drops=over)
    assert level.level == 1.0


def test_over_the_drop_limit_today_average_halves() -> None:
    """ADAPT_AVERAGE halves the level it would have set instead (3.0 capped, then 1.5)."""
    over = DropStats(calls_today=200, answers_today=60, drops_today=3)
    level = AdaptiveDialLevel(method=AdaptMethod.AVERAGE, level=3.0)
    seconds(level, 15, ready=5, waiting=0, signed_in=10, drops=over)
    assert level.level == pytest.approx(1.5)


def test_few_calls_today_do_not_trigger_the_drop_rule() -> None:
    """At 50 calls or fewer the day's drop rate is not acted on."""
    early = DropStats(calls_today=50, answers_today=10, drops_today=5)
    level = AdaptiveDialLevel(level=2.0)
    seconds(level, 15, ready=0, waiting=0, signed_in=10, drops=early)
    assert level.level == 2.0


def test_a_bad_minute_halves_the_level() -> None:
    """Over 20 calls in the last minute and over half of its answers dropped: halved."""
    minute = DropStats(calls_one=30, answers_one=10, drops_one=6, calls_today=30)
    level = AdaptiveDialLevel(level=3.0)
    seconds(level, 15, ready=0, waiting=0, signed_in=10, drops=minute)
    assert level.level == 1.5


def test_drop_figures_are_refreshed_once_a_minute() -> None:
    """Figures passed between refreshes are not seen until the next minute."""
    over = DropStats(calls_today=200, answers_today=60, drops_today=3)
    level = AdaptiveDialLevel(level=2.0)
    seconds(level, 1, ready=0, waiting=0, signed_in=10)  # second 0 reads the quiet figures
    seconds(level, 14, ready=0, waiting=0, signed_in=10, drops=over)
    assert level.level == 2.0
    seconds(level, 60, ready=0, waiting=0, signed_in=10, drops=over)
    assert level.level == 1.0


def test_the_auto_dialer_keeps_level_times_active_agents_lines() -> None:
    """Level 2.5 with 10 active agents: 25 lines; 18 in use means 7 calls; never negative."""
    level = AdaptiveDialLevel(level=2.5)
    assert level.calls_to_place(active_agents=10, lines_in_use=18) == 7
    assert level.calls_to_place(active_agents=10, lines_in_use=30) == 0
