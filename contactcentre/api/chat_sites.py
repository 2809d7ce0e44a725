"""/api/v1/chat-sites: the websites that embed the chat widget (administrators only).

Each site has a public widget key and the exact origins allowed to use it; everything else
(the queue its chats go to, the bot, business hours, colours) is the site's own."""

from __future__ import annotations

import secrets
from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select

from contactcentre.auth.access import require_api_role
from contactcentre.chat.sites import exact_origin, validate_hours
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import ChatSite, Queue, Role
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id, get_or_404

api = APIBlueprint(
    "chat_sites",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="chat sites")],
    abp_security=SECURITY,
)
THEME_KEYS = frozenset({"primary", "text", "title", "launcher"})


class SiteIn(Body):
    name: str = Field(min_length=1, max_length=120)
    allowed_origins: list[str] = Field(min_length=1, max_length=50)
    queue_id: Id | None = None
    bot_enabled: bool = True
    business_hours: dict[str, Any] = Field(default_factory=dict)
    theme: dict[str, str] = Field(default_factory=dict)
    active: bool = True

    @field_validator("allowed_origins")
    @classmethod
    def _exact_origins(cls, origins: list[str]) -> list[str]:
        return sorted({exact_origin(origin) for origin in origins})

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, hours: dict[str, Any]) -> dict[str, Any]:
        validate_hours(hours)
        return hours

    @field_validator("theme")
    @classmethod
    def _theme(cls, theme: dict[str, str]) -> dict[str, str]:
        unknown = set(theme) - THEME_KEYS
        if unknown:
            raise ValueError(f"unknown theme key(s) {sorted(unknown)}; use {sorted(THEME_KEYS)}")
        for key, limit in (("title", 80), ("launcher", 40)):  # texts: the header, the button
            if len(theme.get(key, "")) > limit:
                raise ValueError(f"theme.{key} is limited to {limit} characters")
        for key in ("primary", "text"):
            value = theme.get(key)
            if value is not None and not _is_colour(value):
                raise ValueError(f"theme.{key} must be a colour like #1f6feb")
        return theme


def _is_colour(value: str) -> bool:
    return (
        len(value) in (4, 7)
        and value.startswith("#")
        and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    )


class SiteOut(BaseModel):
    id: int
    name: str
    widget_key: str = Field(description="public: it identifies the site to the widget")
    allowed_origins: list[str]
    queue_id: int | None
    bot_enabled: bool
    business_hours: dict[str, Any]
    theme: dict[str, str]
    active: bool
    embed: str = Field(description="the script tag to paste into the site's pages")


class SiteList(BaseModel):
    items: list[SiteOut]


class SitePath(BaseModel):
    site_id: Id


def _out(site: ChatSite) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "widget_key": site.widget_key,
        "allowed_origins": list(site.allowed_origins or []),
        "queue_id": site.queue_id,
        "bot_enabled": site.bot_enabled,
        "business_hours": dict(site.business_hours or {}),
        "theme": dict(site.theme or {}),
        "active": site.active,
        "embed": f'<script src="{current_runtime().settings.public_base_url}/chat/widget.js" '
        f'data-widget-key="{site.widget_key}" async></script>',
    }


def _check_queue(session: Any, queue_id: int | None) -> None:
    if queue_id is not None:
        get_or_404(session, Queue, queue_id, "queue", "queue_id")


@api.get("/chat-sites", responses={200: SiteList, **ERRORS})
@require_api_role(Role.ADMIN)
def list_sites() -> Any:
    with current_runtime().db.session() as session:
        return {"items": [_out(s) for s in session.scalars(select(ChatSite).order_by(ChatSite.id))]}


@api.post("/chat-sites", responses={201: SiteOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create_site(body: SiteIn) -> Any:
    with current_runtime().db.session() as session:
        _check_queue(session, body.queue_id)
        site = ChatSite(widget_key="wk_" + secrets.token_urlsafe(18), **body.model_dump())
        session.add(site)
        session.flush()
        audit(session, "chat_site.create", "chat_site", site.id, {"origins": site.allowed_origins})
        session.commit()
        return _out(site), 201


@api.get("/chat-sites/<int:site_id>", responses={200: SiteOut, **ERRORS})
@require_api_role(Role.ADMIN)
def get_site(path: SitePath) -> Any:
    with current_runtime().db.session() as session:
        return _out(get_or_404(session, ChatSite, path.site_id, "chat site", "site_id"))


@api.put("/chat-sites/<int:site_id>", responses={200: SiteOut, **ERRORS})
@require_api_role(Role.ADMIN)
def update_site(path: SitePath, body: SiteIn) -> Any:
    with current_runtime().db.session() as session:
        site = get_or_404(session, ChatSite, path.site_id, "chat site", "site_id")
        _check_queue(session, body.queue_id)
        for key, value in body.model_dump().items():
            setattr(site, key, value)
        audit(session, "chat_site.update", "chat_site", site.id, {"origins": site.allowed_origins})
        session.commit()
        return _out(site)


@api.post("/chat-sites/<int:site_id>/rotate-key", responses={200: SiteOut, **ERRORS})
@require_api_role(Role.ADMIN)
def rotate_key(path: SitePath) -> Any:
    """A new widget key (the old script tags stop working; conversations carry on)."""
    with current_runtime().db.session() as session:
        site = get_or_404(session, ChatSite, path.site_id, "chat site", "site_id")
        site.widget_key = "wk_" + secrets.token_urlsafe(18)
        audit(session, "chat_site.rotate_key", "chat_site", site.id)
        session.commit()
        return _out(site)
