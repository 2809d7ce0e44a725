"""The customer's end-of-chat actions: rating (CSAT), transcript by email, call me back,
leave a message. See docs/chat.md; the routes are registered by contactcentre.chat.web."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("chat_extras", __name__, url_prefix="/chat/api")
