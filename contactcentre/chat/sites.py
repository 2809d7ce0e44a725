"""A chat site's public face: its configuration for the widget, opening hours, and whether
anyone is there to answer; plus the origins Socket.IO admits for all sites."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.platform.runtime import Runtime
from contactcentre.router.streams import AGENT_STATE
from contactcentre.store.models import Agent, ChatSite
from ivr.calendar import parse_calendar
from routing.config import CapacityProfile

# What the pre-chat form offers; the value becomes the task's `intent` (routing plans match it).
TOPICS = (
    {"value": "orders", "label": "An order"},
    {"value": "billing", "label": "Billing and payments"},
    {"value": "technical_support", "label": "Technical support"},
    {"value": "sales", "label": "Buying something new"},
    {"value": "general", "label": "Something else"},
)
TOPIC_VALUES = frozenset(t["value"] for t in TOPICS)
_CACHE_SECONDS = 5.0


def exact_origin(value: str) -> str:
    """`scheme://host[:port]` as browsers send it in `Origin` (lower case, IDN hosts in
    punycode, no default port); ValueError with a readable reason for anything else."""
    parts = urlsplit(value.strip())
    if "*" in value:
        raise ValueError(f"{value!r}: give exact origins, without wildcards")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an origin; write it as https://shop.example.com")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{value!r}: an origin has no path; write it as https://shop.example.com")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{value!r}: an origin has no user name or password")
    try:
        port = parts.port
        host = parts.hostname.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise ValueError(f"{value!r}: the host or port is not valid") from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def site_by_key(session: Session, widget_key: str) -> ChatSite | None:
    if not widget_key or len(widget_key) > 40:
        return None
    return session.scalars(
        select(ChatSite).where(ChatSite.widget_key == widget_key, ChatSite.active.is_(True))
    ).first()


def is_open(site: ChatSite, now: datetime | None = None) -> bool:
    """Within the site's business hours ({} = always open)."""
    hours = site.business_hours or {}
    if not hours.get("weekly"):
        return True
    calendar = parse_calendar(
        hours.get("timezone", "UTC"), hours["weekly"], hours.get("holidays", [])
    )
    return calendar.status(now or datetime.now(UTC)) == "open"


def validate_hours(hours: dict[str, Any]) -> None:
    """Raises ValueError with a readable reason for hours the calendar cannot use."""
    if not hours:
        return
    weekly = hours.get("weekly")
    if not isinstance(weekly, dict):
        raise ValueError('business_hours needs "weekly": {"mon": ["09:00-17:00"], ...}')
    parse_calendar(str(hours.get("timezone", "UTC")), weekly, list(hours.get("holidays", [])))


class AgentsOnline:
    """Whether any agent who may take chats is signed in (any state but offline, from the
    router's projections: one on a break or busy will answer soon), cached a few seconds: every
    widget page view asks, and the answer only steers "chat now" vs "leave a message"."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._lock = threading.Lock()
        self._at = 0.0
        self._value = False

    def __call__(self) -> bool:
        with self._lock:
            if time.monotonic() - self._at < _CACHE_SECONDS:
                return self._value
        value = self._scan()
        with self._lock:
            self._value, self._at = value, time.monotonic()
        return value

    def _scan(self) -> bool:
        client = self._runtime.redis
        signed_in = []
        for key in client.scan_iter(match=AGENT_STATE + "*", count=500):
            state: Any = client.hget(key, "state")
            agent_id = str(key).removeprefix(AGENT_STATE)
            if state and state != "offline" and agent_id.isdigit():
                signed_in.append(int(agent_id))
        if not signed_in:
            return False
        with self._runtime.db.session() as session:
            capacities: list[dict[str, Any] | None] = list(
                session.scalars(select(Agent.capacity).where(Agent.id.in_(signed_in)))
            )
            return any(takes_chats(capacity) for capacity in capacities)


def takes_chats(capacity: dict[str, Any] | None) -> bool:
    """An agent's capacity profile admits at least one chat (no profile = the default's 3)."""
    profile = CapacityProfile.from_dict(capacity) if capacity else CapacityProfile()
    return profile.limits.get("chat", 0) > 0


def public_config(site: ChatSite, runtime: Runtime, agents_online: bool) -> dict[str, Any]:
    settings = runtime.settings
    open_now = is_open(site)
    return {
        "name": site.name,
        "theme": dict(site.theme or {}),
        "open": open_now,
        "agents_available": open_now and agents_online,
        "bot": site.bot_enabled,
        "topics": list(TOPICS),
        "limits": {
            "message_chars": settings.chat_max_message_chars,
            "attachment_bytes": settings.chat_max_attachment_bytes,
            "attachment_types": list(settings.chat_attachment_types),
        },
    }


class SiteOrigins:
    """Every active site's allowed origins, refreshed every few seconds, for the Socket.IO
    handshake (which runs before any namespace knows the site)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._lock = threading.Lock()
        self._at = -_CACHE_SECONDS
        self._origins: frozenset[str] = frozenset()

    def __contains__(self, origin: object) -> bool:
        with self._lock:
            stale = time.monotonic() - self._at >= _CACHE_SECONDS
        if stale:
            self._refresh()
        return isinstance(origin, str) and origin.lower().rstrip("/") in self._origins

    def _refresh(self) -> None:
        with self._runtime.db.session() as session:
            rows = session.scalars(
                select(ChatSite.allowed_origins).where(ChatSite.active.is_(True))
            )
            origins = frozenset(o.lower().rstrip("/") for row in rows for o in row or [])
        with self._lock:
            self._origins, self._at = origins, time.monotonic()


def site_origins(runtime: Runtime) -> SiteOrigins:
    """The process's cache of every active chat site's allowed origins."""
    found: SiteOrigins | None = getattr(runtime, "_site_origins", None)
    if found is None:
        found = SiteOrigins(runtime)
        runtime._site_origins = found  # type: ignore[attr-defined]
    return found
