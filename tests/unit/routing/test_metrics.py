"""SLA metric definitions computed on hand-made contact records."""

from __future__ import annotations

import pytest

from routing.metrics import (
    AbandonRate,
    AgentTime,
    AverageHandleTime,
    AverageResponseTime,
    AverageSpeedOfAnswer,
    CallbacksKept,
    ContactOutcome,
    ContactsHandled,
    CustomerEffort,
    CustomerSatisfaction,
    DialAttempt,
    DialerDropRate,
    FirstContactResolution,
    FirstResponseTime,
    HandleTimePart,
    Handling,
    NextResponseTime,
    Occupancy,
    Offer,
    OffersNotTaken,
    ResolutionTime,
    ServiceLevel,
    ShortAbandons,
    Tally,
    TransferRate,
    Utilisation,
    catalogue,
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


def test_service_level_clock_can_start_at_arrival():
    """With the clock from arrival, IVR seconds count against the answer target."""
    row = ContactOutcome("a", arrived_at=0.0, queued_at=15.0, answered_at=30.0)
    assert ServiceLevel("genesys", 20).compute([row]) == 1.0
    arrived = ServiceLevel("genesys", 20, clock="arrived")
    assert arrived.compute([row]) == 0.0
    assert "clock from arrival" in arrived.label


def test_service_level_by_queue_uses_each_queues_target():
    """Per-queue targets: the same wait meets a 30 s target and misses a 10 s one."""
    rows = [
        ContactOutcome("a", queue_id="q1", queued_at=0.0, answered_at=20.0),
        ContactOutcome("b", queue_id="q2", queued_at=0.0, answered_at=20.0),
    ]
    targets = {"q1": ServiceLevel("genesys", 30), "q2": ServiceLevel("genesys", 10)}
    assert ServiceLevel().by_queue(rows, targets) == {"q1": 1.0, "q2": 0.0}


def test_short_abandons_are_counted_under_the_threshold():
    """Short abandons: of DAY's abandons at 3, 10 and 40 s, one is under 5 s."""
    assert ShortAbandons(5).compute(DAY) == 1
    assert ShortAbandons(5).compute([]) == 0


def test_handle_time_parts_add_up_to_aht():
    """Talk, hold and after-call work averaged apart add up to AHT."""
    rows = [
        ContactOutcome(
            "a", queued_at=0, answered_at=1, ended_at=200, talk_seconds=100, hold_seconds=20,
            acw_seconds=30,
        ),
        ContactOutcome("b", queued_at=0, answered_at=1, ended_at=200, talk_seconds=60),
    ]  # fmt: skip
    parts = [HandleTimePart(p).compute(rows) for p in ("talk", "hold", "acw")]
    assert parts == [80.0, 10.0, 15.0]
    assert AverageHandleTime().compute(rows) == pytest.approx(sum(parts))


def test_occupancy_worked_example_from_erlang_reference():
    """DOMAIN.md §3: 100 calls per 30 min at AHT 180 s on 14 agents is occupancy 0.7143."""
    busy = 100 * 180.0
    rows = [AgentTime(str(i), busy / 14, 1800 - busy / 14) for i in range(14)]
    assert Occupancy().compute(rows) == pytest.approx(0.7143, abs=1e-4)


def test_utilisation_counts_breaks_in_its_denominator():
    """Utilisation: 3000 s on contacts of 3000 + 1800 idle + 1200 break = 50%; occupancy 62.5%."""
    rows = [AgentTime("a", 3000, 1800, away_seconds=1200)]
    assert Utilisation().compute(rows) == pytest.approx(0.5)
    assert Occupancy().compute(rows) == pytest.approx(0.625)
    assert Utilisation().compute([AgentTime("a", 0, 0)]) is None


def test_next_and_average_response_times_worked_example():
    """DOMAIN.md: replies after 10, 20, 5 and 7 minutes average 10.5 min; the first is FRT."""
    pairs = tuple((i * 3600.0, i * 3600.0 + m * 60) for i, m in enumerate((10, 20, 5, 7)))
    row = ContactOutcome("e", channel="email", responses=pairs)
    assert AverageResponseTime().compute([row]) == pytest.approx(10.5 * 60)
    assert FirstResponseTime().compute([row]) == pytest.approx(10 * 60)
    assert NextResponseTime().compute([row]) == pytest.approx((20 + 5 + 7) / 3 * 60)
    assert NextResponseTime(channel="chat").compute([row]) is None


def test_resolution_time_runs_from_arrival_to_the_end():
    """Resolution time: arrival to end of the contact, handled contacts only, per channel."""
    rows = [
        ContactOutcome("a", "q", "email", arrived_at=0, queued_at=5, answered_at=60, ended_at=3600),
        ContactOutcome("b", "q", "email", arrived_at=0, queued_at=5, abandoned_at=60),
        ContactOutcome("c", "q", "chat", arrived_at=0, queued_at=0, answered_at=6, ended_at=600),
    ]
    assert ResolutionTime(channel="email").compute(rows) == pytest.approx(3600)
    assert ResolutionTime().compute(rows) == pytest.approx(2100)


def _handled(cid: str, **kw) -> ContactOutcome:
    return ContactOutcome(cid, queued_at=0.0, answered_at=5.0, ended_at=100.0, **kw)


def test_fcr_by_disposition_excludes_transferred_contacts():
    """FCR (disposition): resolving code and no transfer / dispositioned contacts: 1 of 3."""
    rows = [
        _handled("a", resolved=True),
        _handled("b", resolved=True, transferred=True),
        _handled("c", resolved=False),
        _handled("d"),  # no disposition: not in the denominator
    ]
    assert FirstContactResolution("disposition").compute(rows) == pytest.approx(1 / 3)


def test_fcr_by_no_repeat_looks_a_window_ahead():
    """FCR (no repeat): a customer back within 7 days was not resolved; open windows wait."""
    day = 86400.0
    rows = [
        _handled("a", customer_id="c1", arrived_at=0.0),
        ContactOutcome("a2", customer_id="c1", arrived_at=3 * day),  # the repeat
        _handled("b", customer_id="c2", arrived_at=0.0),
        _handled("c", customer_id="c3", arrived_at=9 * day),  # window still open at day 10
        _handled("d", arrived_at=0.0),  # unknown customer: cannot tell
    ]
    fcr = FirstContactResolution("no_repeat")
    assert fcr.compute(rows, as_of=10 * day) == pytest.approx(1 / 2)
    with pytest.raises(ValueError, match="look"):
        fcr.of_tally(Tally())


def test_ces_is_a_mean_where_lower_is_better():
    """CES: the mean 1-7 effort score; lower is better; out-of-scale refused."""
    rows = [ContactOutcome(str(i), ces=s) for i, s in enumerate([1, 2, 6, None])]
    assert CustomerEffort().compute(rows) == pytest.approx(3.0)
    assert CustomerEffort().better == "lower"
    with pytest.raises(ValueError, match="ces must be 1-7"):
        ContactOutcome("x", ces=8)


def test_transfer_rate_is_share_of_handled_contacts():
    """Transfer rate: handled contacts transferred / handled contacts: 1 of 2."""
    rows = [_handled("a", transferred=True), _handled("b"), ContactOutcome("c", queued_at=0)]
    assert TransferRate().compute(rows) == pytest.approx(0.5)


def test_callbacks_kept_counts_callbacks_with_talk():
    """Callbacks kept: callback contacts an agent talked on / callback contacts: 1 of 2."""
    rows = [
        _handled("a", callback_for="x1", talk_seconds=60.0),
        ContactOutcome("b", callback_for="x2", queued_at=0.0),
        _handled("c", talk_seconds=60.0),  # not a callback
    ]
    assert CallbacksKept().compute(rows) == pytest.approx(0.5)


def test_dialer_drop_rate_formula_on_the_three_percent_rule():
    """Drop rate over 100 live answers with 3 dropped is exactly the FCC's 3% limit."""
    rows = [DialAttempt("c", "human", 0.0, 1.0) for _ in range(97)]
    rows += [DialAttempt("c", "human", 0.0, 2.5) for _ in range(2)]
    rows += [DialAttempt("c", "human", 0.0), DialAttempt("c", "machine", 0.0)]
    assert DialerDropRate().compute(rows) == pytest.approx(0.03)


CONTACT_DEFINITIONS = [d for d in catalogue() if hasattr(d, "of_tally")]


@pytest.mark.parametrize("definition", catalogue(), ids=lambda d: d.describe()["key"])
def test_every_definition_states_unit_denominator_scope_and_zero(definition):
    """Each definition states its unit, denominator, business-hours scope and zero behaviour."""
    described = definition.describe()
    assert described["unit"] in ("ratio", "seconds", "count", "score", "currency")
    assert described["denominator"] and described["business_hours"]
    assert described["zero_denominator"] and described["label"]


@pytest.mark.parametrize("definition", CONTACT_DEFINITIONS, ids=lambda d: d.describe()["key"])
def test_no_contacts_is_no_number_or_a_zero_count(definition):
    """On an empty denominator a ratio or mean is None (never 100%); a count is 0."""
    expected = 0 if definition.describe()["unit"] == "count" else None
    assert definition.compute([]) == expected


def test_catalogue_keys_are_unique():
    """Every listed definition has its own key, so a number can name exactly one."""
    keys = [d.describe()["key"] for d in catalogue()]
    assert len(keys) == len(set(keys))


def test_business_hours_clock_is_stated_in_scope():
    """A response time measured on business hours says so in its scope."""
    plain, hours = FirstResponseTime(), FirstResponseTime(elapsed=lambda s, e: e - s)
    assert plain.describe()["business_hours"].startswith("all hours")
    assert hours.describe()["business_hours"].startswith("business hours")


def test_customer_value_definitions_on_a_worked_example() -> None:
    """DOMAIN.md's CLVs 3,200 and 300: equity 3,500, average 1,750; 4 customers at the start,
    1 erased in the range: churn 25%, retention 75%; no customers: no rate, equity 0."""
    from decimal import Decimal

    from routing.metrics import AverageCustomerValue, ChurnRate, CustomerEquity, RetentionRate

    clvs = [Decimal("3200.00"), Decimal("300.00")]
    assert CustomerEquity().compute(clvs) == Decimal("3500.00")
    assert AverageCustomerValue().compute(clvs) == Decimal("1750.00")
    assert ChurnRate().of_counts(4, 1) == 0.25
    assert RetentionRate().of_counts(4, 1) == 0.75
    assert CustomerEquity().compute([]) == 0
    assert AverageCustomerValue().compute([]) is None
    assert ChurnRate().of_counts(0, 0) is None and RetentionRate().of_counts(0, 0) is None
    assert "at the range's start" in ChurnRate().describe()["denominator"]
