"""Wires web chat into a Flask app: the widget's HTTP API, the end-of-chat actions and the
customers' /chat Socket.IO namespace."""

from __future__ import annotations

from typing import Any

from flask_socketio import SocketIO

from contactcentre.platform.runtime import Runtime


def init_chat(app: Any) -> None:
    from contactcentre.chat.conversations import chat_service
    from contactcentre.chat.customer_api import bp as customer_bp
    from contactcentre.chat.extras_api import bp as extras_bp
    from contactcentre.extensions import csrf

    # Load and check the bot's flow now: a broken flow stops start-up, as the voice flow does.
    _ = chat_service(app.extensions["contactcentre"]).bot

    # Customers hold no session cookie: the conversation token is the credential, so CSRF
    # (a forged request riding a cookie) does not apply.
    for blueprint in (customer_bp, extras_bp):
        csrf.exempt(blueprint)
        app.register_api(blueprint)  # validated by its schemas, and in /api/v1/openapi.json


def init_chat_socket(socketio: SocketIO, runtime: Runtime) -> None:
    """Bind the customers' /chat namespace (a guest namespace of realtime's server), its
    sockets capped per conversation and address and each one's events by the consoles' budget."""
    from contactcentre.chat.namespace import ChatNamespace
    from contactcentre.chat.presence import CustomerSockets, vouch_interval
    from contactcentre.chat.socket_caps import ChatSocketCounts, SocketCaps
    from contactcentre.realtime.event_limits import EventLimiter, socket_budget

    settings, interval = runtime.settings, vouch_interval(runtime)
    caps = SocketCaps(settings.chat_sockets_per_conversation, settings.chat_sockets_per_address)
    # Vouched for every interval: three missed refreshes and a socket no longer counts.
    counts = ChatSocketCounts(runtime.redis, caps, ttl=3 * interval)
    sockets = CustomerSockets(runtime.redis, interval, counts)
    socketio.on_namespace(ChatNamespace(sockets, EventLimiter(socket_budget(settings))))
