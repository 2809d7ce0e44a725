"""Rate limits of console sockets over real clients: refused past the budget, then disconnected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import socketio

from contactcentre.realtime.rooms import AGENT_NS, SUPERVISOR_NS
from contactcentre.settings import Settings
from tests.integration.realtime.live import Listener, browser, eventually

BURST = 5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A small budget: five events at once, then one every two seconds; five refusals close it."""
    return settings.model_copy(
        update={
            "socket_events_per_second": 0.5,
            "socket_event_burst": BURST,
            "socket_refusals_before_disconnect": 5,
        }
    )


@pytest.fixture
def supervisor(make_user: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_user("supervisor", agent=True)


def _heartbeats_until_refused(listener: Listener, namespace: str) -> tuple[int, Any]:
    """How many heartbeats were answered before the first refusal, and that refusal."""
    for allowed in range(60):
        reply = listener.client.call("heartbeat", {}, namespace=namespace, timeout=5)
        if "at" not in reply:
            return allowed, reply
    raise AssertionError("sixty heartbeats in a row were answered")


@pytest.mark.parametrize("namespace", [AGENT_NS, SUPERVISOR_NS])
def test_events_past_the_budget_are_refused_then_the_socket_is_closed(
    live_app: Any, supervisor: dict[str, Any], namespace: str
) -> None:
    """A socket flooding events gets rate_limited acks after its burst, and is disconnected
    when it keeps on."""
    http = browser(live_app.url, supervisor["email"], supervisor["password"])
    listener = Listener(reconnection=False)
    listener.connect(live_app.url, http, namespace)

    allowed, refusal = _heartbeats_until_refused(listener, namespace)
    assert allowed >= BURST
    assert refusal == {"ok": False, "error": "rate_limited"}

    for _ in range(50):
        try:
            listener.client.emit("heartbeat", {}, namespace=namespace)
        except socketio.exceptions.BadNamespaceError:
            break  # closed already
    eventually(lambda: namespace not in listener.client.namespaces)
    listener.close()


def test_one_sockets_flood_leaves_the_users_other_socket_alone(
    live_app: Any, supervisor: dict[str, Any]
) -> None:
    """Budgets are per socket: the user's second console still has all of its own."""
    http = browser(live_app.url, supervisor["email"], supervisor["password"])
    flooding, quiet = Listener(reconnection=False), Listener(reconnection=False)
    flooding.connect(live_app.url, http, AGENT_NS)
    quiet.connect(live_app.url, http, AGENT_NS)

    _heartbeats_until_refused(flooding, AGENT_NS)

    for _ in range(BURST):
        assert "at" in quiet.client.call("heartbeat", {}, namespace=AGENT_NS, timeout=5)
    flooding.close()
    quiet.close()
