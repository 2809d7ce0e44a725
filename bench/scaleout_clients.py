"""The scale-out bench's clients: agent consoles and chat customers, in client processes.

They resume as the browser does (agent_ui/static/js/realtime.js, agent_ui/static/chat/widget.js),
so what a reconnecting client never receives is what the bench counts as lost.
"""

from __future__ import annotations

import asyncio
import copy
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.chat import watch_collector

AGENT_NS = "/agent"
CHAT_NS = "/chat"
GAP_RESUME_SECONDS = 0.5  # realtime.js asks for a missing number after this long
HTTP_TRIES = 6  # a request the balancer could not place is tried again, 0.25 s, 0.5 s ... apart
SEND_SECONDS = 20.0  # a customer keeps resending an unacknowledged message this long
DEBUG = bool(os.environ.get("BENCH_CLIENT_DEBUG"))  # log every socket's traffic


class SequencedRooms:
    """realtime.js in Python: each room's events applied once and in order; a gap is asked for
    again after GAP_RESUME_SECONDS; the same decision reaching two rooms is applied once."""

    def __init__(self, last: dict[str, int]) -> None:
        self.last = dict(last)
        self.buffer: dict[str, dict[int, dict[str, Any]]] = {}
        self.seen_ids: set[str] = set()  # realtime.js trims its set; a bench run is bounded

    def receive(self, envelope: Any) -> list[dict[str, Any]]:
        """The envelopes now ready to apply, oldest first (none for a seen or foreign one)."""
        if not isinstance(envelope, dict) or not isinstance(envelope.get("seq"), int):
            return []
        room = envelope.get("room")
        if room not in self.last or envelope["seq"] <= self.last[room]:
            return []
        pending = self.buffer.setdefault(room, {})
        pending[envelope["seq"]] = envelope
        ready = []
        while self.last[room] + 1 in pending:
            following = pending.pop(self.last[room] + 1)
            self.last[room] = following["seq"]
            ident = (following.get("data") or {}).get("id")
            if ident:
                if ident in self.seen_ids:
                    continue
                self.seen_ids.add(ident)
            ready.append(following)
        return ready

    def has_gap(self) -> bool:
        return any(self.buffer.values())

    def restart(self, room: str, seq: int) -> None:
        """Too much was missed to replay: the console reloads and follows on from `seq`."""
        self.last[room] = seq
        self.buffer[room] = {}


async def first_connect(client: Any, url: str, **options: Any) -> None:
    """Connect, trying again as the browser's client does when the balancer answers 503 (its
    queue timed out while a thousand sockets open at once on two cores)."""
    for attempt in range(5):
        import socketio

        try:
            await client.connect(url, **options)
            return
        except socketio.exceptions.ConnectionError:
            if attempt == 4:
                raise
            await asyncio.sleep(0.5 * 2**attempt + random.random())


@dataclass
class Tally:
    """What one client process saw; sent to the bench as one dict when it stops."""

    offers: list[tuple[str, str, float, float, bool, bool]] = field(default_factory=list)
    received: dict[str, tuple[float, float]] = field(default_factory=dict)  # id: sent, got
    sent: dict[str, float] = field(default_factory=dict)  # message id -> first attempt
    acked: set[str] = field(default_factory=set)
    sockets: list[tuple[str, str, float]] = field(default_factory=list)  # name, what, when
    http: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)

    def event(self, name: str, what: str) -> None:
        self.sockets.append((name, what, time.time()))

    def as_dict(self) -> dict[str, Any]:
        """A copy: the queue pickles it later, while this process's sockets close."""
        return copy.deepcopy(
            {
                "offers": self.offers,
                "received": self.received,
                "sent": self.sent,
                "acked": sorted(self.acked),
                "sockets": self.sockets,
                "http": dict(self.http),
                "outcomes": dict(self.outcomes),
            }
        )


class Http:
    """The REST API through the balancer; a request that fails is tried again (bounded)."""

    def __init__(self, base: str, tally: Tally, headers: dict[str, str] | None = None) -> None:
        import aiohttp

        self.base = base
        self.tally = tally
        self.session = aiohttp.ClientSession(
            headers=headers, timeout=aiohttp.ClientTimeout(total=15)
        )

    async def call(
        self, method: str, path: str, token: str | None = None, body: Any = None, what: str = ""
    ) -> tuple[int, Any]:
        """(status, JSON body or None); status 0 when every try failed."""
        import aiohttp

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for attempt in range(HTTP_TRIES):
            try:
                async with self.session.request(
                    method, self.base + path, json=body, headers=headers
                ) as response:
                    text = await response.text()
                    if response.status < 500:
                        return response.status, _json(text)
                    self.tally.http[f"{what or path} {response.status}"] += 1
            except (aiohttp.ClientError, TimeoutError) as exc:
                self.tally.http[f"{what or path} {type(exc).__name__}"] += 1
            await asyncio.sleep(0.25 * 2**attempt)
        self.tally.http[f"{what or path} gave up"] += 1
        return 0, None

    async def close(self) -> None:
        await self.session.close()


def _json(text: str) -> Any:
    import json

    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class Background:
    """Handlers must not wait for the server (the socket's own reader runs them): spawn."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


# -- agents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentLogin:
    agent_id: int
    cookie: str  # the signed session cookie the console's socket sends
    token: str  # the bearer token of its REST calls


class Console:
    """One agent's console: desk, socket, resume; accepts every offer, follows a chat's room,
    answers each customer message, hangs a call up after `talk_seconds`."""

    def __init__(self, login: AgentLogin, base: str, http: Http, talk_seconds: float) -> None:
        import socketio

        self.login = login
        self.name = f"agent:{login.agent_id}"
        self.base = base
        self.http = http
        self.tally = http.tally
        self.talk_seconds = talk_seconds
        self.rooms = SequencedRooms({})
        self.channels: dict[str, str] = {}  # task id -> channel of its offer
        self.replied: set[str] = set()
        self.background = Background()
        self.gap_pending = False
        self.dropped = False
        # As the browser's socket.io-client: first try 0.5-1.5 s after the drop, doubling,
        # capped at 3 s as realtime.js sets it (the widget: 5 s).
        self.client = socketio.AsyncClient(
            reconnection=True,
            reconnection_delay_max=3,
            websocket_extra_options={"origin": base},
            logger=DEBUG,
            engineio_logger=DEBUG,
        )
        self.client.on("connect", self._connected, namespace=AGENT_NS)
        self.client.on("connect_error", self._refused, namespace=AGENT_NS)
        self.client.on("disconnect", self._dropped, namespace=AGENT_NS)
        self.client.on("*", self._event, namespace=AGENT_NS)

    async def start(self) -> None:
        status, desk = await self.http.call(
            "GET", f"/api/v1/agents/{self.login.agent_id}/desk", self.login.token, what="desk"
        )
        if status != 200:
            raise RuntimeError(f"{self.name}: desk answered {status}: {desk}")
        self.rooms = SequencedRooms({desk["room"]: desk["seq"]})
        # A callable: Engine.IO's client moves a Cookie header into the cookie jar of an HTTP
        # session it drops on disconnect, so fixed headers would reconnect signed out (a
        # browser keeps its cookies).
        await first_connect(
            self.client,
            self.base,
            headers=lambda: {"Cookie": f"session={self.login.cookie}"},
            namespaces=[AGENT_NS],
            transports=["websocket"],
            wait_timeout=10,
        )

    async def _connected(self) -> None:
        self.tally.event(self.name, "connected")
        self.background.spawn(self._resume())

    async def _refused(self, data: Any = None) -> None:
        message = data.get("message") if isinstance(data, dict) else data
        self.tally.outcomes[f"socket refused: {message}"] += 1

    async def _dropped(self, *_reason: Any) -> None:
        self.dropped = True
        self.tally.event(self.name, "dropped")

    async def _resume(self) -> None:
        try:
            reply = await self.client.call(
                "resume", {"last_seq": dict(self.rooms.last)}, namespace=AGENT_NS, timeout=10
            )
        except Exception:  # disconnected again: the next connect resumes
            self.tally.outcomes["resume failed"] += 1
            return
        for room, part in (reply or {}).get("rooms", {}).items():
            if not part["complete"]:
                self.tally.outcomes["stale room"] += 1
                self.rooms.restart(room, part["seq"])
                continue
            for envelope in part["events"]:
                self._apply_all(self.rooms.receive(envelope), replayed=True)
        if self.dropped:
            self.tally.event(self.name, "resumed")
            self.dropped = False

    async def _event(self, _event: str, envelope: Any = None) -> None:
        if _event == "resync":  # the web process lost Redis a while: as realtime.js, resume
            self.background.spawn(self._resume())
            return
        self._apply_all(self.rooms.receive(envelope), replayed=False)
        if self.rooms.has_gap() and not self.gap_pending:
            self.gap_pending = True
            self.background.spawn(self._fill_gap())

    async def _fill_gap(self) -> None:
        await asyncio.sleep(GAP_RESUME_SECONDS)
        self.gap_pending = False
        self.tally.outcomes["gap resumed"] += 1
        await self._resume()

    def _apply_all(self, envelopes: list[dict[str, Any]], replayed: bool) -> None:
        now = time.time()
        for envelope in envelopes:
            event, data = envelope["event"], envelope["data"]
            if event == "offer_created":
                self._offered(data, now, replayed)
            elif event == "task_assigned" and self.channels.get(data["task_id"]) == "voice":
                self.background.spawn(self._finish_call(data["task_id"]))
            elif event == "chat_message" and data["author"]["kind"] == "customer":
                self._answer(data, now, replayed)

    def _offered(self, data: dict[str, Any], now: float, replayed: bool) -> None:
        task_id, channel = data["task_id"], data.get("channel") or "voice"
        self.channels[task_id] = channel
        self.tally.offers.append(
            (data["reservation_id"], task_id, float(data["at"]), now, replayed, bool(data["pop"]))
        )
        if channel == "chat":  # as the console does: a chat's messages flow from the start
            self.background.spawn(self._join(f"interaction:{task_id}"))
        self.background.spawn(self._accept(data["reservation_id"]))

    async def _join(self, room: str) -> None:
        if room in self.rooms.last:
            return
        try:
            reply = await self.client.call("join", {"room": room}, namespace=AGENT_NS, timeout=10)
        except Exception:
            self.tally.outcomes["join failed"] += 1
            return
        if reply and reply.get("ok") and room not in self.rooms.last:
            self.rooms.last[room] = reply["seq"]

    async def _accept(self, reservation_id: str) -> None:
        status, _ = await self.http.call(
            "POST", f"/api/v1/reservations/{reservation_id}/accept", self.login.token, {}, "accept"
        )
        self.tally.outcomes[f"accept {status}"] += 1

    async def _finish_call(self, task_id: str) -> None:
        """Hang up after the talk; the caller may still be on the way into the conference
        (409 call_state); a call never live after 10 s is completed as a task instead."""
        await asyncio.sleep(self.talk_seconds)
        for _ in range(10):
            status, body = await self.http.call(
                "POST", f"/api/v1/calls/{task_id}/hangup", self.login.token, {}, "hangup"
            )
            code = ((body or {}).get("error") or {}).get("code")
            if status == 409 and code == "call_state":
                await asyncio.sleep(1.0)
                continue
            self.tally.outcomes[f"hangup {status}"] += 1
            if status == 200:
                return
            break
        else:
            self.tally.outcomes["hangup refused for 10 s: call never live"] += 1
        status, _ = await self.http.call(
            "POST", f"/api/v1/tasks/{task_id}/complete", self.login.token, {}, "complete"
        )
        self.tally.outcomes[f"complete {status}"] += 1

    def _answer(self, data: dict[str, Any], now: float, replayed: bool) -> None:
        ident, sent = data["body"].split("|")
        if ident in self.replied:
            return  # a resend delivered again: answered once
        self.replied.add(ident)
        if replayed:
            self.tally.outcomes["message replayed on resume"] += 1
        self.tally.received[ident] = (float(sent), now)
        self.background.spawn(self._reply(data["interaction_id"], "r-" + ident))

    async def _reply(self, interaction_id: str, ident: str) -> None:
        first = time.time()
        self.tally.sent[ident] = first
        # Tried again with the same client_id: the server keeps one copy and delivers it again.
        status, _ = await self.http.call(
            "POST",
            f"/api/v1/chats/{interaction_id}/messages",
            self.login.token,
            {"body": f"{ident}|{first}", "client_id": ident},
            "reply",
        )
        if status == 201:
            self.tally.acked.add(ident)
        else:
            self.tally.outcomes[f"reply {status}"] += 1


def agent_process(base: str, logins: list[AgentLogin], talk_seconds: float, pipes: Any) -> None:
    asyncio.run(_agents(base, logins, talk_seconds, pipes))


async def _agents(base: str, logins: list[AgentLogin], talk_seconds: float, pipes: Any) -> None:
    ready, results, stop = pipes
    tally = Tally()
    http = Http(base, tally)
    consoles = [Console(login, base, http, talk_seconds) for login in logins]
    for first in range(0, len(consoles), 25):  # a few at a time, like consoles opening
        await asyncio.gather(*(c.start() for c in consoles[first : first + 25]))
    collector = watch_collector("agents")
    ready.put(len(consoles))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, stop.wait)
    collector()
    results.put(("agents", tally.as_dict()))
    await asyncio.gather(*(c.client.disconnect() for c in consoles), return_exceptions=True)
    await http.close()


# -- chat customers -------------------------------------------------------------------------


class Customer:
    """One chat widget: reconnects with the last message number it has, and resends a message
    until it is acknowledged (same client_id), as widget.js does."""

    def __init__(self, name: str, base: str, http: Http, origin: str) -> None:
        import socketio

        self.name = name
        self.base = base
        self.http = http
        self.tally = http.tally
        self.origin = origin
        self.token = ""
        self.last_seq = 0
        self.seen: set[int] = set()
        self.online = asyncio.Event()
        self.dropped = False
        self.client = socketio.AsyncClient(
            reconnection=True,
            reconnection_delay_max=5,
            websocket_extra_options={"origin": origin},
            logger=DEBUG,
            engineio_logger=DEBUG,
        )
        self.client.on("connect", self._connected, namespace=CHAT_NS)
        self.client.on("disconnect", self._dropped, namespace=CHAT_NS)
        self.client.on("history", self._history, namespace=CHAT_NS)
        self.client.on("message", self._message, namespace=CHAT_NS)

    async def start(self) -> None:
        body = {"widget_key": "wk_bench", "name": f"Visitor {self.name}", "visitor_id": self.name}
        status, started = await self.http.call(
            "POST", "/chat/api/conversations", None, body, "start"
        )
        if status != 201:
            raise RuntimeError(f"customer {self.name} could not start a conversation: {started}")
        self.token = started["token"]
        await first_connect(
            self.client,
            self.base,
            auth=lambda: {"token": self.token, "last_seq": self.last_seq},
            namespaces=[CHAT_NS],
            transports=["websocket"],
            wait_timeout=10,
        )

    async def _connected(self) -> None:
        self.tally.event(self.name, "connected")
        self.online.set()

    async def _dropped(self, *_reason: Any) -> None:
        self.online.clear()
        self.dropped = True
        self.tally.event(self.name, "dropped")

    async def _history(self, data: Any) -> None:
        for message in (data or {}).get("messages", []):
            if self._apply(message) and self.dropped:
                self.tally.outcomes["message from history on reconnect"] += 1
        if self.dropped:  # what was missed has arrived: resumed
            self.tally.event(self.name, "resumed")
            self.dropped = False

    async def _message(self, envelope: Any) -> None:
        self._apply((envelope or {}).get("data", envelope))

    def _apply(self, message: dict[str, Any]) -> bool:
        """Note an agent's message the first time it arrives; whether it was new."""
        now = time.time()
        seq = message.get("seq")
        if not isinstance(seq, int) or seq in self.seen:
            return False
        self.seen.add(seq)
        self.last_seq = max(self.last_seq, seq)
        if (message.get("author") or {}).get("kind") != "agent":
            return False
        ident, sent = message["body"].split("|")
        self.tally.received.setdefault(ident, (float(sent), now))
        return True

    async def send(self, ident: str) -> None:
        first = time.time()
        self.tally.sent[ident] = first
        payload = {"body": f"{ident}|{first}", "client_id": ident}
        while time.time() - first < SEND_SECONDS:
            try:
                await asyncio.wait_for(self.online.wait(), SEND_SECONDS)
                reply = await self.client.call("message", payload, namespace=CHAT_NS, timeout=5)
            except Exception:  # dropped mid-call: resent once the widget is back
                self.tally.outcomes["message resent"] += 1
                await asyncio.sleep(0.2)
                continue
            if reply and reply.get("ok"):
                self.tally.acked.add(ident)
                return
            self.tally.outcomes[
                f"message refused {((reply or {}).get('error') or {}).get('code')}"
            ] += 1
            await asyncio.sleep(float(((reply or {}).get("error") or {}).get("retry_after") or 1))
        self.tally.outcomes["message never acknowledged"] += 1


def customer_process(base: str, origin: str, names: list[str], interval: float, pipes: Any) -> None:
    asyncio.run(_customers(base, origin, names, interval, pipes))


async def _customers(base: str, origin: str, names: list[str], interval: float, pipes: Any) -> None:
    ready, results, go, quiet, stop = pipes
    tally = Tally()
    http = Http(base, tally, headers={"Origin": origin})
    customers = [Customer(name, base, http, origin) for name in names]
    for first in range(0, len(customers), 20):
        await asyncio.gather(*(c.start() for c in customers[first : first + 20]))
    collector = watch_collector("customers")
    ready.put(len(customers))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, go.wait)
    background = Background()

    async def talk(customer: Customer) -> None:
        await asyncio.sleep(random.random() * interval)
        n = 0
        while not quiet.is_set():
            background.spawn(customer.send(f"{customer.name}.{n}"))
            n += 1
            await asyncio.sleep(interval)

    talkers = [asyncio.ensure_future(talk(c)) for c in customers]
    await loop.run_in_executor(None, quiet.wait)
    for talker in talkers:
        talker.cancel()  # no new messages; those being resent go on, and answers still arrive
    await loop.run_in_executor(None, stop.wait)
    collector()
    results.put(("customers", tally.as_dict()))
    for task in list(background.tasks):
        task.cancel()
    await asyncio.gather(*(c.client.disconnect() for c in customers), return_exceptions=True)
    await http.close()
