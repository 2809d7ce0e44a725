"""What the chat refuses, each with a clear error: forged, altered, foreign or revoked tokens,
foreign origins, oversized messages and files, disguised file types, floods."""

from __future__ import annotations

import io
from typing import Any

import pytest
import socketio

from contactcentre.chat.attachments import storage_root
from contactcentre.chat.conversations import erase_customer_chats
from contactcentre.chat.tokens import ConversationTokens
from contactcentre.store.models import ChatConversation, Customer, CustomerEmail
from tests.integration.chat.visitors import SHOP
from tests.integration.realtime.live import browser

pytestmark = pytest.mark.usefixtures("validated_responses")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _started(make_site: Any, customers: Any) -> Any:
    site = make_site()
    ann = customers()
    assert ann.start(site.widget_key).status_code == 201
    return ann


def _refused(customer: Any, token: str) -> str:
    """The reason the server gave for refusing the socket."""
    with pytest.raises(socketio.exceptions.ConnectionError):
        customer.connect(token=token)
    return str(customer.refusal)


def test_an_altered_or_forged_token_opens_nothing(
    live: Any, make_site: Any, customers: Any
) -> None:
    """A token with one character changed, or signed with another key, is refused on HTTP and
    on the socket."""
    ann = _started(make_site, customers)
    flipped = ann.token[:-3] + ("A" if ann.token[-3] != "A" else "B") + ann.token[-2:]
    forged = ConversationTokens("not-our-secret", 3600).issue(ann.conversation_id, "x" * 32)
    for bad in (flipped, forged, ""):
        response = ann.http.get(
            f"{live.url}/chat/api/conversations/{ann.conversation_id}/messages",
            headers={"Authorization": f"Bearer {bad}"},
            timeout=5,
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_token"
        assert response.headers["Access-Control-Allow-Origin"] == SHOP  # the widget reads it
        assert "invalid_token" in _refused(customers(), bad)


def test_a_token_for_one_conversation_cannot_read_another(
    live: Any, make_site: Any, customers: Any
) -> None:
    """Ann's token used on Bob's conversation id is refused, naming the conversation."""
    ann = _started(make_site, customers)
    bob = _started(make_site, customers)
    response = ann.http.get(
        f"{live.url}/chat/api/conversations/{bob.conversation_id}/messages",
        headers=ann.auth_headers(),
        timeout=5,
    )
    assert response.status_code == 403
    assert response.json()["error"]["field"] == "conversation_id"


def test_an_expired_token_is_refused(app: Any, live: Any, make_site: Any, customers: Any) -> None:
    """A token older than its lifetime says it expired."""
    ann = _started(make_site, customers)
    runtime = app.extensions["contactcentre"]
    tokens = ConversationTokens(runtime.settings.effective_secret_key, 300)
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        nonce = conversation.token_nonce
    import itsdangerous

    old = itsdangerous.URLSafeTimedSerializer(
        runtime.settings.effective_secret_key, salt="cc.chat.conversation"
    )
    stale = old.dumps({"c": ann.conversation_id, "n": nonce})
    with pytest.raises(Exception) as caught:
        tokens._serializer.loads(stale, max_age=-1)
    assert "expired" in str(caught.value).lower() or "age" in str(caught.value).lower()


def test_a_rotated_nonce_revokes_every_token(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """After the conversation's nonce changes, its old token opens nothing."""
    ann = _started(make_site, customers)
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        conversation.token_nonce = "0" * 32
        session.commit()
    response = ann.http.get(
        f"{live.url}/chat/api/conversations/{ann.conversation_id}/messages",
        headers=ann.auth_headers(),
        timeout=5,
    )
    assert response.status_code == 401
    assert "invalid_token" in _refused(customers(), ann.token)


def test_erasing_the_customer_revokes_their_chats_and_deletes_their_files(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """After erasure the customer's chat tokens open nothing and their files are gone."""
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        customer = Customer(first_name="Ann", last_name="Visitor")
        customer.emails = [CustomerEmail(address="ann@example.com", primary=True)]
        session.add(customer)
        session.commit()
        customer_id = customer.id
    ann = _started(make_site, customers)
    sent = ann.http.post(
        f"{live.url}/chat/api/conversations/{ann.conversation_id}/attachments",
        headers=ann.auth_headers(),
        files={"file": ("receipt.png", io.BytesIO(PNG), "image/png")},
        timeout=10,
    )
    assert sent.status_code == 201
    stored = storage_root(runtime) / ann.conversation_id
    assert any(stored.iterdir())
    with runtime.db.session() as session:
        assert erase_customer_chats(session, runtime, customer_id) == 1
        session.commit()
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        assert (conversation.visitor_name, conversation.visitor_email) == (None, None)
    assert not any(stored.iterdir())
    response = ann.http.get(
        f"{live.url}/chat/api/conversations/{ann.conversation_id}/messages",
        headers=ann.auth_headers(),
        timeout=5,
    )
    assert response.status_code == 401


def test_a_foreign_origin_is_refused_on_http_and_on_the_socket(
    live: Any, make_site: Any, customers: Any
) -> None:
    """The site's key used from another origin gets 403 origin_not_allowed, and no socket."""
    site = make_site()
    evil = customers(origin="https://evil.example.net")
    response = evil.start(site.widget_key)
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "origin_not_allowed",
        "message": response.json()["error"]["message"],
        "field": "Origin",
    }
    config = evil.http.get(f"{live.url}/chat/api/sites/{site.widget_key}", timeout=5)
    assert config.status_code == 403
    ann = _started(make_site, customers)
    thief = customers(origin="https://evil.example.net")
    with pytest.raises(socketio.exceptions.ConnectionError):
        thief.connect(token=ann.token)


def test_the_allowed_origin_gets_cors_headers(live: Any, make_site: Any, customers: Any) -> None:
    """Answers to an allowed origin carry Access-Control-Allow-Origin for that origin only."""
    site = make_site()
    ann = customers()
    config = ann.http.get(f"{live.url}/chat/api/sites/{site.widget_key}", timeout=5)
    assert config.status_code == 200
    assert config.headers["Access-Control-Allow-Origin"] == SHOP
    assert config.json()["limits"]["message_chars"] > 0


def test_an_oversized_message_names_the_limit(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """A message over the length limit is refused with message_too_long on `body`."""
    ann = _started(make_site, customers)
    ann.connect()
    limit = app.extensions["contactcentre"].settings.chat_max_message_chars
    reply = ann.say("x" * (limit + 1))
    assert reply["ok"] is False
    assert reply["error"]["code"] == "message_too_long"
    assert reply["error"]["field"] == "body"
    assert str(limit) in reply["error"]["message"]
    assert ann.say("   ")["error"]["code"] == "empty_message"


def test_a_flood_of_messages_is_rate_limited(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """Past the per-visitor limit a message is refused with rate_limited and a retry time."""
    ann = _started(make_site, customers)
    ann.connect()
    limit = app.extensions["contactcentre"].settings.chat_messages_per_minute
    replies = [ann.say(f"spam {n}") for n in range(limit + 3)]
    refused = [r for r in replies if not r["ok"]]
    assert refused, "no message was refused"
    assert refused[0]["error"]["code"] == "rate_limited"
    assert refused[0]["error"]["retry_after"] >= 0


def test_too_many_new_conversations_from_one_visitor_are_refused(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """One visitor opening conversation after conversation is stopped with 429."""
    site = make_site()
    ann = customers()
    limit = app.extensions["contactcentre"].settings.chat_conversations_per_hour
    codes = [ann.start(site.widget_key, visitor_id="v-flood").status_code for _ in range(limit + 1)]
    assert codes[-1] == 429


def test_pre_chat_form_errors_name_the_field(live: Any, make_site: Any, customers: Any) -> None:
    """Missing name, bad email and unknown topic each get 422 naming the field."""
    site = make_site()
    ann = customers()
    for form, field in (
        ({"name": ""}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"topic": "astrology"}, "topic"),
        ({"widget_key": "wk_nope"}, "widget_key"),
    ):
        response = ann.start(site.widget_key, **form)
        assert response.status_code in (404, 422), (form, response.text)
        assert response.json()["error"]["field"] == field
        if response.status_code == 422:  # the widget on the shop's page can read the reason
            assert response.headers["Access-Control-Allow-Origin"] == SHOP


def test_attachments_are_checked_by_size_and_by_their_bytes(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """Too large → 413; an .exe named .png → 415; a real PNG is stored and downloadable only
    with the conversation's token."""
    ann = _started(make_site, customers)
    url = f"{live.url}/chat/api/conversations/{ann.conversation_id}/attachments"
    limit = app.extensions["contactcentre"].settings.chat_max_attachment_bytes
    big = ann.http.post(
        url,
        headers=ann.auth_headers(),
        files={"file": ("big.png", io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * limit), "image/png")},
        timeout=10,
    )
    assert big.status_code == 413
    assert big.json()["error"]["field"] == "file"
    exe = ann.http.post(
        url,
        headers=ann.auth_headers(),
        files={"file": ("cat.png", io.BytesIO(b"MZ\x90\x00\x03" + b"\x00" * 100), "image/png")},
        timeout=10,
    )
    assert exe.status_code == 415
    assert exe.json()["error"]["code"] == "file_type_not_allowed"
    good = ann.http.post(
        url,
        headers=ann.auth_headers(),
        files={"file": ("receipt.png", io.BytesIO(PNG), "application/octet-stream")},
        timeout=10,
    )
    assert good.status_code == 201, good.text
    attachment = good.json()["attachments"][0]
    assert attachment["content_type"] == "image/png"
    mine = ann.http.get(f"{live.url}{attachment['url']}", headers=ann.auth_headers(), timeout=5)
    assert mine.status_code == 200 and mine.content == PNG
    assert mine.headers["Content-Disposition"].startswith("attachment")
    assert mine.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in mine.headers["Cache-Control"]
    bob = _started(make_site, customers)
    theirs = bob.http.get(f"{live.url}{attachment['url']}", headers=bob.auth_headers(), timeout=5)
    assert theirs.status_code == 403
    nobody = bob.http.get(f"{live.url}{attachment['url']}", timeout=5)
    assert nobody.status_code == 403


def test_staff_open_attachments_only_when_they_may_see_the_chat(
    live: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """Signed in, a supervisor may open a chat's file; an agent not on the chat may not."""
    ann = _started(make_site, customers)
    sent = ann.http.post(
        f"{live.url}/chat/api/conversations/{ann.conversation_id}/attachments",
        headers=ann.auth_headers(),
        files={"file": ("receipt.png", io.BytesIO(PNG), "image/png")},
        timeout=10,
    )
    url = f"{live.url}{sent.json()['attachments'][0]['url']}"
    supervisor, agent = make_user("supervisor"), make_user("agent")
    boss = browser(live.url, supervisor["email"], supervisor["password"])
    assert boss.get(url, timeout=5).status_code == 200
    stranger = browser(live.url, agent["email"], agent["password"])
    assert stranger.get(url, timeout=5).status_code == 403


def test_another_sites_origin_cannot_open_this_sites_socket(
    live: Any, make_site: Any, customers: Any
) -> None:
    """An origin the handshake admits for some other site is still refused for this one."""
    make_site(allowed_origins=["https://other-shop.example.org"])
    ann = _started(make_site, customers)
    other = customers(origin="https://other-shop.example.org")
    with pytest.raises(socketio.exceptions.ConnectionError):
        other.connect(token=ann.token)
    assert "origin_not_allowed" in str(other.refusal)
    ann.connect()
    assert ann.sio.connected


def test_consoles_refuse_a_chat_sites_origin(live: Any, make_site: Any, make_user: Any) -> None:
    """A chat site's origin gets the widget's socket, never a signed-in console's."""
    make_site()
    agent = make_user("agent")
    http = browser(live.url, agent["email"], agent["password"])
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    for namespace in ("/agent", "/supervisor"):
        sio = socketio.Client(reconnection=False, websocket_extra_options={"origin": SHOP})
        with pytest.raises(socketio.exceptions.ConnectionError):
            sio.connect(
                live.url,
                headers={"Cookie": cookie},
                namespaces=[namespace],
                transports=["websocket"],
                wait_timeout=10,
            )
        sio.disconnect()
    own = socketio.Client(reconnection=False)
    own.connect(
        live.url,
        headers={"Cookie": cookie},
        namespaces=["/agent"],
        transports=["websocket"],
        wait_timeout=10,
    )
    assert own.connected
    own.disconnect()


def test_a_nul_character_over_the_socket_is_refused_naming_the_field(
    live: Any, make_site: Any, customers: Any
) -> None:
    """A message or client id holding NUL is refused on the socket, not stored."""
    ann = _started(make_site, customers)
    ann.connect()
    reply = ann.say("bad\x00body")
    assert reply["ok"] is False
    assert reply["error"]["code"] == "nul_character" and reply["error"]["field"] == "body"
    reply = ann.say("fine", client_id="c\x001")
    assert reply["error"]["field"] == "client_id"
    assert ann.say("fine", client_id="c-2")["ok"] is True


def test_the_widget_api_is_documented_by_the_schemas_that_validate_it(client: Any) -> None:
    """/chat/api is in /api/v1/openapi.json: bodies, answers and the conversation token."""
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    operations = {
        (method, path): operation
        for path, methods in doc["paths"].items()
        if path.startswith("/chat/api/")
        for method, operation in methods.items()
    }
    assert len(operations) == 11
    start = operations[("post", "/chat/api/conversations")]
    body = start["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/")[-1]
    assert set(schemas[body]["properties"]) >= {"widget_key", "name", "email", "topic"}
    assert schemas[body]["additionalProperties"] is False
    assert start["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    public = {("get", "/chat/api/sites/{widget_key}"), ("post", "/chat/api/conversations")}
    for key, operation in operations.items():
        schemes = {name for option in operation.get("security", []) for name in option}
        assert ("conversation" in schemes) != (key in public), key
    assert doc["components"]["securitySchemes"]["conversation"]["scheme"] == "bearer"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"name": 5}, "name"),
        ({"visitor_id": ["a"]}, "visitor_id"),
        ({"email": "a@b.co", "language": True}, "language"),
    ],
)
def test_the_pre_chat_form_refuses_unknown_fields_and_wrong_types(
    client: Any, make_site: Any, form: dict[str, Any], field: str
) -> None:
    """A field the form does not have, or a value of the wrong type, is 422 naming it."""
    site = make_site()
    body = {"widget_key": site.widget_key, "name": "Ann", **form}
    response = client.post("/chat/api/conversations", json=body, headers={"Origin": SHOP})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
