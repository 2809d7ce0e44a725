"""The customers' /chat sockets over real clients: each socket's events are budgeted (refused
with a clear error, then disconnected), and sockets are capped per conversation and address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import socketio

from contactcentre.chat.socket_caps import (
    ADDRESS,
    ChatSocketCounts,
    CustomerSocket,
    SocketCaps,
    client_address,
)
from contactcentre.settings import Settings
from tests.integration.chat.visitors import Customer
from tests.integration.realtime.live import eventually

BURST = 4


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Four events at once, then one every two seconds; four refusals close the socket. Two
    sockets per conversation, three per address."""
    return settings.model_copy(
        update={
            "socket_events_per_second": 0.5,
            "socket_event_burst": BURST,
            "socket_refusals_before_disconnect": 4,
            "chat_sockets_per_conversation": 2,
            "chat_sockets_per_address": 3,
        }
    )


def _started(site: Any, customers: Callable[..., Customer]) -> Customer:
    customer = customers()
    assert customer.start(site.widget_key).status_code == 201
    return customer


def _another_window(customers: Callable[..., Customer], of: Customer) -> Customer:
    """The same conversation opened in another tab: the same token, a socket of its own."""
    window = customers()
    window.token, window.conversation_id = of.token, of.conversation_id
    return window


def _refusal(customer: Customer, **connect: Any) -> str:
    with pytest.raises(socketio.exceptions.ConnectionError):
        customer.connect(**connect)
    return str(customer.refusal)


def _status(customer: Customer) -> Any:
    return customer.sio.call("status", {}, namespace="/chat", timeout=5)


def test_events_past_the_budget_are_refused_then_the_socket_is_closed(
    make_site: Callable[..., Any], customers: Callable[..., Customer]
) -> None:
    """The burst is answered; the next event is refused (acknowledgement and "refused" event
    say rate_limited and when to retry); refused on and on, the socket is disconnected."""
    ann = _started(make_site(), customers)
    ann.connect()

    answered = [_status(ann) for _ in range(BURST)]
    refused = _status(ann)

    assert all(reply["ok"] for reply in answered)
    assert refused["ok"] is False
    assert refused["error"]["code"] == "rate_limited"
    assert "too fast" in refused["error"]["message"]
    assert refused["error"]["retry_after"] == 2
    told = eventually(lambda: ann.of("refused"))
    assert told[0]["code"] == "rate_limited" and told[0]["event"] == "status"

    for _ in range(10):
        if not ann.sio.connected:
            break
        try:
            ann.sio.call("typing", {"active": True}, namespace="/chat", timeout=5)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            break
    eventually(lambda: not ann.sio.connected)
    assert any(e["code"] == "too_many_events" for e in ann.of("refused"))


def test_one_sockets_budget_is_its_own(
    make_site: Callable[..., Any], customers: Callable[..., Customer]
) -> None:
    """A second window of the same chat keeps its whole budget when the first spent its own."""
    ann = _started(make_site(), customers)
    ann.connect()
    window = _another_window(customers, ann)
    window.connect()
    for _ in range(BURST):
        _status(ann)
    assert _status(ann)["ok"] is False

    assert all(_status(window)["ok"] for _ in range(BURST))


def test_a_conversation_opens_only_so_many_sockets(
    make_site: Callable[..., Any], customers: Callable[..., Customer]
) -> None:
    """The third window of a chat is refused at the handshake, saying why; once a window
    closes, another may open."""
    ann = _started(make_site(), customers)
    ann.connect()
    second = _another_window(customers, ann)
    second.connect()

    reason = _refusal(_another_window(customers, ann))

    assert "too_many_sockets" in reason and "too many windows (2 at most)" in reason
    second.close()
    eventually(lambda: _opens(_another_window(customers, ann)))


def _opens(customer: Customer) -> bool:
    try:
        customer.connect()
    except socketio.exceptions.ConnectionError:
        return False
    return True


def test_an_address_opens_only_so_many_sockets(
    make_site: Callable[..., Any], customers: Callable[..., Customer]
) -> None:
    """Three chats from one address connect; the fourth is refused, naming the network."""
    site = make_site()
    for _ in range(3):
        _started(site, customers).connect()

    reason = _refusal(_started(site, customers))

    assert "too_many_sockets" in reason and "from your network (3 at most)" in reason


def test_behind_the_proxy_the_forwarded_address_is_counted(
    app: Any, make_site: Callable[..., Any], customers: Callable[..., Customer]
) -> None:
    """With CC_BEHIND_PROXY the last X-Forwarded-For hop is the client: three sockets from
    one forwarded address fill its cap while another forwarded address still connects."""
    app.extensions["contactcentre"].settings.behind_proxy = True
    site = make_site()
    crowd = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    for _ in range(3):
        _started(site, customers).connect(headers=crowd)
    redis = app.extensions["contactcentre"].redis
    assert redis.zcard(ADDRESS + "203.0.113.9") == 3

    assert "from your network" in _refusal(_started(site, customers), headers=crowd)
    _started(site, customers).connect(headers={"X-Forwarded-For": "203.0.113.10"})


def test_a_dead_processs_sockets_stop_counting(redis_client: Any) -> None:
    """Sockets nobody vouched for within the TTL leave the count; vouched ones stay."""
    counts = ChatSocketCounts(redis_client, SocketCaps(per_conversation=2, per_address=9), ttl=10)
    kept, dead = CustomerSocket("a", "c1", "10.0.0.1"), CustomerSocket("b", "c1", "10.0.0.1")
    assert counts.admit(kept, now=100) is None
    assert counts.admit(dead, now=100) is None
    assert counts.admit(CustomerSocket("c", "c1", "10.0.0.1"), now=101) == "conversation"

    counts.refresh([kept], now=108)  # the other socket's process was killed

    assert counts.admit(CustomerSocket("c", "c1", "10.0.0.1"), now=112) is None


def test_a_released_socket_is_not_brought_back_by_a_late_refresh(redis_client: Any) -> None:
    """A refresh that read the sockets before one closed does not count the closed one again."""
    counts = ChatSocketCounts(redis_client, SocketCaps(per_conversation=1, per_address=9), ttl=10)
    socket = CustomerSocket("a", "c1", "10.0.0.1")
    assert counts.admit(socket, now=100) is None
    counts.release(socket)
    counts.refresh([socket], now=101)
    assert counts.admit(CustomerSocket("b", "c1", "10.0.0.1"), now=102) is None


@pytest.mark.parametrize(
    ("environ", "behind_proxy", "address"),
    [
        ({"REMOTE_ADDR": "10.0.0.5"}, False, "10.0.0.5"),
        ({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, False, "10.0.0.5"),
        ({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 5.6.7.8"}, True, "5.6.7.8"),
        ({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": " "}, True, "10.0.0.5"),
        ({}, False, "unknown"),
    ],
)
def test_the_client_address_is_read_as_proxyfix_reads_it(
    environ: dict[str, str], behind_proxy: bool, address: str
) -> None:
    """Without the proxy setting a forwarded header is ignored; with it, its last hop counts."""
    assert client_address(environ, behind_proxy) == address
