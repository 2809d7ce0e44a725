"""The fault suite's audit, after the load has drained: from the SQL event log, the router's
outbox (every decision it ever committed), the carrier's calls and what each console received.

- lost: a task the platform took (an API 201/409, a call with an interaction, an email answered
  250) that never ended; an email answered 250 that was never stored, or stored and never made
  an interaction (never routed); an offer decided that never reached its agent's console; an
  offer whose CRM screen pop (a worker job) never arrived.
- duplicated: a task ended twice, a reservation decided twice, an interaction event logged twice
  (the same created/terminal event, or the same event at the same moment with the same data),
  an agent leg dialled twice for one reservation, an email stored twice or made into more than
  one interaction.
- double_offered: a task offered while an earlier offer of it was still open.
- stuck_calls: a call whose caller is still on the line, whose call state is not ended, or whose
  interaction never ended, once nothing moves any more.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.faults_load import Submitted

ROUTER_ENDS = frozenset({"completed", "canceled", "exited", "transferred"})
PER_RESERVATION = frozenset({"offered", "accepted", "rejected", "offer_expired", "offer_withdrawn"})
LIVE_AT_CARRIER = frozenset({"queued", "ringing", "in-progress"})


@dataclass
class Decisions:
    """The outbox, decoded: (entry id, effect) in commit order, and offers by reservation."""

    history: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    offers: dict[str, dict[str, Any]] = field(default_factory=dict)  # rid -> effect + at


def read_outbox(client: Any) -> Decisions:
    from contactcentre.router.streams import OUTBOX

    decisions = Decisions()
    start = "-"
    while True:
        entries = client.xrange(OUTBOX, min=start, max="+", count=500)
        for entry_id, fields in entries:
            for delivery in json.loads(fields.get("effects") or "[]"):
                effect = dict(delivery["effect"])
                effect["at"] = delivery.get("at")
                decisions.history.append((entry_id, effect))
                if effect["kind"] == "offer_created":
                    decisions.offers.setdefault(effect["reservation_id"], effect)
        if len(entries) < 500:
            return decisions
        start = "(" + entries[-1][0]


@dataclass(frozen=True)
class Stored:
    """One stored copy of an emailed message, and what the intake made of it."""

    inbound_id: int
    status: str  # received (not processed yet), processed, quarantined
    interaction_id: str | None  # its thread's


def mail_intake(database_url: str, keys: list[str]) -> dict[str, list[Stored]]:
    """Message key -> every stored copy of it (one, when nothing was duplicated)."""
    from sqlalchemy import select

    from contactcentre.store.db import Database
    from contactcentre.store.models import EmailThread, InboundEmail

    found: dict[str, list[Stored]] = defaultdict(list)
    db = Database(database_url)
    try:
        with db.session() as session:
            for first in range(0, len(keys), 500):
                query = (
                    select(
                        InboundEmail.message_key,
                        InboundEmail.id,
                        InboundEmail.status,
                        EmailThread.interaction_id,
                    )
                    .outerjoin(EmailThread, EmailThread.id == InboundEmail.thread_id)
                    .where(InboundEmail.message_key.in_(keys[first : first + 500]))
                    .order_by(InboundEmail.id)
                )
                for key, inbound_id, status, interaction_id in session.execute(query):
                    found[key].append(Stored(inbound_id, status, interaction_id))
    finally:
        db.dispose()
    return dict(found)


def task_set(database_url: str, submitted: Submitted) -> dict[str, dict[str, Any]]:
    """Interaction id -> its row's facts, for every call, task and email this scenario put in
    (an email's interaction carries its thread's id: `via` says it came by SMTP)."""
    from sqlalchemy import select

    from contactcentre.store.db import Database
    from contactcentre.store.models import Interaction

    wanted = {
        **{sid: "voice" for sid in submitted.calls},
        **dict.fromkeys(submitted.tasks, "email"),
    }
    mailed = {
        s.interaction_id
        for copies in mail_intake(database_url, list(submitted.mailed.tried)).values()
        for s in copies
        if s.interaction_id is not None
    }
    found: dict[str, dict[str, Any]] = {}
    db = Database(database_url)
    try:
        with db.session() as session:
            for column, ids in (
                (Interaction.external_id, list(wanted)),
                (Interaction.id, list(mailed)),
            ):
                for first in range(0, len(ids), 500):
                    rows = session.scalars(
                        select(Interaction).where(column.in_(ids[first : first + 500]))
                    )
                    for row in rows:
                        by_smtp = row.id in mailed
                        if not by_smtp and wanted.get(row.external_id or "") != row.channel:
                            continue
                        found[row.id] = {
                            "channel": row.channel,
                            "external_id": row.external_id,
                            "via": "smtp" if by_smtp else None,
                            "status": row.status,
                            "ended": row.ended_at is not None,
                            "created": row.created_at.timestamp() if row.created_at else None,
                        }
    finally:
        db.dispose()
    return found


def events_of(database_url: str, ids: list[str]) -> dict[str, list[Any]]:
    from sqlalchemy import select

    from contactcentre.store.db import Database
    from contactcentre.store.models import InteractionEvent

    db = Database(database_url)
    found: dict[str, list[Any]] = defaultdict(list)
    try:
        with db.session() as session:
            for first in range(0, len(ids), 500):
                query = select(InteractionEvent).where(
                    InteractionEvent.interaction_id.in_(ids[first : first + 500])
                )
                for event in session.scalars(query.order_by(InteractionEvent.id)):
                    found[event.interaction_id].append(
                        (event.type, event.occurred_at, dict(event.data or {}))
                    )
    finally:
        db.dispose()
    return found


def semantic_duplicates(events: list[tuple[str, Any, dict[str, Any]]]) -> list[str]:
    """Events the log holds twice under different keys (see the module's docstring)."""
    seen: Counter[tuple[Any, ...]] = Counter()
    for kind, at, data in events:
        if kind == "created" or kind in ROUTER_ENDS:
            seen[(kind,)] += 1
        elif kind in PER_RESERVATION:
            seen[(kind, data.get("reservation_id"))] += 1
        else:
            plain = {k: v for k, v in data.items() if k != "trace"}
            seen[(kind, at, json.dumps(plain, sort_keys=True, default=str))] += 1
    return [str(key[:2]) for key, count in seen.items() if count > 1]


def offers_open_twice(history: list[tuple[str, dict[str, Any]]], tasks: set[str]) -> list[str]:
    """Tasks offered while an offer of them was open (the failover test's invariant)."""
    open_offer: dict[str, str] = {}
    doubled: list[str] = []
    for _entry, effect in history:
        task = effect.get("task_id", "")
        if task not in tasks:
            continue
        kind = effect["kind"]
        if kind == "offer_created":
            if task in open_offer:
                doubled.append(task)
            open_offer[task] = effect["reservation_id"]
        elif kind in ("offer_rescinded", "task_assigned", "task_ended"):
            open_offer.pop(task, None)
    return doubled


def carrier_view(emulator: Any, submitted: Submitted, log_from: int = 0) -> dict[str, Any]:
    """Per interaction, the agent legs the carrier made; our callers still on the line; the
    callers the carrier dropped on an application error; webhooks that failed, by purpose."""
    legs: dict[str, int] = Counter()
    for call in emulator.calls():
        if not str(call.to).startswith("client:agent_"):
            continue
        query = parse_qs(urlsplit(call.status_callback or "").query)
        interaction = (query.get("interaction") or [""])[0]
        if interaction:
            legs[interaction] += 1
    live = []
    dropped = []
    for sid in submitted.calls:
        call = emulator.call(sid)
        if str(call.status) in LIVE_AT_CARRIER:
            live.append(sid)
        if emulator.log.application_errors(sid):
            dropped.append(sid)
    failed: Counter[str] = Counter()
    for entry in emulator.log.entries()[log_from:]:
        if entry.kind != "webhook":
            continue
        status = entry.detail.get("status")
        if status is None or int(str(status)) >= 500:
            failed[str(entry.detail.get("purpose"))] += 1
    return {"agent_legs": dict(legs), "live": live, "dropped": dropped, "failed": dict(failed)}


def audit(
    *,
    database_url: str,
    redis: Any,
    emulator: Any,
    submitted: Submitted,
    consoles: dict[str, Any],
    crm: Any,
    log_from: int = 0,
) -> dict[str, Any]:
    from contactcentre.voice.call_state import CallStore

    rows = task_set(database_url, submitted)
    tasks = set(rows)
    decisions = read_outbox(redis)
    ended: Counter[str] = Counter()
    assigned: Counter[str] = Counter()
    routed: set[str] = set()
    for _entry, effect in decisions.history:
        task = effect.get("task_id")
        if task not in tasks:
            continue
        routed.add(task)
        if effect["kind"] == "task_ended":
            ended[task] += 1
        elif effect["kind"] == "task_assigned":
            assigned[effect["reservation_id"]] += 1
    events = events_of(database_url, sorted(tasks))
    by_external = {r["external_id"]: iid for iid, r in rows.items()}

    never_in = sorted(x for x in submitted.answers if x not in by_external)  # 201 yet no row
    unended = sorted(
        iid
        for iid, row in rows.items()
        if (iid in routed and ended[iid] == 0) or (iid not in routed and not row["ended"])
    )
    offers = {rid: o for rid, o in decisions.offers.items() if o["task_id"] in tasks}
    lost_offers = sorted(
        rid
        for rid, offer in offers.items()
        if rid not in consoles[str(offer["agent_id"])].offers_received()
    )
    lost_pops = sorted(rid for rid in offers if rid not in crm.received)

    ended_twice = sorted(t for t, n in ended.items() if n > 1)
    assigned_twice = sorted(r for r, n in assigned.items() if n > 1)
    logged_twice = {iid: d for iid in tasks if (d := semantic_duplicates(events.get(iid, [])))}
    carrier = carrier_view(emulator, submitted, log_from)
    legs_twice = sorted(
        iid
        for iid, legs in carrier["agent_legs"].items()
        if iid in tasks and legs > sum(1 for _t, _a, d in events.get(iid, []) if _t == "accepted")
    )
    doubled = offers_open_twice(decisions.history, tasks)

    calls = CallStore(redis)
    voice = {iid: r for iid, r in rows.items() if r["channel"] == "voice"}
    stuck = set()
    for iid, row in voice.items():
        state = calls.get(iid)
        if not row["ended"] or (state is not None and state.phase not in ("ended", "callback")):
            stuck.add(iid)
    sid_to_iid = {r["external_id"]: iid for iid, r in voice.items()}
    stuck |= {sid_to_iid.get(sid, sid) for sid in carrier["live"]}

    mail = email_audit(database_url, submitted)
    lost = len(never_in) + len(unended) + len(lost_offers) + len(lost_pops) + mail["lost"]
    duplicated = (
        len(ended_twice) + len(assigned_twice) + len(logged_twice) + len(legs_twice)
    ) + mail["duplicated"]
    return {
        "lost": lost,
        "duplicated": duplicated,
        "double_offered": len(doubled),
        "stuck_calls": len(stuck),
        "tasks": sum(1 for r in rows.values() if r["channel"] == "email" and not r["via"]),
        "emails": len(submitted.mailed.acked),
        "calls": len(voice),
        "offers": len(offers),
        "lost_detail": {
            "accepted_but_missing": never_in[:5],
            "never_ended": unended[:5],
            "offers_not_delivered": lost_offers[:5],
            "crm_pops_missing": lost_pops[:5],
            "counts": [len(never_in), len(unended), len(lost_offers), len(lost_pops)],
        },
        "duplicated_detail": {
            "ended_twice": ended_twice[:5],
            "assigned_twice": assigned_twice[:5],
            "logged_twice": dict(list(logged_twice.items())[:5]),
            "agent_leg_dialled_twice": legs_twice[:5],
        },
        "email": mail["detail"],
        "double_offered_tasks": doubled[:5],
        "stuck": sorted(stuck)[:5],
        "submits_refused": len(submitted.refused),
        "calls_without_interaction": len(set(submitted.calls) - set(by_external)),
        "calls_dropped_by_carrier": len(carrier["dropped"]),
        "webhooks_failed": carrier["failed"],
        "crm_pops_redelivered": sum(1 for t in crm.received.values() if len(t) > 1),
    }


def email_audit(database_url: str, submitted: Submitted) -> dict[str, Any]:
    """Every message answered 250 stored once and made into one interaction (its routing, offer
    and completion are the task checks'); what was never answered 250 may be stored or not."""
    mailed = submitted.mailed
    intake = mail_intake(database_url, list(mailed.tried))
    acked = sorted(mailed.acked)
    never_stored = [k for k in acked if not intake.get(k)]
    never_routed = [
        k for k in acked if intake.get(k) and not any(c.interaction_id for c in intake[k])
    ]
    stored_twice = sorted(k for k, copies in intake.items() if len(copies) > 1)
    routed_twice = sorted(
        k for k, copies in intake.items() if len({c.interaction_id for c in copies}) > 1
    )
    return {
        "lost": len(never_stored) + len(never_routed),
        "duplicated": len(stored_twice) + len(routed_twice),
        "detail": {
            "acknowledged": len(acked),
            "never_stored": never_stored[:5],
            "never_routed": never_routed[:5],
            "stored_twice": stored_twice[:5],
            "routed_twice": routed_twice[:5],
            "stored_unacknowledged": sum(1 for k in intake if k not in mailed.acked),
            "refused": dict(list(mailed.refused.items())[:5]),
            "resends": mailed.resends,
            "quarantined": sum(
                1 for copies in intake.values() for c in copies if c.status == "quarantined"
            ),
        },
    }


def rq_backlog(redis_url: str) -> dict[str, int]:
    """Jobs of the worker's queues not done: waiting, running (or abandoned by a killed worker
    and not yet noticed), scheduled (a retry; not the recurring roll-up), failed."""
    import redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    from contactcentre.platform.scheduler import QUEUES
    from contactcentre.reporting.schedule import JOB_PREFIX as ROLLUP
    from contactcentre.reporting.sla_schedule import JOB_PREFIX as SLA_WATCH
    from contactcentre.reporting.value_schedule import JOB_PREFIX as CLV_SNAPSHOT

    connection = redis.Redis.from_url(redis_url)
    counts = {"queued": 0, "started": 0, "scheduled": 0, "failed": 0}
    try:
        for name in QUEUES:
            queue = Queue(name, connection=connection)
            counts["queued"] += queue.count
            counts["started"] += len(connection.zrange(StartedJobRegistry(queue=queue).key, 0, -1))
            # The reports' roll-up, the SLA watch and the quarter-end CLV snapshot book their
            # next runs themselves: always scheduled, never owed.
            scheduled = ScheduledJobRegistry(queue=queue).get_job_ids()
            counts["scheduled"] += sum(
                1 for job in scheduled if not job.startswith((ROLLUP, SLA_WATCH, CLV_SNAPSHOT))
            )
            counts["failed"] += len(FailedJobRegistry(queue=queue).get_job_ids())
    finally:
        connection.close()
    return counts
