"""The pacing model's tables: hazards given time ringing, agents freeing given time talking."""

from __future__ import annotations

import itertools
import json

import pytest

from routing.dialer.model import AttemptTiming, PacingModel, Prior, estimate

NO_PRIOR = Prior(weight=1e-9)


def sharp_model() -> PacingModel:
    """30% need an agent at exactly 12 s, the rest settle at 20 s; talk 100 s; wrap-up 10 s."""
    attempts = [AttemptTiming(12.0, 12.0)] * 3 + [AttemptTiming(None, 20.0)] * 7
    return estimate(attempts, [100.0] * 10, [10.0] * 10, NO_PRIOR)


def at(model: PacingModel, row: tuple[float, ...], t: int) -> float:
    return row[model.look_ahead.index(t)]


def test_a_new_call_needs_an_agent_as_often_and_as_late_as_recent_ones() -> None:
    """P(live) is 0.3, and none of it comes before 12 s."""
    model = sharp_model()
    assert model.live_probability == pytest.approx(0.3)
    new = model.call_row(0)
    assert at(model, new, 10) == pytest.approx(0.0)
    assert at(model, new, 12) == pytest.approx(0.3)


def test_the_hazard_is_conditioned_on_the_time_already_ringing() -> None:
    """Still unsettled after 13 s, a call can no longer be live (all live ones came at 12 s);
    after 5 s it still has the full 30%, due in 7 s."""
    model = sharp_model()
    assert at(model, model.call_row(13), 36) == pytest.approx(0.0)
    five = model.call_row(5)
    assert at(model, five, 6) == pytest.approx(0.0)
    assert at(model, five, 8) == pytest.approx(0.3)


def test_agents_free_after_their_remaining_talk_and_wrap_up() -> None:
    """Talking for 80 of 100 s with 10 s of wrap-up: free by 30 s from now, not by 28."""
    model = sharp_model()
    row = model.talk_row(80)
    assert at(model, row, 28) == pytest.approx(0.0)
    assert at(model, row, 32) == pytest.approx(1.0)
    wrap = model.wrap_row(4)  # 6 s of wrap-up left
    assert at(model, wrap, 5) == pytest.approx(0.0)
    assert at(model, wrap, 6) == pytest.approx(1.0)


def test_rows_never_decrease_along_the_look_ahead() -> None:
    """The chance to be free (or to need an agent) by t only grows with t."""
    model = estimate([], [], [])  # the prior alone
    for row in (model.talk_row(30), model.wrap_row(3), model.call_row(2)):
        assert all(b >= a - 1e-12 for a, b in itertools.pairwise(row))


def test_without_history_the_prior_is_used_and_history_outweighs_it() -> None:
    """No samples: the generic prior (25% live). 10,000 samples at 30%: close to 30%."""
    assert estimate([], [], []).live_probability == pytest.approx(0.25)
    attempts = [AttemptTiming(12.0, 12.0)] * 3000 + [AttemptTiming(None, 20.0)] * 7000
    assert estimate(attempts, [], []).live_probability == pytest.approx(0.3, abs=0.001)


def test_a_model_survives_the_log() -> None:
    """Written as JSON and read back, the model is the same, fingerprint included."""
    model = sharp_model()
    back = PacingModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert back == model
    assert back.fingerprint == model.fingerprint


def test_impossible_models_are_refused() -> None:
    """Cumulative tables must not decrease, and nobody is live without having settled."""
    with pytest.raises(ValueError, match="non-decreasing"):
        PacingModel((0.0, 0.2, 0.1), (0.0, 0.5, 0.6), (1.0,), (1.0,))
    with pytest.raises(ValueError, match="settled"):
        PacingModel((0.0, 0.5), (0.0, 0.4), (1.0,), (1.0,))
    with pytest.raises(ValueError, match="settles"):
        AttemptTiming(5.0, 6.0)


def test_talks_still_going_count_as_censored() -> None:
    """Early in a campaign the short calls finish first: 10 done at 30 s while 90 are still
    talking at 100 s means most talks last over a minute, not that all end by 30 s."""
    naive = estimate([], [30.0] * 10, [], NO_PRIOR)
    censored = estimate([], [30.0] * 10, [], NO_PRIOR, talking=[100.0] * 90)
    assert naive.talk_survival[60] == pytest.approx(0.0)
    assert censored.talk_survival[60] == pytest.approx(0.9)


def test_calls_still_ringing_count_as_censored() -> None:
    """Busy signals settle in seconds; calls still ringing at 10 s must not be read as
    never live: with 50 ringing, the live chance is not driven to zero."""
    busy = [AttemptTiming(None, 3.0)] * 50
    live = [AttemptTiming(15.0, 15.0)] * 5
    naive = estimate(busy + live, [], [], NO_PRIOR)
    censored = estimate(busy + live, [], [], NO_PRIOR, ringing=[10.0] * 50)
    assert naive.live_probability == pytest.approx(5 / 55)
    assert censored.live_probability > naive.live_probability
