"""SLA policies: the most specific matching policy wins, and each target's clock starts, falls
due and is met, breached or closed by the contact's own events."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from routing.business_hours import Calendar
from routing.metrics import SlaBreaches, SlaCompliance
from routing.sla import Event, SlaPolicy, clocks, match

T0 = datetime(2026, 5, 8, 16, 0, tzinfo=ZoneInfo("Europe/Madrid")).timestamp()  # Friday 16:00
OFFICE = Calendar.from_hours(
    "Europe/Madrid",
    {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    frozenset(),
)

ANY = SlaPolicy(1, "everything", targets={"answer": 60})
VOICE = SlaPolicy(2, "voice", channel="voice", targets={"answer": 30})
BILLING = SlaPolicy(3, "billing", queue_id="7", targets={"answer": 20})
BILLING_VIP = SlaPolicy(4, "billing vip", queue_id="7", priority=5, targets={"answer": 10})
VOICE_VIP = SlaPolicy(5, "voice vip", channel="voice", priority=5, targets={"answer": 15})


@pytest.mark.parametrize(
    ("queue_id", "channel", "priority", "expected"),
    [
        (None, "chat", None, 1),  # only the catch-all matches
        (None, "voice", None, 2),  # channel beats nothing
        ("7", "voice", 0, 3),  # one field each: the queue beats the channel
        ("7", "voice", 5, 4),  # two fields: queue+priority beats channel+priority
        ("8", "voice", 5, 5),  # another queue: channel+priority
    ],
)
def test_the_most_specific_policy_wins(queue_id, channel, priority, expected) -> None:
    """Most fields named first; on a tie the queue beats the channel beats the priority."""
    found = match([ANY, VOICE, BILLING, BILLING_VIP, VOICE_VIP], queue_id, channel, priority)
    assert found is not None and found.id == expected


def test_no_matching_policy_means_no_clock() -> None:
    """A contact no policy covers has no SLA clock at all."""
    events = [Event("created", T0), Event("queued", T0, {"queue_id": 9})]
    assert clocks(events, "chat", [VOICE], now=T0 + 999) == []


def test_an_answer_target_is_met_breached_or_running() -> None:
    """Wall clock (no calendar), 20 s: accepted at 15 s is met; at 25 s breached at the due
    time; not accepted yet at 21 s breached, at 10 s running (warning at 16 s, 80%)."""
    queued = [Event("created", T0 - 5), Event("queued", T0, {"queue_id": 7, "priority": 0})]
    met = clocks([*queued, Event("accepted", T0 + 15)], "voice", [BILLING], T0 + 100)
    late = clocks([*queued, Event("accepted", T0 + 25)], "voice", [BILLING], T0 + 100)
    assert (met[0].status, met[0].due_at, met[0].warn_at) == ("met", T0 + 20, T0 + 16)
    assert (late[0].status, late[0].breached_at) == ("breached", T0 + 20)
    assert clocks(queued, "voice", [BILLING], T0 + 21)[0].status == "breached"
    assert clocks(queued, "voice", [BILLING], T0 + 10)[0].status == "running"


def test_an_abandon_before_the_due_time_is_closed_after_it_breached() -> None:
    """A caller who hangs up at 10 s of a 20 s target is not counted; at 30 s, breached."""
    queued = [Event("queued", T0, {"queue_id": 7})]
    early = clocks([*queued, Event("canceled", T0 + 10)], "voice", [BILLING], T0 + 99)
    late = clocks([*queued, Event("canceled", T0 + 30)], "voice", [BILLING], T0 + 99)
    assert (early[0].status, late[0].status) == ("closed", "breached")


def test_email_targets_run_on_business_hours() -> None:
    """An email arriving Friday 16:00 with 4 business hours to first reply and 8 to resolve:
    replied Monday 11:00 (met, due 12:00), completed Tuesday 10:00 (breached, due Mon 16:00)."""
    policy = SlaPolicy(
        9, "email", channel="email", calendar=OFFICE,
        targets={"first_response": 4 * 3600, "resolution": 8 * 3600},
    )  # fmt: skip
    monday_11 = T0 + 3 * 86_400 - 5 * 3600
    events = [
        Event("created", T0),
        Event("message_in", T0),
        Event("message_out", T0 + 60, {"by": "bot"}),  # a bot's reply answers nobody
        Event("message_out", monday_11, {"by": "agent"}),
        Event("completed", monday_11 + 23 * 3600),
    ]
    first, resolution = clocks(events, "email", [policy], now=monday_11 + 2 * 86_400)
    assert (first.target, first.status, first.due_at) == ("first_response", "met", monday_11 + 3600)
    assert (resolution.status, resolution.due_at) == ("breached", monday_11 + 5 * 3600)


def test_compliance_and_breaches_definitions_count_only_judged_clocks() -> None:
    """Met 1, breached 1, running and closed ignored: compliance 50%, 1 breach; none judged:
    no number."""
    queued = [Event("queued", T0, {"queue_id": 7})]
    rows = [
        *clocks([*queued, Event("accepted", T0 + 5)], "voice", [BILLING], T0 + 99),
        *clocks([*queued, Event("accepted", T0 + 50)], "voice", [BILLING], T0 + 99),
        *clocks(queued, "voice", [BILLING], T0 + 1),
        *clocks([*queued, Event("canceled", T0 + 1)], "voice", [BILLING], T0 + 99),
    ]
    assert SlaCompliance("answer").compute(rows) == 0.5
    assert SlaBreaches("answer").compute(rows) == 1
    assert SlaCompliance("resolution").compute(rows) is None


def test_a_bad_policy_is_refused() -> None:
    """Targets are positive; the warning share is strictly between 0 and 1."""
    with pytest.raises(ValueError):
        SlaPolicy(1, "x", targets={"answer": 0})
    with pytest.raises(ValueError):
        SlaPolicy(1, "x", targets={"answer": 5}, warn_ratio=1.0)
