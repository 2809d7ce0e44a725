"""An inbound call end to end: IVR menu, conference with an agent, SDK hold, hang-up."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from contactcentre.telephony.emulator import AgentScript, CallerScript, emulator_client

from .account import CUSTOMER, NUMBER


def _ivr(app) -> None:
    def voice(params):
        response = VoiceResponse()
        gather = Gather(num_digits=1, action="/menu", timeout=5)
        gather.say("Welcome to Acme. For support press 1.")
        response.append(gather)
        response.say("We did not get your choice. Goodbye.")
        return response

    def menu(params):
        response = VoiceResponse()
        response.say("Connecting you to an agent.")
        dial = Dial(action="/after-conference")
        dial.conference(
            "support-room",
            status_callback=app.url("/conference"),
            status_callback_event="start end join leave mute hold",
            end_conference_on_exit=False,
        )
        response.append(dial)
        return response

    def after_conference(params):
        response = VoiceResponse()
        response.say("Thank you for calling. Goodbye.")
        response.hangup()
        return response

    app.route("/voice", voice)
    app.route("/menu", menu)
    app.route("/after-conference", after_conference)


def test_inbound_call_through_menu_conference_hold_and_hangup(emulator, app_under_test):
    """A caller's key press reaches the action URL, the conference reports joins and holds made
    through the real SDK, and the finished call reports completed with its duration."""
    _ivr(app_under_test)
    emulator.register_party("client:agent_42", AgentScript(answer_after=1))
    caller = emulator.place_call(
        CUSTOMER, NUMBER, CallerScript().wait_for_prompt("press 1").press("1")
    )
    client = emulator_client(emulator)

    menu = app_under_test.wait_for("/menu")
    assert menu.params["Digits"] == "1"
    assert menu.params["CallSid"] == caller.sid
    assert menu.params["From"] == CUSTOMER and menu.params["To"] == NUMBER
    assert menu.params["Direction"] == "inbound"
    first = app_under_test.wait_for(
        "/conference", lambda r: r.params["StatusCallbackEvent"] == "participant-join"
    )
    conference_sid = first.params["ConferenceSid"]
    assert first.params["FriendlyName"] == "support-room"
    assert first.params["CallSid"] == caller.sid

    agent = client.conferences(conference_sid).participants.create(
        from_=NUMBER, to="client:agent_42", end_conference_on_exit=True, label="agent"
    )
    app_under_test.wait_for(
        "/conference",
        lambda r: (
            r.params["StatusCallbackEvent"] == "participant-join"
            and r.params["CallSid"] == agent.call_sid
        ),
    )
    listed = client.conferences(conference_sid).participants.list()
    assert {p.call_sid for p in listed} == {caller.sid, agent.call_sid}

    client.conferences(conference_sid).participants(caller.sid).update(hold=True)
    hold = app_under_test.wait_for(
        "/conference", lambda r: r.params["StatusCallbackEvent"] == "participant-hold"
    )
    assert hold.params["Hold"] == "true" and hold.params["CallSid"] == caller.sid
    caller.wait_for(lambda c: "hold-music" in c.kinds())
    room = emulator.conference(conference_sid)
    assert room is not None and not room.hears(agent.call_sid, caller.sid)

    client.conferences(conference_sid).participants(caller.sid).update(hold=False)
    app_under_test.wait_for(
        "/conference", lambda r: r.params["StatusCallbackEvent"] == "participant-unhold"
    )
    emulator.wait_for(lambda: room.hears(agent.call_sid, caller.sid), what="unheld audio")

    client.calls(agent.call_sid).update(status="completed")  # agent hangs up: conference ends
    assert caller.wait_until_over() == "completed"
    assert caller.said()[-1] == "Thank you for calling. Goodbye."
    completed = app_under_test.wait_for("/status", lambda r: r.params.get("CallSid") == caller.sid)
    assert completed.params["CallStatus"] == "completed"
    assert int(completed.params["CallDuration"]) > 0
    assert "Duration" in completed.params
    events = [r.params["StatusCallbackEvent"] for r in app_under_test.requests("/conference")]
    assert events.index("conference-start") < events.index("participant-hold")
    assert events.index("participant-hold") < events.index("participant-unhold")
    assert events.index("participant-unhold") < events.index("conference-end")
    assert all(r.signature_valid for r in app_under_test.requests())


def test_dial_to_agent_client_bridges_and_reports_dial_outcome(emulator, app_under_test):
    """<Dial><Client> rings the agent leg, bridges it, and posts DialCallStatus/DialCallSid."""

    def voice(params):
        response = VoiceResponse()
        dial = Dial(action="/dial-done", timeout=10)
        dial.client(
            "agent_42",
            status_callback=app_under_test.url("/agent-status"),
            status_callback_event="initiated ringing answered completed",
        )
        response.append(dial)
        return response

    app_under_test.route("/voice", voice)
    app_under_test.route("/dial-done", lambda p: "<Response><Hangup/></Response>")
    emulator.register_party("client:agent_42", AgentScript(answer_after=1, talk_seconds=10))
    caller = emulator.place_call(CUSTOMER, NUMBER, CallerScript())

    done = app_under_test.wait_for("/dial-done")
    assert done.params["DialCallStatus"] == "completed"
    [agent] = emulator.children_of(caller)
    assert done.params["DialCallSid"] == agent.sid
    assert agent.direction == "outbound-dial" and agent.to == "client:agent_42"
    assert caller.wait_until_over() == "completed"
    assert caller.ever_connected and not caller.errors
    emulator.drain_callbacks()
    statuses = [r.params["CallStatus"] for r in app_under_test.requests("/agent-status")]
    assert statuses == ["initiated", "ringing", "in-progress", "completed"]


def test_dial_to_busy_number_reports_busy(emulator, app_under_test):
    """A <Dial> whose callee is busy posts DialCallStatus=busy and the caller's TwiML continues."""
    from contactcentre.telephony.emulator import Callee

    def voice(params):
        response = VoiceResponse()
        response.dial("+14155550199", action="/dial-done")
        return response

    def dial_done(params):
        response = VoiceResponse()
        response.say(f"Dial ended {params['DialCallStatus']}")
        return response

    app_under_test.route("/voice", voice)
    app_under_test.route("/dial-done", dial_done)
    emulator.register_party("+14155550199", Callee("busy"))
    caller = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    assert caller.wait_until_over() == "completed"
    assert caller.said() == ["Dial ended busy"]
