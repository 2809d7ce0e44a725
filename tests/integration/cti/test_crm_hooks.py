"""The external-CRM hooks: look-up with a time limit and fallback, and the signed pop webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import redis as redis_mod
from rq import Queue, SimpleWorker

from contactcentre.cti.crm import CrmEnricher, lookup
from contactcentre.cti.webhook import QUEUE, ScreenPopWebhook, payload, post_screen_pop

POP = {
    "interaction_id": "i-1",
    "caller": {"number": "+12025550177"},
    "customer": {"id": 7, "account_number": "00100049"},
    "crm": {"status": "off"},
}
OFFER = {"task_id": "i-1", "reservation_id": "r1", "agent_id": "3", "queue_id": "1", "pop": POP}


class Crm:
    """A stand-in CRM on a loopback port that records requests and answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delay = 0.0
        self.answer: Any = {
            "fields": {"Open cases": 2},
            "links": [{"label": "CRM", "url": "https://crm.example/7"}],
        }
        crm = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                crm.requests.append({"path": self.path, "headers": headers, "body": body})
                time.sleep(crm.delay)
                data = json.dumps(crm.answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _reply

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/pop"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def crm() -> Iterator[Crm]:
    server = Crm()
    yield server
    server.server.shutdown()


def test_lookup_enriches_the_pop_with_crm_fields(crm: Crm) -> None:
    """The CRM is asked by number, customer id and account; its fields and links are kept."""
    section = lookup(crm.url, POP, timeout=2)
    assert section["status"] == "ok"
    assert section["fields"] == {"Open cases": "2"}
    assert section["links"] == [{"label": "CRM", "url": "https://crm.example/7"}]
    assert "phone=%2B12025550177" in crm.requests[0]["path"]
    assert "customer_id=7" in crm.requests[0]["path"]


def test_slow_crm_times_out_and_the_pop_keeps_our_record(crm: Crm) -> None:
    """A CRM slower than the limit yields status 'timeout', never an exception."""
    crm.delay = 1.0
    section = lookup(crm.url, POP, timeout=0.2)
    assert section["status"] == "timeout"


def test_unreachable_or_odd_crm_is_reported_as_an_error(crm: Crm) -> None:
    """No server, or an answer that is not an object, gives status 'error'."""
    assert lookup("http://127.0.0.1:9/none", POP, timeout=0.5)["status"] == "error"
    crm.answer = ["not", "an", "object"]
    assert lookup(crm.url, POP, timeout=2)["status"] == "error"


def test_enricher_hands_the_enriched_pop_to_its_sink(crm: Crm) -> None:
    """Enrichment runs off the offer's thread and delivers the merged pop."""
    delivered: list[dict[str, Any]] = []
    done = threading.Event()

    def sink(offer: dict[str, Any], pop: dict[str, Any]) -> None:
        delivered.append(pop)
        done.set()

    enricher = CrmEnricher(crm.url, 2, sink)
    enricher(OFFER)
    assert done.wait(5)
    assert delivered[0]["crm"]["status"] == "ok"
    assert delivered[0]["customer"] == POP["customer"]
    enricher.close()


def test_webhook_body_is_the_pop_and_is_signed(crm: Crm) -> None:
    """The POST carries the offer's pop and an HMAC-SHA256 signature of the exact body."""
    status = post_screen_pop(crm.url, "s3cret", payload(OFFER))
    assert status == 200
    request = crm.requests[0]
    body = json.loads(request["body"])
    assert body["event"] == "screen_pop"
    assert body["pop"]["customer"]["id"] == 7
    expected = "sha256=" + hmac.new(b"s3cret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["x-cc-signature"] == expected


def test_webhook_is_an_rq_job_that_a_worker_delivers(
    crm: Crm, redis_url: str, redis_client: Any
) -> None:
    """Offering only enqueues (no HTTP on the offer path); a worker then POSTs the pop."""
    ScreenPopWebhook(redis_url, crm.url, None)(OFFER)
    assert crm.requests == []
    connection = redis_mod.Redis.from_url(redis_url)
    queue = Queue(QUEUE, connection=connection)
    assert queue.count == 1
    SimpleWorker([queue], connection=connection).work(burst=True)
    assert json.loads(crm.requests[0]["body"])["interaction_id"] == "i-1"
