"""Redis keys of the routing pipeline, in one place so every process agrees on them.

commands -> (router) -> journal + outbox (one atomic commit) -> (publisher) -> the world.
"""

from __future__ import annotations

COMMANDS = "cc:routing:commands"  # what web processes ask for (consumer group "router")
JOURNAL = "cc:routing:journal"  # what the router applied, with the time it applied it
OUTBOX = "cc:routing:outbox"  # what the router decided, to be delivered (group "publisher")
SNAPSHOT = "cc:routing:snapshot"  # engine state + the journal id it includes
LEADER = "cc:routing:leader"  # leader lock: one active router, the others stand by
RESERVATION = "cc:routing:reservation:"  # + reservation id -> {agent_id, task_id, expires_at}
TASK = "cc:routing:task:"  # + task id -> {agent_id, status} (assigned/ended), for authorisation
AGENT_STATE = "cc:routing:agent:"  # + agent id -> {state, reason, since}
WAITING = "cc:routing:waiting:"  # + task id -> {queue_id, position, ewt_seconds} (short TTL)
ROUTER_GROUP = "router"
ROUTER_CONSUMER = "leader"  # one name, so a new leader inherits the old one's pending commands
NOTIFY_GROUP = "notify"  # outbox -> Redis projections and agents' browsers (latency-critical)
EVENT_LOG_GROUP = "event-log"  # outbox -> SQL interaction events (durable, may lag)
COMMANDS_MAXLEN = 200_000
OUTBOX_MAXLEN = 200_000
