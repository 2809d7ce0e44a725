"""The chat widget's files for foreign sites (/chat/widget.js and its Socket.IO client) and a
demo shop page that embeds it, so an operator can try the chat after `make run`."""

from __future__ import annotations

from pathlib import Path

from flask import Response, render_template, send_from_directory
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from agent_ui.views import bp
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import ChatSite

STATIC = Path(__file__).resolve().parent / "static"
VENDOR = STATIC / "vendor" / "socket.io-client-4.8.4"


def _script(folder: Path, name: str) -> Response:
    response = send_from_directory(folder, name, mimetype="application/javascript", max_age=300)
    # Loaded by <script> tags on the sites that embed the chat.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/chat/widget.js")
def widget_script() -> ResponseReturnValue:
    return _script(STATIC / "chat", "widget.js")


@bp.get("/chat/socket.io.min.js")
def widget_socket_client() -> ResponseReturnValue:
    return _script(VENDOR, "socket.io.min.js")


@bp.get("/chat/demo")
def demo_shop() -> ResponseReturnValue:
    """A pretend shop page with the chat on it (the first active site's key)."""
    with current_runtime().db.session() as session:
        site = session.scalars(
            select(ChatSite).where(ChatSite.active.is_(True)).order_by(ChatSite.id)
        ).first()
        key = site.widget_key if site else None
    return render_template("chat/demo.html", widget_key=key)
