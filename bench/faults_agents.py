"""The fault suite's agents: consoles (python-socketio clients that resume as the browser does)
that accept every offer and finish every contact, run on one asyncio loop in a thread.

A call is ended as the console ends it (the hang-up button: POST /calls/<id>/hangup); one the
app never makes live is noted, then completed as a task so routing goes on. A console whose
socket is dropped holds its ringing offers until it has resumed, as an agent who cannot see
the pop would.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from collections import Counter
from concurrent.futures import Future
from typing import Any

from bench.scaleout_clients import AGENT_NS, AgentLogin, Console, Http, SequencedRooms, Tally

PATIENCE_SECONDS = 90.0  # how long a request is retried while a part of the platform is down
HANGUP_PATIENCE_SECONDS = 45.0  # longer than any reconciliation may take to make a call live


class PatientHttp(Http):
    """The REST API, each request retried (0.25 s apart, doubling to 2 s) until it gets an
    answer below 500 or PATIENCE_SECONDS pass: a console waits out a web restart."""

    async def call(
        self, method: str, path: str, token: str | None = None, body: Any = None, what: str = ""
    ) -> tuple[int, Any]:
        import aiohttp

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        deadline = time.monotonic() + PATIENCE_SECONDS
        pause = 0.25
        while time.monotonic() < deadline:
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
            await asyncio.sleep(pause)
            pause = min(2.0, pause * 2)
        self.tally.http[f"{what or path} gave up"] += 1
        return 0, None


def _json(text: str) -> Any:
    import json

    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class FaultConsole(Console):
    """One agent's console (see the module's docstring); what it saw is in `tally` and in
    `seen`: (event, data, when) of every numbered event applied, in order."""

    def __init__(self, login: AgentLogin, base: str, talk_seconds: float) -> None:
        tally = Tally()
        super().__init__(login, base, PatientHttp(base, tally), talk_seconds)
        self.seen: list[tuple[str, dict[str, Any], float]] = []
        self.ringing: dict[str, dict[str, Any]] = {}  # reservation -> offer, until accepted
        self.calls: set[str] = set()  # voice tasks assigned and not yet ended by us
        self.online = asyncio.Event()
        self.drops: list[float] = []  # when we cut the connection
        self.resumed_at: list[float] = []
        self.restored: Counter[str] = Counter()  # what the desk showed after a drop
        self.accept_delay = 0.0  # seconds an agent looks at the pop before accepting

    # -- connection ---------------------------------------------------------------------------
    async def _connected(self) -> None:
        self.tally.event(self.name, "connected")
        self.background.spawn(self._resume_and_release())

    async def _resume_and_release(self) -> None:
        was_dropped = self.dropped
        await self._resume()
        if was_dropped and not self.dropped:
            self.resumed_at.append(time.time())
            await self._check_desk()
        if not self.dropped:
            self.online.set()

    async def _dropped(self, *_reason: Any) -> None:
        self.online.clear()
        await super()._dropped()

    async def _check_desk(self) -> None:
        """After a drop, the desk the console reloads must show what rings and what is on."""
        status, desk = await self.http.call(
            "GET", f"/api/v1/agents/{self.login.agent_id}/desk", self.login.token, what="desk"
        )
        if status != 200:
            self.restored["desk unavailable"] += 1
            return
        shown = {o.get("reservation_id") for o in desk.get("offers", [])}
        for rid in list(self.ringing):
            ok = rid in shown and any(
                o.get("reservation_id") == rid and o.get("pop") for o in desk["offers"]
            )
            self.restored["offer with pop" if ok else "offer missing"] += 1
        for task_id in list(self.calls):
            status, state = await self.http.call(
                "GET", f"/api/v1/calls/{task_id}", self.login.token, what="call state"
            )
            # Whatever it is now (it may have ended meanwhile), the console can show it.
            fine = status == 200 and bool((state or {}).get("status"))
            self.restored["call state" if fine else "call state missing"] += 1

    def abort_connection(self) -> bool:
        """Cut the socket's TCP connection with a reset (no close frame, no FIN): a cable
        pulled or a laptop lid shut. False when there is no websocket to cut."""
        ws = getattr(self.client.eio, "ws", None)
        connection = getattr(ws, "_conn", None)
        transport = getattr(connection, "transport", None)
        if transport is None:
            return False
        raw = transport.get_extra_info("socket")
        if raw is not None:
            with contextlib.suppress(OSError):  # linger 0: close() sends RST
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        self.drops.append(time.time())
        return True

    # -- events -------------------------------------------------------------------------------
    def _apply_all(self, envelopes: list[dict[str, Any]], replayed: bool) -> None:
        now = time.time()
        for envelope in envelopes:
            event, data = envelope["event"], envelope.get("data") or {}
            self.seen.append((event, data, now))
            if event == "offer_created":
                self._offered(data, now, replayed)
            elif event == "offer_rescinded":
                self.ringing.pop(data.get("reservation_id"), None)
            elif event == "task_assigned":
                task_id = data["task_id"]
                if self.channels.get(task_id) == "voice":
                    self.calls.add(task_id)
                    self.background.spawn(self._finish_call(task_id))
                else:
                    self.background.spawn(self._finish_task(task_id))

    def _offered(self, data: dict[str, Any], now: float, replayed: bool) -> None:
        self.ringing[data["reservation_id"]] = data
        super()._offered(data, now, replayed)

    async def _accept(self, reservation_id: str) -> None:
        if self.accept_delay:
            await asyncio.sleep(self.accept_delay)
        await self.online.wait()  # an agent who cannot see the pop cannot answer it
        if reservation_id not in self.ringing:
            return  # taken back meanwhile (the caller hung up)
        status, _ = await self.http.call(
            "POST", f"/api/v1/reservations/{reservation_id}/accept", self.login.token, {}, "accept"
        )
        self.ringing.pop(reservation_id, None)
        self.tally.outcomes[f"accept {status}"] += 1

    async def _finish_task(self, task_id: str) -> None:
        await asyncio.sleep(self.talk_seconds)
        status, _ = await self.http.call(
            "POST", f"/api/v1/tasks/{task_id}/complete", self.login.token, {}, "complete"
        )
        self.tally.outcomes[f"complete {status}"] += 1

    async def _finish_call(self, task_id: str) -> None:
        """Hang up after the talk; a call still not live after HANGUP_PATIENCE_SECONDS is
        noted and completed as a task (its caller is left where the app lost them)."""
        await asyncio.sleep(self.talk_seconds)
        deadline = time.monotonic() + HANGUP_PATIENCE_SECONDS
        while True:
            status, body = await self.http.call(
                "POST", f"/api/v1/calls/{task_id}/hangup", self.login.token, {}, "hangup"
            )
            code = ((body or {}).get("error") or {}).get("code")
            if status == 409 and code == "call_state" and await self._call_over(task_id):
                # The caller left (or the carrier dropped them) before the call was live: the
                # task ended with them; nothing is left to hang up.
                self.calls.discard(task_id)
                self.tally.outcomes["caller gone before live"] += 1
                return
            if status == 409 and code == "call_state" and time.monotonic() < deadline:
                await asyncio.sleep(1.0)
                continue
            break
        self.calls.discard(task_id)
        self.tally.outcomes[f"hangup {status}{' ' + code if code else ''}"] += 1
        if status == 200:
            return
        if status == 409 and code == "call_state":
            self.tally.outcomes["call never live"] += 1
        status, _ = await self.http.call(
            "POST", f"/api/v1/tasks/{task_id}/complete", self.login.token, {}, "complete"
        )
        self.tally.outcomes[f"complete after hangup refused {status}"] += 1

    async def _call_over(self, task_id: str) -> bool:
        status, state = await self.http.call(
            "GET", f"/api/v1/calls/{task_id}", self.login.token, what="call state"
        )
        return status == 200 and (state or {}).get("status") == "ended"

    def offers_received(self) -> dict[str, float]:
        """Reservation id -> when the offer reached this console (first time)."""
        got: dict[str, float] = {}
        for rid, _task, _at, when, _replayed, _pop in self.tally.offers:
            got.setdefault(rid, when)
        return got


class Floor:
    """Every console on one event loop in a thread of its own."""

    def __init__(self, base: str, logins: list[AgentLogin], talk_seconds: float) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="consoles", daemon=True)
        self.thread.start()
        self.consoles = self._run(self._make(base, logins, talk_seconds), 30)

    async def _make(
        self, base: str, logins: list[AgentLogin], talk_seconds: float
    ) -> list[FaultConsole]:
        consoles = [FaultConsole(login, base, talk_seconds) for login in logins]
        await asyncio.gather(*(c.start() for c in consoles))
        return consoles

    def _run(self, coroutine: Any, timeout: float) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def call_soon(self, function: Any, *args: Any) -> Any:
        """Run a plain function on the consoles' loop and return its result."""

        async def call() -> Any:
            return function(*args)

        return self._run(call(), 10)

    def wait_all_online(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(c.client.connected and c.online.is_set() for c in self.consoles):
                return
            time.sleep(0.1)
        raise RuntimeError("consoles did not all come back online")

    def by_agent(self) -> dict[str, FaultConsole]:
        return {str(c.login.agent_id): c for c in self.consoles}

    def close(self) -> None:
        async def stop() -> None:
            for console in self.consoles:
                for task in list(console.background.tasks):
                    task.cancel()
            await asyncio.gather(
                *(c.client.disconnect() for c in self.consoles), return_exceptions=True
            )
            await asyncio.gather(*(c.http.close() for c in self.consoles), return_exceptions=True)

        with contextlib.suppress(Exception):
            self._run(stop(), 20)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


__all__ = ["AGENT_NS", "FaultConsole", "Floor", "SequencedRooms"]
