"""The emulator's faults on demand: a REST answer held after the carrier acted (a process can
die waiting for it), and webhooks lost on the way (a process died with them)."""

from __future__ import annotations

import queue
import threading

from contactcentre.telephony.emulator import Callee, emulator_client

from .account import NUMBER

CALLEE = "+14155550123"


def _say(text: str) -> str:
    return f"<Response><Say>{text}</Say></Response>"


def test_a_held_rest_answer_comes_late_but_the_call_exists_at_once(emulator, app_under_test):
    """While the answer to Calls.json is held, the call is already placed and ringing; on_hold
    names the client's port; the SDK gets its answer once the hold ends."""
    app_under_test.route("/outbound", lambda p: _say("Hello"))
    emulator.register_party(CALLEE, Callee("human"))
    held: queue.Queue = queue.Queue()
    delay = emulator.delay_rest("POST", "/Calls.json", 2.0, on_hold=held.put)
    answers: queue.Queue = queue.Queue()
    client = emulator_client(emulator)

    def create() -> None:
        answers.put(
            client.calls.create(to=CALLEE, from_=NUMBER, url=app_under_test.url("/outbound"))
        )

    threading.Thread(target=create, daemon=True).start()
    request = held.get(timeout=10)
    assert request.path.endswith("/Calls.json") and request.client_port > 0
    assert answers.empty()  # the SDK is still waiting...
    emulator.wait_for(
        lambda: any(c.to == CALLEE for c in emulator.calls()), timeout=5
    )  # ...not the call
    call = answers.get(timeout=10)
    assert call.sid == next(c.sid for c in emulator.calls() if c.to == CALLEE)
    emulator.undelay_rest(delay)


def test_lost_webhooks_never_reach_the_app(emulator, app_under_test):
    """A purpose in WebhookPolicy.lose is logged as failed and never sent; the others are."""
    app_under_test.route("/outbound", lambda p: _say("Hello"))
    app_under_test.route("/status", lambda p: "")
    emulator.webhook_policy.lose = frozenset({"status-completed"})
    emulator.register_party(CALLEE, Callee("human", talk_seconds=1))
    client = emulator_client(emulator)
    created = client.calls.create(
        to=CALLEE,
        from_=NUMBER,
        url=app_under_test.url("/outbound"),
        status_callback=app_under_test.url("/status"),
        status_callback_event=["answered", "completed"],
    )
    emulator.call(created.sid).wait_until_over(timeout=10)
    emulator.drain_callbacks()
    statuses = [r.params.get("CallStatus") for r in app_under_test.received if r.path == "/status"]
    assert statuses == ["in-progress"]
    lost = [e for e in emulator.log.entries("webhook") if e.detail["purpose"] == "status-completed"]
    assert len(lost) == 1 and lost[0].detail["status"] is None
