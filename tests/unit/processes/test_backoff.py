"""The launcher's restart delays: exponential, capped, and reset by a long enough run."""

from __future__ import annotations

import pytest

from contactcentre.processes.backoff import RestartBackoff


def test_delays_double_up_to_the_cap() -> None:
    """A process that keeps crashing at once waits 1, 2, 4, 8, 16 s, then 30 s each time."""
    backoff = RestartBackoff()
    assert [backoff.delay(ran_for=0.5) for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_long_run_resets_the_delay() -> None:
    """A process that stayed up past stable_after is restarted after the initial delay again."""
    backoff = RestartBackoff(stable_after=60)
    for _ in range(5):
        backoff.delay(ran_for=1)
    assert backoff.delay(ran_for=59) == 30  # just short of stable: still backing off
    assert backoff.delay(ran_for=60) == 1
    assert backoff.delay(ran_for=1) == 2


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [({"initial": 0}, "initial"), ({"factor": 0.5}, "factor"), ({"maximum": 0.5}, "maximum")],
)
def test_bad_settings_are_refused(kwargs: dict[str, float], word: str) -> None:
    """A backoff that could spin or shrink fails at construction, naming the setting."""
    with pytest.raises(ValueError, match=word):
        RestartBackoff(**kwargs)
