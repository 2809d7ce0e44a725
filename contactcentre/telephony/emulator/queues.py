"""Twilio call queues: <Enqueue> with its waitUrl loop and action, and dequeueing by <Dial><Queue>.

A queued caller hears the waitUrl document (re-requested each time it ends) until an agent leg
dequeues it, it executes <Leave>, hangs up, or the call is redirected by the REST API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import defaults, sids
from .call import Call
from .interpreter import HANGUP, LEAVE, Interpreter, Next, Outcome
from .twiml import TwimlError, Verb, parse

if TYPE_CHECKING:
    from .carrier import Carrier

WAIT_VERBS = frozenset({"Say", "Play", "Pause", "Redirect", "Leave", "Hangup", "Gather"})


@dataclass
class CallQueue:
    sid: str
    name: str
    members: list[tuple[str, float]] = field(default_factory=list)  # (call sid, joined at)
    max_size: int = 1000
    waits: list[float] = field(default_factory=list)  # completed waits, for AvgQueueTime

    def average_wait(self) -> int:
        return round(sum(self.waits) / len(self.waits)) if self.waits else 0


class QueueBook:
    """All named queues of the account; guarded by the carrier's condition."""

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier
        self.queues: dict[str, CallQueue] = {}

    def named(self, name: str) -> CallQueue:
        with self.carrier.cond:
            if name not in self.queues:
                self.queues[name] = CallQueue(sids.new_sid(sids.QUEUE), name)
            return self.queues[name]

    def join(self, call: Call) -> CallQueue:
        queue = self.named(call.queue_name or "")
        with self.carrier.cond:
            queue.members.append((call.sid, self.carrier.clock.elapsed()))
            self.carrier.cond.notify_all()
        return queue

    def position(self, call: Call) -> int:
        queue = self.named(call.queue_name or "")
        with self.carrier.cond:
            return next((i + 1 for i, (sid, _) in enumerate(queue.members) if sid == call.sid), 0)

    def remove(self, call: Call) -> int:
        """Take the call out of its queue; returns the seconds it waited."""
        with self.carrier.cond:
            name, call.queue_name = call.queue_name, None
            queue = self.queues.get(name or "")
            if queue is None:
                return 0
            for index, (sid, joined) in enumerate(queue.members):
                if sid == call.sid:
                    del queue.members[index]
                    waited = self.carrier.clock.elapsed() - joined
                    queue.waits.append(waited)
                    self.carrier.cond.notify_all()
                    return round(waited)
            return 0

    def dequeue(self, name: str, agent: Call) -> Call | None:
        """Bridge the longest-waiting caller of `name` to `agent` (what <Dial><Queue> does)."""
        with self.carrier.cond:
            queue = self.queues.get(name)
            if queue is None or not queue.members:
                return None
            caller = self.carrier.calls[queue.members[0][0]]
            caller.queue_time = self.remove(caller)
            caller.bridged_to, agent.bridged_to = agent.sid, caller.sid
            caller.ever_connected = agent.ever_connected = True
            self.carrier.cond.notify_all()
            return caller


def _wait_params(book: QueueBook, call: Call, queue: CallQueue, joined: float) -> dict[str, str]:
    with book.carrier.cond:
        return {
            "QueueSid": queue.sid,
            "QueuePosition": str(book.position(call)),
            "QueueTime": str(round(book.carrier.clock.elapsed() - joined)),
            "AvgQueueTime": str(queue.average_wait()),
            "CurrentQueueSize": str(len(queue.members)),
            "MaxQueueSize": str(queue.max_size),
        }


def _play_wait_document(
    interp: Interpreter, url: str, method: str, params: dict[str, str]
) -> tuple[str | None, str]:
    """Run the waitUrl document once: (QueueResult if it ended the wait, URL to use next)."""
    answer = interp.request(url, method, params, purpose="queue-wait")
    if answer is None:
        return "system-error", url
    try:
        outcome = interp.execute(parse(*answer), WAIT_VERBS)
    except TwimlError as exc:
        interp.application_error(exc.code, exc.message)
        return "system-error", url
    if outcome is LEAVE:
        return "leave", url
    if outcome is HANGUP:
        interp.hang_up("twiml")
        return "hangup", url
    return None, outcome.url if isinstance(outcome, Next) and outcome.url else url


def _wait_loop(interp: Interpreter, verb: Verb, queue: CallQueue, joined: float) -> str:
    """Play the wait document until the call leaves the queue; returns the QueueResult so far."""
    c, book = interp.call, interp.carrier.queues
    wait_url = verb.get("waitUrl")
    wait_method = (verb.get("waitUrlMethod") or "POST").upper()
    result: str | None = None
    interp.stop_when = lambda: c.queue_name is None
    try:
        if not wait_url:
            with c.cond:
                c.record("carrier", "wait-music", queue.name)
                c.cond.wait_for(interp.stopped)
        while wait_url and result is None and not interp.interrupted:
            began = interp.carrier.clock.elapsed()
            params = _wait_params(book, c, queue, joined)
            result, wait_url = _play_wait_document(interp, wait_url, wait_method, params)
            spent = interp.carrier.clock.elapsed() - began
            interp.sleep(max(0.0, defaults.WAIT_LOOP_MIN_SECONDS - spent))
    finally:
        interp.stop_when = None
    with c.cond:
        if c.bridged_to is not None:
            return "bridged"
        if c.hangup_requested is not None:
            return "hangup"
        if result is not None:
            return result
        return "redirected" if c.redirect is not None else "leave"


def enqueue(interp: Interpreter, verb: Verb) -> Outcome:
    c, book = interp.call, interp.carrier.queues
    with c.cond:
        c.queue_name = verb.text or "default"
        c.record("app", "enqueue", c.queue_name)
    queue = book.join(c)
    joined = interp.carrier.clock.elapsed()
    result = _wait_loop(interp, verb, queue, joined)
    waited = book.remove(c) if c.queue_name is not None else c.queue_time
    if result == "bridged":
        # Talk to the agent until either side ends the bridge; then the caller's TwiML continues.
        with c.cond:
            agent = interp.carrier.calls.get(c.bridged_to or "")
            c.cond.wait_for(
                lambda: c.interrupted or agent is None or agent.is_over or agent.bridged_to != c.sid
            )
            c.bridged_to = None
    params = {"QueueResult": result, "QueueSid": queue.sid, "QueueTime": str(waited)}
    action = verb.get("action")
    method = (verb.get("method") or "POST").upper()
    with c.cond:
        hung_up, redirected = c.hangup_requested is not None, c.redirect is not None
    if hung_up or redirected:
        if action:  # reported, but the TwiML returned is ignored
            interp.request(action, method, params, purpose="action-after-hangup", fatal=False)
        return HANGUP if hung_up else None
    return Next(action, method, params) if action else None
