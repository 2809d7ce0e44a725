"""TwiML verbs the app uses: speech Gather, Record, Redirect, Enqueue, Pause, patience."""

from __future__ import annotations

import requests
from twilio.twiml.voice_response import Dial, Enqueue, Gather, VoiceResponse

from contactcentre.telephony.emulator import AgentScript, CallerScript, emulator_client

from .account import CUSTOMER, NUMBER


def _response(*verbs: str) -> str:
    return "<Response>" + "".join(verbs) + "</Response>"


def test_speech_gather_posts_speech_result_and_confidence(emulator, app_under_test):
    """Words spoken during a speech <Gather> reach the action as SpeechResult and Confidence."""

    def voice(params):
        response = VoiceResponse()
        gather = Gather(
            input="speech dtmf",
            action="/speech",
            speech_timeout="auto",
            hints="billing, sales",
            language="en-GB",
        )
        gather.say("Tell us why you are calling.")
        response.append(gather)
        return response

    app_under_test.route("/voice", voice)
    app_under_test.route("/speech", lambda p: _response("<Hangup/>"))
    call = emulator.place_call(
        CUSTOMER, NUMBER, CallerScript().say("billing question", confidence=0.87)
    )
    call.wait_until_over()
    speech = app_under_test.wait_for("/speech")
    assert speech.params["SpeechResult"] == "billing question"
    assert float(speech.params["Confidence"]) == 0.87
    assert "Digits" not in speech.params


def test_gather_without_input_falls_through_to_the_next_verb(emulator, app_under_test):
    """When the caller enters nothing, the action is not requested and the next verb runs."""
    app_under_test.route(
        "/voice",
        lambda p: _response(
            '<Gather action="/never" timeout="2"><Say>Press a key.</Say></Gather>',
            "<Say>No input received.</Say>",
        ),
    )
    call = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    call.wait_until_over()
    assert call.said() == ["Press a key.", "No input received."]
    assert not app_under_test.requests("/never")


def test_gather_finish_on_key_ends_input_and_is_reported(emulator, app_under_test):
    """Keys up to finishOnKey become Digits; the key itself is reported as FinishedOnKey."""
    app_under_test.route(
        "/voice",
        lambda p: _response(
            '<Gather action="/account" finishOnKey="#"><Say>Enter your account number.</Say>'
            "</Gather>"
        ),
    )
    app_under_test.route("/account", lambda p: _response("<Hangup/>"))
    emulator.place_call(CUSTOMER, NUMBER, CallerScript().press("4711#")).wait_until_over()
    account = app_under_test.wait_for("/account")
    assert account.params["Digits"] == "4711"
    assert account.params["FinishedOnKey"] == "#"


def test_record_produces_a_recording_served_by_the_emulator(emulator, app_under_test):
    """<Record> posts RecordingSid/Url/Duration; the recording is fetchable via the SDK."""
    app_under_test.route(
        "/voice",
        lambda p: _response(
            "<Say>Leave a message after the beep.</Say>",
            '<Record action="/recorded" maxLength="30" finishOnKey="#" '
            f'recordingStatusCallback="{app_under_test.url("/recording-status")}"/>',
        ),
    )
    app_under_test.route("/recorded", lambda p: _response("<Say>Thanks.</Say>", "<Hangup/>"))
    call = emulator.place_call(
        CUSTOMER, NUMBER, CallerScript().leave_message("Please call me back", seconds=4).hang_up()
    )
    call.wait_until_over()
    recorded = app_under_test.wait_for("/recorded")
    sid = recorded.params["RecordingSid"]
    assert sid.startswith("RE") and int(recorded.params["RecordingDuration"]) >= 4
    assert "beep" in call.kinds()
    status = app_under_test.wait_for("/recording-status")
    assert status.params["RecordingStatus"] == "completed"
    assert status.params["RecordingSid"] == sid
    recording = emulator_client(emulator).recordings(sid).fetch()
    assert recording.call_sid == call.sid and recording.source == "RecordVerb"
    media = requests.get(recorded.params["RecordingUrl"], timeout=5)
    assert media.status_code == 200 and media.content[:4] == b"RIFF"


def test_redirect_and_pause_continue_in_the_new_document(emulator, app_under_test):
    """<Redirect> fetches the next document (relative URLs resolve against the current one)."""
    app_under_test.route(
        "/voice",
        lambda p: _response(
            '<Pause length="2"/>',
            '<Redirect method="POST">/second</Redirect>',
            "<Say>never spoken</Say>",
        ),
    )
    app_under_test.route("/second", lambda p: _response("<Say>Second document.</Say>"))
    call = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    call.wait_until_over()
    assert call.kinds()[:2] == ["pause", "say"]
    assert call.said() == ["Second document."]


def test_enqueued_caller_hears_wait_url_then_is_bridged_by_an_agent(emulator, app_under_test):
    """The waitUrl gets QueuePosition/QueueTime; <Dial><Queue> bridges and the action gets
    QueueResult=bridged."""

    def voice(params):
        response = VoiceResponse()
        response.append(Enqueue("support", wait_url="/hold", action="/left-queue"))
        return response

    def agent_leg(params):
        response = VoiceResponse()
        dial = Dial()
        dial.queue("support")
        response.append(dial)
        return response

    app_under_test.route("/voice", voice)
    app_under_test.route(
        "/hold",
        lambda p: _response(
            f"<Say>You are number {p['QueuePosition']} in the queue.</Say>",
            "<Play>music.mp3</Play>",
        ),
    )
    app_under_test.route("/left-queue", lambda p: _response("<Hangup/>"))
    app_under_test.route("/agent", agent_leg)
    caller = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    hold = app_under_test.wait_for("/hold")
    assert hold.params["QueuePosition"] == "1" and hold.params["QueueSid"].startswith("QU")
    assert {"QueueTime", "AvgQueueTime", "CurrentQueueSize"} <= hold.params.keys()

    emulator.register_party("client:agent_7", AgentScript(answer_after=1, talk_seconds=5))
    agent = emulator_client(emulator).calls.create(
        to="client:agent_7", from_=NUMBER, url=app_under_test.url("/agent")
    )
    left = app_under_test.wait_for("/left-queue")
    assert left.params["QueueResult"] == "bridged"
    assert caller.wait_until_over() == "completed"
    assert emulator.call(agent.sid).wait_until_over() == "completed"
    assert caller.heard("number 1 in the queue") and caller.ever_connected


def test_caller_abandons_the_queue_after_patience(emulator, app_under_test):
    """A caller with patience T hangs up if no agent answers; the action gets QueueResult=hangup."""
    app_under_test.route(
        "/voice", lambda p: _response('<Enqueue action="/left-queue">support</Enqueue>')
    )
    caller = emulator.place_call(CUSTOMER, NUMBER, CallerScript(patience=20))
    assert caller.wait_until_over() == "completed"
    assert "abandon" in caller.kinds() and not caller.ever_connected
    left = app_under_test.wait_for("/left-queue")
    assert left.params["QueueResult"] == "hangup"
    completed = app_under_test.wait_for("/status")
    assert completed.params["CallStatus"] == "completed"


def test_leave_in_the_wait_document_continues_after_enqueue(emulator, app_under_test):
    """<Leave> in the waitUrl takes the caller out of the queue to the verb after <Enqueue>."""
    app_under_test.route(
        "/voice",
        lambda p: _response(
            '<Enqueue waitUrl="/wait">support</Enqueue>', "<Say>The line is closed.</Say>"
        ),
    )
    app_under_test.route("/wait", lambda p: _response("<Leave/>"))
    call = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    call.wait_until_over()
    assert call.said() == ["The line is closed."]


def test_reject_refuses_the_call_without_answering(emulator, app_under_test):
    """<Reject reason="busy"> ends the inbound call unanswered with status busy."""
    app_under_test.route("/voice", lambda p: _response('<Reject reason="busy"/>'))
    call = emulator.place_call(CUSTOMER, NUMBER, CallerScript())
    assert call.wait_until_over() == "busy"
    assert call.start_time is None
