"""The reply cache and concurrent first webhooks: a retry (same token, same signed request) gets
the first answer; a reused token on another request gets its own; deliveries racing over a real
server open one call; a claim left by a killed process never turns a retry into a 500."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from contactcentre.store.models import Interaction, InteractionEvent
from contactcentre.voice import replies
from contactcentre.voice.replies import REPLY_KEY, request_key
from tests.integration.voice.calls import AUTH_TOKEN
from tests.integration.voice.webhook_cases import (
    call_params,
    gather_path,
    new_call_sid,
    signed_post,
)

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "I-Twilio-Idempotency-Token"


def _count(app: Any, model: Any, *where: Any) -> int:
    with app.extensions["contactcentre"].db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _events_of(app: Any, call_sid: str) -> list[tuple[str, str]]:
    with app.extensions["contactcentre"].db.session() as session:
        iid = session.scalar(select(Interaction.id).where(Interaction.external_id == call_sid))
        rows = session.scalars(
            select(InteractionEvent).where(InteractionEvent.interaction_id == iid)
        )
        return sorted((e.type, e.idempotency_key) for e in rows)


def test_a_reused_token_on_another_call_gets_that_calls_answer(
    voice_app: Any, voice_client: Any
) -> None:
    """One idempotency token on two different calls' first webhooks (the header is not signed):
    each call gets its own IVR question, naming its own CallSid, and its own interaction."""
    first, second = call_params(new_call_sid(), "ringing"), call_params(new_call_sid(), "ringing")
    a = signed_post(voice_app, voice_client, "/twilio/voice", first, **{TOKEN: "shared-1"})
    b = signed_post(voice_app, voice_client, "/twilio/voice", second, **{TOKEN: "shared-1"})
    assert a.status_code == b.status_code == 200
    assert f"call={first['CallSid']}" in gather_path(a.get_data())
    assert f"call={second['CallSid']}" in gather_path(b.get_data())
    for call in (first, second):
        where = Interaction.external_id == call["CallSid"]
        assert _count(voice_app, Interaction, where) == 1


def test_a_true_retry_gets_the_cached_answer_and_changes_nothing(
    voice_app: Any, voice_client: Any
) -> None:
    """The same token with the same signed request is Twilio retrying: the same bytes back,
    and the IVR answer is applied once (one step logged, the question not skipped)."""
    call = call_params(new_call_sid(), "ringing")
    question = signed_post(voice_app, voice_client, "/twilio/voice", call, **{TOKEN: "r-1"})
    answer = {**call, "CallStatus": "in-progress", "Digits": "1"}
    path = gather_path(question.get_data())
    first = signed_post(voice_app, voice_client, path, answer, **{TOKEN: "r-2"})
    events = _events_of(voice_app, call["CallSid"])
    again = signed_post(voice_app, voice_client, path, answer, **{TOKEN: "r-2"})
    assert first.status_code == again.status_code == 200
    assert first.get_data() == again.get_data()
    assert _events_of(voice_app, call["CallSid"]) == events


def test_a_reused_token_on_another_route_is_not_taken_for_a_retry(
    voice_app: Any, voice_client: Any
) -> None:
    """A status callback and then the IVR answer carrying the same token: the answer is applied
    (the next question comes back), not given the status callback's empty reply."""
    call = call_params(new_call_sid(), "ringing")
    question = signed_post(voice_app, voice_client, "/twilio/voice", call)
    status = {**call, "CallStatus": "in-progress"}
    noted = signed_post(voice_app, voice_client, "/twilio/status", status, **{TOKEN: "same"})
    assert noted.status_code == 204
    answer = {**status, "Digits": "1"}
    path = gather_path(question.get_data())
    applied = signed_post(voice_app, voice_client, path, answer, **{TOKEN: "same"})
    assert applied.status_code == 200
    assert gather_path(applied.get_data()) != path  # the IVR moved on to its next question


def test_four_first_webhooks_at_once_over_a_real_server_open_one_call(voice_app: Any) -> None:
    """Four deliveries of one call's first webhook, each with its own idempotency token, racing
    through the threaded server: all 200 with the same TwiML, one interaction, one `created`."""
    base = voice_app.extensions["contactcentre"].settings.public_base_url
    url = base + "/twilio/voice"
    params = call_params(new_call_sid(), "ringing")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    start = threading.Barrier(4)

    def deliver(n: int) -> requests.Response:
        headers = {"X-Twilio-Signature": signature, TOKEN: f"race-{n}"}
        start.wait(10)
        return requests.post(url, data=params, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(deliver, range(4)))
    assert [a.status_code for a in answers] == [200] * 4, [a.text[:300] for a in answers]
    assert len({a.text for a in answers}) == 1
    assert "<Gather" in answers[0].text
    where = Interaction.external_id == params["CallSid"]
    assert _count(voice_app, Interaction, where) == 1
    kinds = [kind for kind, _key in _events_of(voice_app, params["CallSid"])]
    assert kinds.count("created") == 1


def _claim_and_die(redis_url: str, key: str) -> None:
    """A process that claims `key` in the reply cache and is killed -9 while 'processing'."""
    code = (
        "import time, redis\n"
        "from contactcentre.voice.replies import ReplyCache\n"
        f"cache = ReplyCache(redis.Redis.from_url({redis_url!r}, decode_responses=True))\n"
        "def produce():\n"
        "    print('claimed', flush=True)\n"
        "    time.sleep(600)\n"
        "    return ''\n"
        f"cache.once({key!r}, produce)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "claimed"
    finally:
        process.kill()
        process.wait(timeout=30)


def test_a_claim_left_by_a_killed_process_is_short_lived_and_no_500(
    voice_app: Any, voice_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first delivery's process was killed -9 mid-request: its claim lives about as long as
    the carrier's request timeout (not the hour an answer is kept), a retry meanwhile gets 503
    with Retry-After (Twilio retries it), and once the claim is gone the retry is answered."""
    monkeypatch.setattr(replies, "WAIT_FOR_FIRST_SECONDS", 0.2)  # the test need not wait 10 s
    runtime = voice_app.extensions["contactcentre"]
    params = call_params(new_call_sid(), "ringing")
    key = request_key("dead-1", "/twilio/voice?", params)
    _claim_and_die(runtime.redis_url, key)
    claim_ttl = runtime.redis.ttl(REPLY_KEY + key)
    assert 0 < claim_ttl <= replies.PENDING_TTL_SECONDS < replies.TTL_SECONDS

    retry = signed_post(voice_app, voice_client, "/twilio/voice", params, **{TOKEN: "dead-1"})
    assert retry.status_code == 503, retry.get_data(as_text=True)
    assert 1 <= int(retry.headers["Retry-After"]) <= replies.PENDING_TTL_SECONDS
    assert retry.get_json()["error"]["code"] == "still_processing"
    assert _count(voice_app, Interaction) == 0

    runtime.redis.delete(REPLY_KEY + key)  # as Redis does when the claim's TTL runs out
    later = signed_post(voice_app, voice_client, "/twilio/voice", params, **{TOKEN: "dead-1"})
    assert later.status_code == 200
    assert "<Gather" in later.get_data(as_text=True)
    assert _count(voice_app, Interaction) == 1
    assert runtime.redis.ttl(REPLY_KEY + key) > replies.PENDING_TTL_SECONDS
