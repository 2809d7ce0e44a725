"""The platform on a Redis ACL user limited as docs/deployment.md says (platform.redis_acl):
sign-in, an offer routed to an agent's socket, a chat message, an RQ job and health all work,
and a key outside the prefixes is refused to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import rq
from click.testing import CliRunner

from contactcentre.cli import main
from contactcentre.platform.redis_acl import acl_rules
from contactcentre.realtime.rooms import AGENT_NS
from contactcentre.settings import Settings
from contactcentre.store.models import ChatSite
from tests.integration.chat.visitors import SHOP, Customer
from tests.integration.realtime.live import Listener, browser, eventually

PASSWORD = "acl-" + uuid.uuid4().hex


@pytest.fixture
def settings(settings: Settings, redis_client: redis.Redis) -> Iterator[Settings]:
    """This test's processes sign in to Redis as an ACL user with the documented rules."""
    user = f"cc-acl-{uuid.uuid4().hex[:8]}"
    redis_client.execute_command(
        "ACL", "SETUSER", user, *acl_rules(settings.socketio_channel, PASSWORD)
    )
    parts = urlsplit(settings.redis_url or "")
    url = urlunsplit(parts._replace(netloc=f"{user}:{PASSWORD}@{parts.hostname}:{parts.port}"))
    yield settings.model_copy(update={"redis_url": url})
    redis_client.execute_command("ACL", "DELUSER", user)


def test_the_acl_user_refuses_keys_outside_the_prefixes(app: Any) -> None:
    """The rules bite: a key or channel the platform never uses is refused, ours are not."""
    client = app.extensions["contactcentre"].redis
    client.set("cc:acl-probe", "1")
    with pytest.raises(redis.exceptions.NoPermissionError):
        client.set("elsewhere:probe", "1")
    with pytest.raises(redis.exceptions.NoPermissionError):
        client.flushdb()
    with pytest.raises(redis.exceptions.NoPermissionError):
        client.publish("another-deployment", "hello")  # another Socket.IO channel


def test_an_offer_reaches_the_agents_socket_through_the_acl_user(
    app: Any, live_app: Any, live_router: Any, floor: dict[str, Any]
) -> None:
    """Sign-in (its limit's counters), the routing streams and scripts, the leader lock, the
    room logs and the Socket.IO channel: the offer arrives."""
    base = live_app.url
    expert = browser(base, floor["expert"]["email"], floor["expert"]["password"])
    listener = Listener()
    listener.connect(base, expert, AGENT_NS)
    agent_id = floor["expert"]["agent_id"]
    assert expert.post(f"{base}/api/v1/agents/{agent_id}/state", json={"state": "available"}).ok
    task = {"channel": "voice", "queue_id": floor["queue"]["id"], "attributes": {}}
    created = expert.post(f"{base}/api/v1/tasks", json=task, headers=floor["admin"]["headers"])
    assert created.status_code == 201, created.text

    offer = eventually(lambda: listener.of("offer_created"), timeout=20)[0]
    assert offer["data"]["task_id"] == created.json()["task_id"]
    assert expert.get(f"{base}/healthz").json()["redis"]["ok"] is True
    listener.close()


def test_a_chat_message_goes_through_the_acl_user(app: Any, live_app: Any) -> None:
    """A customer's socket (its caps and presence) and a message (its rate limit, the room log)."""
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        session.add(ChatSite(name="Shop", widget_key="wk_acl", allowed_origins=[SHOP]))
    customer = Customer(live_app.url)
    assert customer.start("wk_acl").status_code == 201
    customer.connect()
    assert customer.say("hello")["ok"] is True
    customer.close()


def test_an_rq_job_runs_on_the_acl_user(app: Any) -> None:
    """RQ's queue, job and worker keys, its command channel and INFO: a job runs to the end."""
    # As the worker process connects: RQ's payloads are pickles, never decoded.
    connection = redis.Redis.from_url(app.extensions["contactcentre"].redis_url)
    queue = rq.Queue("default", connection=connection)
    job = queue.enqueue("builtins.len", "four")
    worker = rq.SimpleWorker([queue], connection=connection)
    worker.register_birth()
    # Its command channel, subscribed to here rather than by worker.subscribe(): RQ 3's
    # unsubscribe then waits out redis-py's 60 s pub/sub poll, with or without an ACL.
    commands = connection.pubsub()
    commands.subscribe(worker.pubsub_channel_name)
    assert eventually(lambda: commands.get_message(timeout=0.2))["type"] == "subscribe"
    worker.execute_job(job, queue)
    worker.register_death()
    commands.close()
    job.refresh()
    assert job.get_status() == "finished" and job.return_value() == 4
    assert worker.get_redis_server_version() >= (7, 0, 0)  # INFO server
    connection.close()


def test_the_command_prints_the_rules_and_the_url(settings: Settings) -> None:
    """`contactcentre redis-acl` prints the ACL SETUSER line for the configured channel."""
    env = {"CC_SOCKETIO_CHANNEL": "cc-socketio", "CC_SECRET_KEY": "x" * 32}
    result = CliRunner().invoke(main, ["redis-acl", "--password", "pw"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "ACL SETUSER contactcentre on >pw resetkeys ~cc:* ~rq:* ~LIMITS:* resetchannels "
        "&cc-socketio &rq:pubsub:* +@all -@dangerous +info",
        "CC_REDIS_URL=redis://contactcentre:pw@<host>:6379/0",
    ]
