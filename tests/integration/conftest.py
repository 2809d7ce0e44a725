"""Fixtures for tests of the web process: the app on a real database and Redis, API callers,
and the router process's parts running beside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI

from contactcentre.app import create_app
from contactcentre.settings import Settings
from tests.builders import add_person
from tests.integration.realtime.live import LiveRouter


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
def live_router(app: OpenAPI) -> Iterator[LiveRouter]:
    """The router process's parts running in threads, on the app's database and Redis."""
    router = LiveRouter(app.extensions["contactcentre"])
    yield router
    router.stop()


@pytest.fixture
def make_user(app: OpenAPI) -> Callable[..., dict[str, Any]]:
    """Create a user of a role; returns its id, email, password, bearer headers (and agent id).

    An agent's skills are given as levels, e.g. make_user("agent", skills={"billing": 9}).
    """
    counter = iter(range(1, 10_000))

    def _make(
        role: str = "admin", *, agent: bool | None = None, skills: dict[str, int] | None = None
    ) -> dict[str, Any]:
        with app.extensions["contactcentre"].db.session() as session:
            return add_person(session, role, next(counter), agent=agent, skills=skills)

    return _make


@pytest.fixture
def admin(make_user: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_user("admin")
