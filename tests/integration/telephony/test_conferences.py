"""Conferences through the real SDK: participants, coaching, mute, kick and ending a conference."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from contactcentre.telephony.emulator import AgentScript, CallerScript, emulator_client

from .account import CUSTOMER, NUMBER


def _into_room(app, then: str = "") -> None:
    def voice(params):
        response = VoiceResponse()
        dial = Dial()
        dial.conference(
            "room-1",
            status_callback=app.url("/conference"),
            status_callback_event="start end join leave mute hold modify",
        )
        response.append(dial)
        if then:
            response.say(then)
        return response

    app.route("/voice", voice)


def _joined(app, call_sid: str):
    return app.wait_for(
        "/conference",
        lambda r: (
            r.params["StatusCallbackEvent"] == "participant-join"
            and r.params["CallSid"] == call_sid
        ),
    )


def test_coach_is_heard_only_by_the_coached_agent(emulator, app_under_test):
    """A supervisor with Coaching/CallSidToCoach hears everyone but only the agent hears them."""
    _into_room(app_under_test)
    emulator.register_party("client:agent", AgentScript())
    emulator.register_party("client:supervisor", AgentScript())
    caller = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    conference_sid = _joined(app_under_test, caller.sid).params["ConferenceSid"]
    participants = emulator_client(emulator).conferences(conference_sid).participants
    agent = participants.create(from_=NUMBER, to="client:agent")
    _joined(app_under_test, agent.call_sid)
    coach = participants.create(
        from_=NUMBER, to="client:supervisor", coaching=True, call_sid_to_coach=agent.call_sid
    )
    assert coach.coaching and coach.call_sid_to_coach == agent.call_sid
    joined = _joined(app_under_test, coach.call_sid)
    assert joined.params["Coaching"] == "true"
    room = emulator.conference(conference_sid)
    assert room is not None
    assert room.audible_to(agent.call_sid) == {caller.sid, coach.call_sid}
    assert room.audible_to(caller.sid) == {agent.call_sid}
    assert room.audible_to(coach.call_sid) == {caller.sid, agent.call_sid}

    participants(coach.call_sid).update(coaching=False)  # barge in
    modify = app_under_test.wait_for(
        "/conference", lambda r: r.params["StatusCallbackEvent"] == "participant-modify"
    )
    assert modify.params["Coaching"] == "false"
    assert coach.call_sid in room.audible_to(caller.sid)


def test_muted_participant_is_not_heard_and_mute_is_reported(emulator, app_under_test):
    """Muting through the SDK emits participant-mute and removes the speaker from the mix."""
    _into_room(app_under_test)
    emulator.register_party("client:agent", AgentScript())
    caller = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    conference_sid = _joined(app_under_test, caller.sid).params["ConferenceSid"]
    participants = emulator_client(emulator).conferences(conference_sid).participants
    agent = participants.create(from_=NUMBER, to="client:agent")
    _joined(app_under_test, agent.call_sid)
    updated = participants(caller.sid).update(muted=True)
    assert updated.muted is True
    mute = app_under_test.wait_for(
        "/conference", lambda r: r.params["StatusCallbackEvent"] == "participant-mute"
    )
    assert mute.params["Muted"] == "true"
    room = emulator.conference(conference_sid)
    assert room is not None and not room.hears(agent.call_sid, caller.sid)
    assert room.hears(caller.sid, agent.call_sid)
    assert [p.call_sid for p in participants.list(muted=True)] == [caller.sid]


def test_kicked_participant_continues_with_the_next_verb(emulator, app_under_test):
    """Deleting a participant emits participant-leave; its call continues after <Dial>."""
    _into_room(app_under_test, then="You have left the conference.")
    emulator.register_party("client:agent", AgentScript())
    caller = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    conference_sid = _joined(app_under_test, caller.sid).params["ConferenceSid"]
    participants = emulator_client(emulator).conferences(conference_sid).participants
    agent = participants.create(from_=NUMBER, to="client:agent")
    _joined(app_under_test, agent.call_sid)
    assert participants(caller.sid).delete() is True
    caller.wait_for(lambda c: c.heard("left the conference"))
    leave = app_under_test.wait_for(
        "/conference", lambda r: r.params["StatusCallbackEvent"] == "participant-leave"
    )
    assert leave.params["CallSid"] == caller.sid
    assert caller.wait_until_over() == "completed"


def test_completing_a_conference_through_the_api_ends_it_for_everyone(emulator, app_under_test):
    """Conference update Status=completed ends it (conference-end, reason via api)."""
    _into_room(app_under_test)
    emulator.register_party("client:agent", AgentScript())
    caller = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    conference_sid = _joined(app_under_test, caller.sid).params["ConferenceSid"]
    client = emulator_client(emulator)
    agent = client.conferences(conference_sid).participants.create(from_=NUMBER, to="client:agent")
    _joined(app_under_test, agent.call_sid)
    assert client.conferences.list(status="in-progress")[0].friendly_name == "room-1"
    client.conferences(conference_sid).update(status="completed")
    end = app_under_test.wait_for(
        "/conference", lambda r: r.params["StatusCallbackEvent"] == "conference-end"
    )
    assert end.params["ReasonConferenceEnded"] == "conference-ended-via-api"
    assert caller.wait_until_over() == "completed"
    assert emulator.call(agent.call_sid).wait_until_over() == "completed"
    assert client.conferences(conference_sid).fetch().status == "completed"
