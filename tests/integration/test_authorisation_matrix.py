"""Who may call what: every route of the app and every console socket event, for anonymous
callers, agents, supervisors and admins, against the tables below (a route missing fails).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import socketio
from flask_openapi3 import OpenAPI

from contactcentre.auth.users import issue_api_token
from contactcentre.realtime.rooms import AGENT_NS, SUPERVISOR_NS, agent_room
from contactcentre.store.models import User
from tests.integration.realtime.live import LiveServer
from tests.integration.signin import login

ROLES = ("anonymous", "agent", "supervisor", "admin")
IN = "admitted"  # neither 401 nor 403 (nor a 5xx): what it answers then is the route's business

# The test's agent has an agent profile; its supervisor and admin have none.
SIGNED_IN = (401, IN, IN, IN)
SUPERVISORS = (401, 403, IN, IN)
ADMINS = (401, 403, 403, IN)
AGENT_PROFILE = (401, IN, 403, 403)  # needs an agent profile (its console, its softphone)
PAGE = (302, IN, IN, IN)  # anonymous: sent to the sign-in page
SIGNED_WEBHOOK = (403, 403, 403, 403)  # Twilio's signature is missing, whoever asks
EVERYONE = (200, 200, 200, 200)  # public, and the same for everyone


def same(status: int) -> tuple[int, int, int, int]:
    """A public route that answers the same whoever calls (customers' chat routes: their
    conversation token, 401 without one; a body invalid before the token is looked at, 422)."""
    return (status, status, status, status)


ROUTES: dict[tuple[str, str], tuple[int | str, ...]] = {
    ("GET", "/"): PAGE,
    ("GET", "/board"): (302, 403, IN, IN),
    ("GET", "/reports"): (302, 403, IN, IN),
    ("GET", "/planning"): (302, 403, IN, IN),
    ("GET", "/campaigns"): (302, 403, IN, IN),
    ("GET", "/console"): (302, IN, 403, 403),
    ("GET", "/account/logins"): PAGE,
    ("GET", "/users"): (302, 403, 403, IN),
    ("GET", "/users/<int:user_id>/logins"): (302, 403, 403, IN),  # their own, or admins
    ("POST", "/users/<int:user_id>/logins/revoke"): same(400),  # no CSRF token
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): same(400),  # no CSRF token
    ("POST", "/logout"): same(400),  # no CSRF token
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/readyz"): EVERYONE,
    ("GET", "/chat/demo"): EVERYONE,
    ("GET", "/chat/widget.js"): EVERYONE,
    ("GET", "/chat/socket.io.min.js"): EVERYONE,
    ("GET", "/chat/api/sites/<widget_key>"): same(404),
    ("POST", "/chat/api/conversations"): same(422),
    ("GET", "/chat/api/attachments/<attachment_id>"): same(404),
    ("GET", "/chat/api/conversations/<conversation_id>/messages"): same(401),
    ("POST", "/chat/api/conversations/<conversation_id>/messages"): same(401),
    ("POST", "/chat/api/conversations/<conversation_id>/attachments"): same(401),
    ("POST", "/chat/api/conversations/<conversation_id>/close"): same(401),
    # A conversation's routes refuse a missing or wrong token before reading the body.
    ("POST", "/chat/api/conversations/<conversation_id>/callback"): same(401),
    ("POST", "/chat/api/conversations/<conversation_id>/leave-message"): same(401),
    ("POST", "/chat/api/conversations/<conversation_id>/rating"): same(401),
    ("POST", "/chat/api/conversations/<conversation_id>/transcript"): same(401),
    ("POST", "/api/v1/auth/token"): same(422),  # public; an empty body
    ("DELETE", "/api/v1/auth/token"): SIGNED_IN,
    ("GET", "/api/v1/agents"): SUPERVISORS,
    ("POST", "/api/v1/agents"): ADMINS,
    ("GET", "/api/v1/agents/<int:agent_id>"): SUPERVISORS,
    ("PATCH", "/api/v1/agents/<int:agent_id>"): ADMINS,
    ("DELETE", "/api/v1/agents/<int:agent_id>"): ADMINS,
    ("GET", "/api/v1/agents/<int:agent_id>/desk"): SIGNED_IN,  # their own, or supervisors
    ("GET", "/api/v1/agents/<int:agent_id>/state"): SIGNED_IN,
    ("POST", "/api/v1/agents/<int:agent_id>/state"): SIGNED_IN,
    ("GET", "/api/v1/agents/<int:agent_id>/stats"): SIGNED_IN,
    ("POST", "/api/v1/agents/<int:agent_id>/wrap-up-done"): SIGNED_IN,
    ("GET", "/api/v1/board"): SUPERVISORS,
    ("GET", "/api/v1/metrics/definitions"): SIGNED_IN,
    ("GET", "/api/v1/reports/service-level"): SUPERVISORS,
    ("GET", "/api/v1/reports/agents"): SUPERVISORS,
    ("GET", "/api/v1/reports/abandon-profile"): SUPERVISORS,
    ("GET", "/api/v1/reports/dispositions"): SUPERVISORS,
    ("GET", "/api/v1/reports/segments"): SUPERVISORS,
    ("GET", "/api/v1/reports/interactions"): SUPERVISORS,
    ("GET", "/api/v1/planning/staffing"): SUPERVISORS,
    ("GET", "/api/v1/planning/forecast"): SUPERVISORS,
    ("GET", "/api/v1/planning/requirements"): SUPERVISORS,
    ("GET", "/api/v1/planning/replay"): SUPERVISORS,
    ("GET", "/api/v1/reports/sla-breaches"): SUPERVISORS,
    ("GET", "/api/v1/reports/customer-value"): SUPERVISORS,
    ("GET", "/api/v1/customer-value/alerts"): SUPERVISORS,
    ("GET", "/api/v1/sla/calendars"): SUPERVISORS,
    ("POST", "/api/v1/sla/calendars"): ADMINS,
    ("GET", "/api/v1/sla/calendars/<int:calendar_id>"): SUPERVISORS,
    ("PUT", "/api/v1/sla/calendars/<int:calendar_id>"): ADMINS,
    ("DELETE", "/api/v1/sla/calendars/<int:calendar_id>"): ADMINS,
    ("GET", "/api/v1/sla/policies"): SUPERVISORS,
    ("POST", "/api/v1/sla/policies"): ADMINS,
    ("GET", "/api/v1/sla/policies/<int:policy_id>"): SUPERVISORS,
    ("PUT", "/api/v1/sla/policies/<int:policy_id>"): ADMINS,
    ("DELETE", "/api/v1/sla/policies/<int:policy_id>"): ADMINS,
    ("GET", "/api/v1/sla/interactions/<interaction_id>"): SUPERVISORS,
    ("POST", "/api/v1/calls"): SIGNED_IN,
    ("GET", "/api/v1/calls/token"): AGENT_PROFILE,
    ("GET", "/api/v1/calls/<interaction_id>"): SIGNED_IN,
    ("POST", "/api/v1/calls/<interaction_id>/hangup"): SIGNED_IN,
    ("POST", "/api/v1/calls/<interaction_id>/hold"): SIGNED_IN,
    ("POST", "/api/v1/calls/<interaction_id>/mute"): SIGNED_IN,
    ("POST", "/api/v1/calls/<interaction_id>/recording"): SIGNED_IN,
    ("GET", "/api/v1/calls/<interaction_id>/supervision"): SUPERVISORS,
    ("POST", "/api/v1/calls/<interaction_id>/supervision"): SUPERVISORS,
    ("DELETE", "/api/v1/calls/<interaction_id>/supervision"): SUPERVISORS,
    ("POST", "/api/v1/calls/<interaction_id>/transfer"): SIGNED_IN,
    ("POST", "/api/v1/calls/<interaction_id>/transfer/cancel"): SIGNED_IN,
    ("POST", "/api/v1/calls/<interaction_id>/transfer/complete"): SIGNED_IN,
    ("GET", "/api/v1/canned-responses"): SIGNED_IN,
    ("POST", "/api/v1/canned-responses"): ADMINS,
    ("PUT", "/api/v1/canned-responses/<int:canned_id>"): ADMINS,
    ("DELETE", "/api/v1/canned-responses/<int:canned_id>"): ADMINS,
    ("GET", "/api/v1/chat-sites"): ADMINS,
    ("POST", "/api/v1/chat-sites"): ADMINS,
    ("GET", "/api/v1/email/mailboxes"): ADMINS,
    ("POST", "/api/v1/email/mailboxes"): ADMINS,
    ("GET", "/api/v1/email/mailboxes/<int:mailbox_id>"): ADMINS,
    ("PATCH", "/api/v1/email/mailboxes/<int:mailbox_id>"): ADMINS,
    ("GET", "/api/v1/email/quarantine"): ADMINS,
    ("GET", "/api/v1/chat-sites/<int:site_id>"): ADMINS,
    ("PUT", "/api/v1/chat-sites/<int:site_id>"): ADMINS,
    ("POST", "/api/v1/chat-sites/<int:site_id>/rotate-key"): ADMINS,
    ("GET", "/api/v1/chats/<interaction_id>"): SIGNED_IN,  # its agent, or supervisors
    ("POST", "/api/v1/chats/<interaction_id>/attachments"): SIGNED_IN,
    ("POST", "/api/v1/chats/<interaction_id>/close"): SIGNED_IN,
    ("POST", "/api/v1/chats/<interaction_id>/messages"): SIGNED_IN,
    ("POST", "/api/v1/chats/<interaction_id>/read"): SIGNED_IN,
    ("POST", "/api/v1/chats/<interaction_id>/barge"): SUPERVISORS,
    ("POST", "/api/v1/chats/<interaction_id>/monitor"): SUPERVISORS,
    ("POST", "/api/v1/chats/<interaction_id>/whisper"): SUPERVISORS,
    ("GET", "/api/v1/emails/<interaction_id>"): SIGNED_IN,  # its agent, or supervisors
    ("GET", "/api/v1/emails/<interaction_id>/attachments/<int:attachment_id>"): SIGNED_IN,
    ("POST", "/api/v1/emails/<interaction_id>/replies"): SIGNED_IN,  # its agent only
    ("GET", "/api/v1/customers"): SIGNED_IN,  # agents search; listing everyone: supervisors
    ("POST", "/api/v1/customers"): SIGNED_IN,
    ("POST", "/api/v1/customers/import"): ADMINS,
    ("GET", "/api/v1/customers/<int:customer_id>"): SIGNED_IN,  # one they may see (cti.access)
    ("PATCH", "/api/v1/customers/<int:customer_id>"): SIGNED_IN,
    ("POST", "/api/v1/customers/<int:customer_id>/erase"): ADMINS,
    ("GET", "/api/v1/customers/<int:customer_id>/export"): SUPERVISORS,
    ("GET", "/api/v1/customers/<int:customer_id>/value"): SIGNED_IN,  # as GET /customers/{id}
    ("GET", "/api/v1/customers/<int:customer_id>/interactions"): SIGNED_IN,
    ("POST", "/api/v1/customers/<int:customer_id>/notes"): SIGNED_IN,
    ("GET", "/api/v1/dispositions"): SIGNED_IN,
    ("GET", "/api/v1/interactions/<interaction_id>"): SIGNED_IN,
    ("POST", "/api/v1/interactions/<interaction_id>/customer"): SIGNED_IN,
    ("POST", "/api/v1/interactions/<interaction_id>/wrap-up"): SIGNED_IN,
    ("GET", "/api/v1/campaigns"): SUPERVISORS,
    ("POST", "/api/v1/campaigns"): ADMINS,
    ("GET", "/api/v1/campaigns/<int:campaign_id>"): SUPERVISORS,
    ("PATCH", "/api/v1/campaigns/<int:campaign_id>"): ADMINS,
    ("POST", "/api/v1/campaigns/<int:campaign_id>/status"): SUPERVISORS,
    ("POST", "/api/v1/campaigns/<int:campaign_id>/overrides"): ADMINS,
    ("GET", "/api/v1/campaigns/<int:campaign_id>/diagnostics"): SUPERVISORS,
    ("GET", "/api/v1/campaigns/<int:campaign_id>/hopper"): SUPERVISORS,
    ("POST", "/api/v1/campaigns/<int:campaign_id>/hopper/refill"): SUPERVISORS,
    ("GET", "/api/v1/campaigns/<int:campaign_id>/lists"): SUPERVISORS,
    ("POST", "/api/v1/campaigns/<int:campaign_id>/lists"): ADMINS,
    ("PATCH", "/api/v1/campaigns/<int:campaign_id>/lists/<int:list_id>"): ADMINS,
    ("GET", "/api/v1/campaigns/<int:campaign_id>/imports"): SUPERVISORS,
    ("GET", "/api/v1/campaigns/<int:campaign_id>/imports/<int:import_id>/errors.csv"): SUPERVISORS,
    ("GET", "/api/v1/campaigns/<int:campaign_id>/leads"): SUPERVISORS,
    ("GET", "/api/v1/campaigns/<int:campaign_id>/leads/<int:lead_id>/diagnostics"): SUPERVISORS,
    ("POST", "/api/v1/campaigns/<int:campaign_id>/leads/<int:lead_id>/disposition"): SIGNED_IN,
    ("GET", "/api/v1/campaigns/dnc"): SUPERVISORS,
    ("POST", "/api/v1/campaigns/dnc"): ADMINS,
    ("POST", "/api/v1/campaigns/dnc/import"): ADMINS,
    ("POST", "/api/v1/campaigns/<int:campaign_id>/dnc"): ADMINS,
    ("GET", "/api/v1/queues"): SIGNED_IN,
    ("POST", "/api/v1/queues"): ADMINS,
    ("GET", "/api/v1/queues/<int:queue_id>"): SIGNED_IN,
    ("PATCH", "/api/v1/queues/<int:queue_id>"): ADMINS,
    ("DELETE", "/api/v1/queues/<int:queue_id>"): ADMINS,
    ("POST", "/api/v1/reservations/<reservation_id>/accept"): SIGNED_IN,  # its owner only
    ("POST", "/api/v1/reservations/<reservation_id>/reject"): SIGNED_IN,
    ("GET", "/api/v1/routing-plans"): SUPERVISORS,
    ("POST", "/api/v1/routing-plans"): ADMINS,
    ("GET", "/api/v1/routing-plans/<int:plan_id>"): SUPERVISORS,
    ("PATCH", "/api/v1/routing-plans/<int:plan_id>"): ADMINS,
    ("DELETE", "/api/v1/routing-plans/<int:plan_id>"): ADMINS,
    ("POST", "/api/v1/routing/dry-run"): SUPERVISORS,
    ("GET", "/api/v1/routing/policy"): SUPERVISORS,
    ("PUT", "/api/v1/routing/policy"): ADMINS,
    ("GET", "/api/v1/skills"): SIGNED_IN,
    ("POST", "/api/v1/skills"): ADMINS,
    ("GET", "/api/v1/skills/<int:skill_id>"): SIGNED_IN,
    ("PATCH", "/api/v1/skills/<int:skill_id>"): ADMINS,
    ("DELETE", "/api/v1/skills/<int:skill_id>"): ADMINS,
    ("POST", "/api/v1/tasks"): SUPERVISORS,
    ("POST", "/api/v1/tasks/<task_id>/cancel"): SUPERVISORS,
    ("POST", "/api/v1/tasks/<task_id>/complete"): SIGNED_IN,  # its agent, or supervisors
    ("GET", "/api/v1/tasks/<task_id>/estimate"): SIGNED_IN,
    ("POST", "/api/v1/tasks/<task_id>/requeue"): SIGNED_IN,
    ("GET", "/api/v1/tasks/<task_id>/trace"): SUPERVISORS,
    ("POST", "/api/v1/tasks/<task_id>/transfer"): SIGNED_IN,
    ("GET", "/api/v1/users"): ADMINS,
    ("POST", "/api/v1/users"): ADMINS,
    ("GET", "/api/v1/users/<int:user_id>"): ADMINS,
    ("PATCH", "/api/v1/users/<int:user_id>"): ADMINS,
    ("DELETE", "/api/v1/users/<int:user_id>"): ADMINS,
    ("GET", "/api/v1/users/<int:user_id>/logins"): ADMINS,  # their own, or admins
    ("DELETE", "/api/v1/users/<int:user_id>/logins"): ADMINS,
    # The login's name is checked before whose it is: "none" is no name (422) for everyone.
    ("DELETE", "/api/v1/users/<int:user_id>/logins/<login>"): SIGNED_IN,
    **{
        ("POST", f"/twilio/{path}"): SIGNED_WEBHOOK
        for path in (
            "voice",
            "status",
            "amd",
            "conference-events",
            "recording-status",
            "ivr/<node>",
            "consent",
            "hold-music",
            "calls/<interaction_id>/agent-leg",
            "calls/<interaction_id>/customer-leg",
            "calls/<interaction_id>/exit/<kind>",
            "calls/<interaction_id>/join",
            "calls/<interaction_id>/queue",
            "calls/<interaction_id>/queue-key",
            "calls/<interaction_id>/transfer-done",
            "calls/<interaction_id>/voicemail",
        )
    },
    # Email providers' webhooks authenticate with the mailbox's own secret, not a user's: a
    # mailbox that takes no webhook (999999) is not found, whoever asks.
    **{
        ("POST", f"/email/inbound/{path}"): same(404)
        for path in (
            "sendgrid/<int:mailbox_id>",
            "sendgrid/<int:mailbox_id>/<key>",
            "mailgun/<int:mailbox_id>",
            "mailgun/<int:mailbox_id>/mime",
            "postmark/<int:mailbox_id>",
        )
    },
    ("GET", "/twilio/consent"): SIGNED_WEBHOOK,
    ("GET", "/twilio/hold-music"): SIGNED_WEBHOOK,
}
NOT_WALKED = {"static", "ui.static", "openapi_json"}  # files, and the document itself


def _routes(app: OpenAPI) -> Iterator[tuple[str, str]]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in NOT_WALKED:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield method, rule.rule


def _concrete(rule: str) -> str:
    """A path for the rule: ids no row has (a 404 once admitted), words for the rest."""
    return re.sub(
        r"<([a-z]+:)?[a-z_]+>", lambda m: "999999" if m.group(1) == "int:" else "none", rule
    )


@pytest.fixture
def callers(app: OpenAPI, make_user: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Each role's user and session cookie; bearer tokens are issued per request (one route
    revokes the token it is called with)."""
    found: dict[str, Any] = {"anonymous": None}
    for role in ROLES[1:]:
        user = make_user(role)
        browser = app.test_client()
        login(browser, user["email"], user["password"])
        session = browser.get_cookie("session")
        assert session is not None, f"the {role} did not sign in"
        found[role] = {**user, "cookie": session.value}
    return found


def _ask(app: OpenAPI, caller: dict[str, Any] | None, method: str, path: str) -> Any:
    client = app.test_client()
    headers = {}
    if caller is not None:
        client.set_cookie("session", caller["cookie"])
        with app.extensions["contactcentre"].db.session() as session:
            user = session.get(User, caller["id"])
            assert user is not None
            headers["Authorization"] = f"Bearer {issue_api_token(session, user, 'matrix')}"
    body = None if method == "GET" else {}
    return client.open(path, method=method, json=body, headers=headers)


def _matches(expected: int | str, status: int) -> bool:
    if expected == IN:
        return status not in (401, 403) and status < 500
    return status == expected


def test_every_route_is_in_the_table(app: OpenAPI) -> None:
    """A new route fails until its row says who may call it; a row for a gone route fails too."""
    walked = set(_routes(app))
    assert sorted(walked - ROUTES.keys()) == [], "routes without a row in ROUTES"
    assert sorted(ROUTES.keys() - walked) == [], "rows in ROUTES for routes that do not exist"


def test_every_route_answers_each_role_as_the_table_says(
    app: OpenAPI, callers: dict[str, Any]
) -> None:
    """No route answers 500, each refuses the roles its row refuses and admits the others, and
    every API refusal has the JSON error body."""
    wrong = []
    for method, rule in sorted(set(_routes(app)) & ROUTES.keys()):
        path = _concrete(rule)
        for role, expected in zip(ROLES, ROUTES[(method, rule)], strict=True):
            response = _ask(app, callers[role], method, path)
            if not _matches(expected, response.status_code):
                wrong.append(f"{method} {rule} as {role}: {response.status_code}, not {expected}")
            elif path.startswith("/api/") and response.status_code >= 400:
                error = (response.get_json(silent=True) or {}).get("error", {})
                if not {"code", "message", "field"} <= set(error):
                    wrong.append(f"{method} {rule} as {role}: no JSON error body")
    assert not wrong, "\n".join(wrong)


# -- Socket.IO ------------------------------------------------------------------------------

CONNECTS = {AGENT_NS: (False, True, True, True), SUPERVISOR_NS: (False, False, True, True)}
OTHER_AGENT = agent_room("{other}")  # a colleague's room: supervisors may watch it, agents not
QUEUE = "queue:1"


def _ok(reply: Any, _sent: Any) -> bool:
    return bool(reply.get("ok"))


def _resumed(reply: Any, sent: Any) -> bool:
    return set(sent["last_seq"]) <= set(reply.get("rooms", {}))


def _answered(reply: Any, _sent: Any) -> bool:
    return "at" in reply


# (namespace, event) -> (payload, what the reply says, that answer for agent, supervisor, admin);
# None: that role cannot connect to the namespace at all (CONNECTS).
Reading = Callable[[Any, Any], bool]  # (reply, what was sent) -> the answer
EVENTS: dict[tuple[str, str], tuple[Any, Reading, tuple[bool | None, ...]]] = {
    (AGENT_NS, "join"): ({"room": OTHER_AGENT}, _ok, (False, True, True)),
    (AGENT_NS, "resume"): ({"last_seq": {OTHER_AGENT: 0}}, _resumed, (False, True, True)),
    (AGENT_NS, "leave"): ({"room": OTHER_AGENT}, _ok, (True, True, True)),  # harmless to anyone
    (AGENT_NS, "heartbeat"): ({}, _answered, (True, True, True)),
    # No such chat: refused for everyone (a supervisor types only in a chat they barged into).
    (AGENT_NS, "chat_typing"): ({"interaction_id": "none", "active": True}, _ok, (False,) * 3),
    (SUPERVISOR_NS, "join"): ({"room": QUEUE}, _ok, (None, True, True)),
    (SUPERVISOR_NS, "resume"): ({"last_seq": {QUEUE: 0}}, _resumed, (None, True, True)),
    (SUPERVISOR_NS, "leave"): ({"room": QUEUE}, _ok, (None, True, True)),
    (SUPERVISOR_NS, "heartbeat"): ({}, _answered, (None, True, True)),
}


@pytest.fixture
def live(app: OpenAPI) -> Iterator[LiveServer]:
    server = LiveServer(app)
    yield server
    server.stop()


def _socket(live: LiveServer, caller: dict[str, Any] | None, namespace: str) -> Any:
    """A connected client, or None if the namespace refused it."""
    client = socketio.Client(reconnection=False)
    headers = {"Cookie": f"session={caller['cookie']}"} if caller else {}
    try:
        client.connect(
            live.url,
            headers=headers,
            namespaces=[namespace],
            transports=["websocket"],
            wait_timeout=5,
        )
    except socketio.exceptions.ConnectionError:
        client.disconnect()
        return None
    return client


def test_every_socket_event_is_in_the_table(app: OpenAPI) -> None:
    """A new event on /agent or /supervisor fails until its row says who may send it."""
    server = app.extensions["socketio"].server
    handled = {
        (namespace, event)
        for namespace in (AGENT_NS, SUPERVISOR_NS)
        for event in server.namespace_handlers[namespace].event_names()
    }
    assert handled == set(EVENTS)


def test_sockets_admit_and_answer_each_role_as_the_table_says(
    live: LiveServer, callers: dict[str, Any], make_user: Callable[..., dict[str, Any]]
) -> None:
    """Anonymous sockets are refused, agents are refused the board, and each event answers
    each role as its row says (a colleague's room and queue rooms: supervisors only)."""
    other = make_user("agent")
    wrong = []
    for namespace, admitted in CONNECTS.items():
        for role, expected in zip(ROLES, admitted, strict=True):
            client = _socket(live, callers[role], namespace)
            if (client is not None) != expected:
                wrong.append(
                    f"{namespace} connect as {role}: {'admitted' if client else 'refused'}"
                )
            if client is None:
                continue
            for (event_ns, event), (payload, reading, answers) in EVENTS.items():
                if event_ns != namespace:
                    continue
                data = _fill(payload, other["agent_id"])
                reply = client.call(event, data, namespace=namespace, timeout=5)
                want = answers[ROLES.index(role) - 1]
                if reading(reply, data) != want:
                    wrong.append(f"{namespace} {event} as {role}: {reply!r}, not {want}")
            client.disconnect()
    assert not wrong, "\n".join(wrong)


def _fill(value: Any, agent_id: int) -> Any:
    """The payload with the colleague's agent id in place of {other}."""
    if isinstance(value, str):
        return value.replace("{other}", str(agent_id))
    if isinstance(value, dict):
        return {_fill(k, agent_id): _fill(v, agent_id) for k, v in value.items()}
    return value
