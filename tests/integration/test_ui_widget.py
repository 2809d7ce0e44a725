"""The chat widget's files for foreign sites and the demo shop page (agent_ui/widget.py)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from contactcentre.store.models import ChatSite


def test_the_widget_script_is_served_to_any_site(client: FlaskClient) -> None:
    """/chat/widget.js is JavaScript any origin may load, cached for a few minutes."""
    response = client.get("/chat/widget.js", headers={"Origin": "https://shop.example.com"})
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "max-age=300" in response.headers["Cache-Control"]
    assert b"data-widget-key" in response.data


def test_the_socket_client_is_served_beside_the_widget(client: FlaskClient) -> None:
    """/chat/socket.io.min.js is the vendored Socket.IO 4 client, loadable from any origin."""
    response = client.get("/chat/socket.io.min.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert b"Socket.IO v4.8.4" in response.data


def test_the_demo_page_says_what_to_do_without_a_chat_site(client: FlaskClient) -> None:
    """With no chat site the demo page explains how to create one instead of a dead widget."""
    page = client.get("/chat/demo").get_data(as_text=True)
    assert "No chat site is configured yet" in page
    assert "contactcentre demo seed" in page
    assert "widget.js" not in page


def test_the_demo_page_embeds_the_widget_with_the_sites_key(app: Any, client: FlaskClient) -> None:
    """With a chat site the demo page carries one script tag with that site's key."""
    with app.extensions["contactcentre"].db.session() as session:
        session.add(ChatSite(name="Demo shop", widget_key="wk_test_demo", allowed_origins=[]))
        session.commit()
    page = client.get("/chat/demo").get_data(as_text=True)
    assert '<script src="/chat/widget.js" data-widget-key="wk_test_demo" async></script>' in page
