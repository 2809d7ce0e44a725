"""SLA metric definitions computed on hand-made contact records."""

from __future__ import annotations

import pytest

from routing.metrics import (
    AbandonRate,
    AgentTime,
    AverageHandleTime,
    AverageSpeedOfAnswer,
    ContactOutcome,
    ContactsHandled,
    CustomerSatisfaction,
    DialAttempt,
    DialerDropRate,
    FirstResponseTime,
    Handling,
    Occupancy,
    Offer,
    OffersNotTaken,
    ServiceLevel,
)


def answered(cid: str, wait: float, **kw) -> ContactOutcome:
    return ContactOutcome(cid, queued_at=100.0, answered_at=100.0 + wait, **kw)


def abandoned(cid: str, wait: float) -> ContactOutcome:
    return ContactOutcome(cid, queued_at=100.0, abandoned_at=100.0 + wait)


# Answered at 5, 15, 30 s; abandoned at 3 (short), 10, 40 s; a callback at 12 s; one still queued.
DAY = [
    answered("a1", 5),
    answered("a2", 15),
    answered("a3", 30),
    abandoned("x1", 3),
    abandoned("x2", 10),
    abandoned("x3", 40),
    ContactOutcome("cb", queued_at=100.0, callback_at=112.0),
    ContactOutcome("q", queued_at=100.0),
]


def test_asterisk_sl_is_answered_within_target_over_answered():
    """asterisk_sl: answered within T / answered (abandons ignored)."""
    assert ServiceLevel("asterisk_sl", 20).compute(DAY) == pytest.approx(2 / 3)


def test_asterisk_sl2_counts_abandons_within_target_as_met():
    """asterisk_sl2: (answered + abandoned within T) / (answered + abandoned)."""
    assert ServiceLevel("asterisk_sl2", 20).compute(DAY) == pytest.approx(4 / 6)


def test_connect_sl_is_left_queue_within_target_over_queued():
    """connect: left within T (answered, abandoned or callback) / queued, still-queued included."""
    assert ServiceLevel("connect", 20).compute(DAY) == pytest.approx(5 / 8)


def test_genesys_sl_is_answered_within_target_over_offered():
    """genesys: answered within T / (answered + abandoned)."""
    assert ServiceLevel("genesys", 20).compute(DAY) == pytest.approx(2 / 6)


def test_genesys_sl_can_exclude_short_abandons():
    """genesys with a 5 s short-abandon threshold drops the 3 s abandon from the denominator."""
    assert ServiceLevel("genesys", 20, short_abandon_seconds=5).compute(DAY) == pytest.approx(2 / 5)


def test_service_level_label_names_target_and_exclusion():
    """The UI label states the formula, the target and the short-abandon exclusion."""
    label = ServiceLevel("genesys", 20, short_abandon_seconds=5).label
    assert label == (
        "Service level: answered within 20 s / offered (answered + abandoned), "
        "short abandons under 5 s excluded"
    )


def test_service_level_ids_are_named_and_versioned():
    """Each variant has a stable id and a version number."""
    sl = ServiceLevel("connect")
    assert (sl.id, sl.version) == ("service_level.connect", 1)


def test_short_abandon_exclusion_only_for_genesys():
    """Only the Genesys variant defines a short-abandon exclusion; others refuse it."""
    with pytest.raises(ValueError, match="short-abandon exclusion"):
        ServiceLevel("asterisk_sl", short_abandon_seconds=5)


def test_asa_is_mean_wait_of_answered():
    """ASA is the mean enqueue -> answer time over answered contacts."""
    assert AverageSpeedOfAnswer().compute(DAY) == pytest.approx((5 + 15 + 30) / 3)


def test_asa_counts_answer_at_time_zero():
    """A contact answered at t = 0 still counts (zero is a time, not 'missing')."""
    record = ContactOutcome("z", queued_at=0.0, answered_at=0.0)
    assert AverageSpeedOfAnswer().compute([record]) == 0.0


def test_abandon_rate_excludes_callbacks_from_abandons():
    """Abandon rate: abandoned / queued; a callback is queued but not abandoned."""
    assert AbandonRate().compute(DAY) == pytest.approx(3 / 8)


def test_abandon_rate_can_exclude_short_abandons():
    """Short abandons (< N s) leave both numerator and denominator."""
    assert AbandonRate(short_abandon_seconds=5).compute(DAY) == pytest.approx(2 / 7)


def test_aht_is_talk_hold_and_acw():
    """AHT is the mean of talk + hold + after-call work over handled contacts."""
    rows = [
        answered("a", 1, ended_at=300.0, talk_seconds=100, hold_seconds=20, acw_seconds=30),
        answered("b", 1, ended_at=400.0, talk_seconds=200, hold_seconds=0, acw_seconds=50),
        abandoned("c", 4),
    ]
    assert AverageHandleTime().compute(rows) == pytest.approx(200.0)


def test_aht_leaves_out_contacts_still_in_progress():
    """A contact answered but not ended has no handle time yet: it is not averaged as 0."""
    rows = [
        answered("done", 1, ended_at=200.0, talk_seconds=90, acw_seconds=30),
        answered("live", 1, talk_seconds=0),
    ]
    assert AverageHandleTime().compute(rows) == pytest.approx(120.0)


def test_handling_splits_talk_hold_and_acw():
    """Connected 10, held 40-60, ended 130, disposed 160: talk 100, hold 20, after-call work 30."""
    handling = Handling(
        connected_at=10.0, ended_at=130.0, holds=((40.0, 60.0),), acw_ended_at=160.0
    )
    assert (handling.talk_seconds, handling.hold_seconds, handling.acw_seconds) == (100, 20, 30)


def test_handling_counts_holds_only_while_the_contact_lasts():
    """A hold still open when the contact ends counts up to the end, not beyond."""
    handling = Handling(connected_at=0.0, ended_at=100.0, holds=((90.0, 150.0),))
    assert (handling.talk_seconds, handling.hold_seconds, handling.acw_seconds) == (90, 10, 0)


def test_handling_without_acw_end_has_no_after_call_work():
    """With no disposition and no wrap-up timer, after-call work is zero, never negative."""
    assert Handling(connected_at=0.0, ended_at=60.0).acw_seconds == 0.0
    assert Handling(connected_at=0.0, ended_at=60.0, acw_ended_at=50.0).acw_seconds == 0.0


def test_handling_refuses_an_end_before_the_connection():
    """A contact cannot end before its agent connected."""
    with pytest.raises(ValueError, match="before its agent connected"):
        Handling(connected_at=10.0, ended_at=5.0)


def test_handled_counts_answered_contacts_that_ended():
    """Handled = answered and ended; abandoned and in-progress contacts are not handled."""
    rows = [answered("a", 1, ended_at=200.0), answered("live", 1), abandoned("x", 4)]
    assert ContactsHandled().compute(rows) == 1
    assert ContactsHandled().compute([]) == 0


def test_offers_not_taken_count_missed_and_rejected_apart():
    """Missed = offers that expired; rejected = offers declined; accepted offers are neither."""
    offers = [Offer("7", "expired"), Offer("7", "expired"), Offer("7", "rejected")]
    offers.append(Offer("7", "accepted"))
    missed, rejected = OffersNotTaken("expired"), OffersNotTaken("rejected")
    assert (missed.compute(offers), rejected.compute(offers)) == (2, 1)
    assert (missed.id, rejected.id) == ("offers.missed", "offers.rejected")


def test_occupancy_is_contact_time_over_contact_plus_idle():
    """Occupancy sums agents: contact time / (contact + available idle)."""
    rows = [AgentTime("a", 1800, 600), AgentTime("b", 1200, 1200)]
    assert Occupancy().compute(rows) == pytest.approx(3000 / 4800)


def test_average_response_time_worked_example():
    """DOMAIN.md worked example: responses of 10, 20, 5 and 7 minutes average 10.5 minutes."""
    rows = [
        ContactOutcome(
            f"e{m}", channel="email", customer_message_at=0.0, first_human_reply_at=m * 60.0
        )
        for m in (10, 20, 5, 7)
    ]
    frt = FirstResponseTime()
    assert frt.compute(rows) == pytest.approx(10.5 * 60)


def test_first_response_time_filters_channel_and_uses_business_clock():
    """FRT can be limited to a channel and measured with a business-hours clock."""
    rows = [
        ContactOutcome("c", channel="chat", customer_message_at=0.0, first_human_reply_at=30.0),
        ContactOutcome("e", channel="email", customer_message_at=0.0, first_human_reply_at=900.0),
    ]
    assert FirstResponseTime(channel="chat").compute(rows) == pytest.approx(30.0)
    half = FirstResponseTime(channel="email", elapsed=lambda s, e: (e - s) / 2)
    assert half.compute(rows) == pytest.approx(450.0)
    assert "business-hours" in half.label


def test_csat_is_share_of_four_and_five():
    """CSAT = ratings 4-5 / all ratings; unrated contacts are ignored."""
    rows = [ContactOutcome(str(i), csat=r) for i, r in enumerate([5, 4, 3, 1, None])]
    assert CustomerSatisfaction().compute(rows) == pytest.approx(2 / 4)


def test_csat_counts_four_and_five_as_satisfied():
    """Of the 1-5 scale only 4 and 5 count towards CSAT."""
    assert [s for s in range(1, 6) if CustomerSatisfaction().satisfied(s)] == [4, 5]


def test_csat_rejects_out_of_scale_rating():
    """A rating outside 1-5 is refused at the record."""
    with pytest.raises(ValueError, match="csat must be 1-5"):
        ContactOutcome("x", csat=6)


def test_dialer_drop_rate_excludes_machines():
    """Drop rate: live answers without an agent within 2 s / live answers; machines excluded."""
    rows = [
        DialAttempt("c1", "human", greeting_ended_at=10.0, agent_connected_at=11.5),
        DialAttempt("c1", "human", greeting_ended_at=10.0, agent_connected_at=12.5),
        DialAttempt("c1", "human", greeting_ended_at=10.0),
        DialAttempt("c1", "machine", greeting_ended_at=10.0),
        DialAttempt("c2", "human", greeting_ended_at=10.0, agent_connected_at=10.2),
        DialAttempt("c2", "none"),
    ]
    drop = DialerDropRate()
    assert drop.per_campaign(rows) == {"c1": pytest.approx(2 / 3), "c2": 0.0}


@pytest.mark.parametrize(
    "definition",
    [
        ServiceLevel("asterisk_sl"),
        ServiceLevel("asterisk_sl2"),
        ServiceLevel("connect"),
        ServiceLevel("genesys", short_abandon_seconds=5),
        AverageSpeedOfAnswer(),
        AbandonRate(),
        AverageHandleTime(),
        FirstResponseTime(),
        CustomerSatisfaction(),
    ],
)
def test_empty_input_is_none(definition):
    """No contacts means no figure (None), never 0 and never a crash."""
    assert definition.compute([]) is None


def test_empty_agent_and_dial_input_is_none():
    """Occupancy without agent time and drop rate without live answers are None."""
    assert Occupancy().compute([]) is None
    assert DialerDropRate().compute([DialAttempt("c", "machine")]) is None


def test_record_refuses_two_ways_out_of_the_queue():
    """A contact leaves the queue once: answered and abandoned together is refused."""
    with pytest.raises(ValueError, match="only one of"):
        ContactOutcome("x", queued_at=0.0, answered_at=5.0, abandoned_at=6.0)
