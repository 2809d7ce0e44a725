"""Fixtures for tests of the web process: the app on a real database and Redis, API callers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI

from contactcentre.app import create_app
from contactcentre.auth.users import create_user, issue_api_token
from contactcentre.settings import Settings
from contactcentre.store.models import Agent


@pytest.fixture
def app(settings: Settings, redis_client: Any) -> Iterator[OpenAPI]:
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["contactcentre"].close()


@pytest.fixture
def client(app: OpenAPI) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def validated_responses(app: OpenAPI) -> None:
    """Every API answer is checked against the response schema its operation documents.

    Opt in per module: `pytestmark = pytest.mark.usefixtures("validated_responses")`. An answer
    that does not match raises pydantic's ValidationError in the test.
    """
    app.validate_response = True


@pytest.fixture
def make_user(app: OpenAPI) -> Callable[..., dict[str, Any]]:
    """Create a user of a role; returns its id, email, password, bearer headers (and agent id)."""
    counter = iter(range(1, 10_000))

    def _make(role: str = "admin", *, agent: bool | None = None) -> dict[str, Any]:
        n = next(counter)
        email, password = f"{role}{n}@example.com", "correct horse battery"
        with app.extensions["contactcentre"].db.session() as session:
            user = create_user(
                session, email=email, name=f"{role.title()} {n}", password=password, role=role
            )
            agent_id = None
            if agent or (agent is None and role == "agent"):
                row = Agent(user_id=user.id, display_name=user.name, attributes={})
                session.add(row)
                session.flush()
                agent_id = row.id
            token = issue_api_token(session, user, "tests")
            return {
                "id": user.id,
                "email": email,
                "password": password,
                "agent_id": agent_id,
                "headers": {"Authorization": f"Bearer {token}"},
            }

    return _make


@pytest.fixture
def admin(make_user: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_user("admin")


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str) -> Any:
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})
