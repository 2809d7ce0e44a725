"""Signing in through the real login form (with its CSRF token), for tests of pages."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient


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
