"""Every operation in the OpenAPI document answers malformed input with a 4xx JSON error.

Walks the generated document, so endpoints added later are covered without editing this test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("validated_responses")

WRONG_VALUES: dict[str, list[Any]] = {
    "string": [12345, ["a"], {"a": 1}, "x" * 5000],
    "integer": ["abc", 1.5, -(2**70), 2**70, [1]],
    "number": ["abc", [1], {"n": 1}],
    "boolean": ["maybe", 7, [True]],
    "array": ["not a list", 5, {"a": 1}],
    "object": ["not an object", 5, [1, 2]],
}


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = doc["components"]["schemas"][name]
    return schema


def _type_of(doc: dict[str, Any], schema: dict[str, Any]) -> str | None:
    schema = _resolve(doc, schema)
    if "type" in schema:
        return str(schema["type"])
    for option in schema.get("anyOf", []):
        kind = _type_of(doc, option)
        if kind not in (None, "null"):
            return kind
    return None


def _bodies(doc: dict[str, Any], operation: dict[str, Any]) -> list[Any]:
    """Malformed bodies: wrong shapes, and each property given a value of the wrong type."""
    bodies: list[Any] = [[], "text", 42, {"no_such_field": 1}]
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return bodies
    for name, prop in _resolve(doc, schema).get("properties", {}).items():
        kind = _type_of(doc, prop)
        for value in WRONG_VALUES.get(kind or "", []):
            bodies.append({name: value})
    return bodies


def _requests(
    doc: dict[str, Any], operation: dict[str, Any], method: str
) -> list[tuple[Any, dict[str, str]]]:
    """(body, query) pairs: malformed bodies for writes, wrong-typed query values for all."""
    requests: list[tuple[Any, dict[str, str]]] = []
    if method != "get":
        requests += [(body, {}) for body in _bodies(doc, operation)]
    for param in operation.get("parameters", []):
        if param.get("in") == "query":
            for value in ("abc", "-1", "1e309", "x" * 5000, ""):
                requests.append((None, {param["name"]: value}))
    return requests or [(None, {})]


def test_no_operation_answers_bad_input_with_a_server_error(client: Any, admin: Any) -> None:
    """Wrong types, wrong shapes, unknown fields and silly path ids all get 4xx JSON, never 5xx."""
    doc = client.get("/api/v1/openapi.json").get_json()
    checked = 0
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for ident in ("0", "999999999", "not-an-id", "%00"):
                url = re.sub(r"\{[^}]+\}", ident, path)
                for body, query in _requests(doc, operation, method):
                    response = client.open(
                        url,
                        method=method.upper(),
                        json=body,
                        query_string=query,
                        headers=admin["headers"],
                    )
                    checked += 1
                    assert response.status_code < 500, (method, url, body, response.data[:300])
                    if response.status_code >= 400:
                        error = response.get_json()["error"]
                        assert error["code"] and error["message"], (method, url, body)
    assert checked > 200


INT64_MAX = 2**63 - 1
# The widget's conversation routes take the conversation's own token and refuse any other
# (401) before reading input; their input refusals are tested with a real token in
# tests/integration/chat/test_customer_refusals.py. Their bounds are still checked here.
CONVERSATION_ROUTES = "/chat/api/conversations/{"


def _integer_parameters(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, parameter) for every integer path or query parameter in the document."""
    found = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                if param["in"] in ("path", "query") and _type_of(doc, param["schema"]) == "integer":
                    found.append((method, path, param))
    return found


# 2**31: row ids are INTEGER columns, which PostgreSQL binds as `::INTEGER` (a 500 there only).
@pytest.mark.parametrize("value", [2**31, 2**63, 2**64 + 1, -(2**63) - 1])
def test_integer_parameters_beyond_64_bits_are_refused(
    app: Any, client: Any, admin: Any, value: int
) -> None:
    """Every integer path or query parameter is bounded in the document and answers 422 naming
    itself for an integer the database driver cannot hold (it was a 500 on 30 operations)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is listed with the others, not raised
    doc = client.get("/api/v1/openapi.json").get_json()
    parameters = _integer_parameters(doc)
    assert len(parameters) > 30
    problems = []
    for method, path, param in parameters:
        schema = _resolve(doc, param["schema"])
        if schema.get("maximum", 2**64) > INT64_MAX or schema.get("minimum", -(2**64)) < 0:
            problems.append((method, path, param["name"], "unbounded in the document", schema))
        if path.startswith(CONVERSATION_ROUTES):
            continue
        url, query = path, {}
        if param["in"] == "path":
            url = path.replace("{" + param["name"] + "}", str(value))
        else:
            query = {param["name"]: str(value)}
        url = re.sub(r"\{[^}]+\}", "1", url)
        response = client.open(
            url,
            method=method.upper(),
            query_string=query,
            json=None if method == "get" else {},
            headers=admin["headers"],
        )
        if value < 0 and param["in"] == "path" and response.status_code == 404:
            continue  # <int:...> matches digits only: a negative id is no route at all
        error = (response.get_json() or {}).get("error", {})
        if response.status_code != 422 or error.get("field") != param["name"]:
            problems.append((method, url, query, response.status_code, error))
    assert not problems


# Ids the document leaves unbounded (none: every one is the shared Id type).
UNBOUNDED_IDS: set[tuple[str, str, str]] = set()


def _body_properties(doc: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(method, path, property, schema) for every top-level property of a JSON request body."""
    found = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                continue
            for name, prop in _resolve(doc, schema).get("properties", {}).items():
                found.append((method, path, name, prop))
    return found


def _integer_properties(doc: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(method, path, property, schema) for every integer property of a JSON request body."""
    return [p for p in _body_properties(doc) if _type_of(doc, p[3]) == "integer"]


def _integer_schema(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(doc, schema)
    options = [_resolve(doc, s) for s in schema.get("anyOf", [])]
    return next((s for s in options if s.get("type") == "integer"), schema)


@pytest.mark.parametrize("value", [2**31, 2**63, -(2**63) - 1])
def test_body_integers_beyond_64_bits_are_refused(
    app: Any, client: Any, admin: Any, value: int
) -> None:
    """An integer no database column holds, in any body, answers 422 naming the field."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is listed with the others, not raised
    doc = client.get("/api/v1/openapi.json").get_json()
    properties = _integer_properties(doc)
    assert len(properties) > 20
    problems = []
    for method, path, name, prop in properties:
        bound = _integer_schema(doc, prop)
        bounded = bound.get("minimum", 0) >= 1 and bound.get("maximum", 2**64) <= INT64_MAX
        if name.endswith("_id") and not bounded and (method, path, name) not in UNBOUNDED_IDS:
            problems.append((method, path, name, "id unbounded in the document", bound))
        if path.startswith(CONVERSATION_ROUTES):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = client.open(
            url, method=method.upper(), json={name: value}, headers=admin["headers"]
        )
        error = (response.get_json() or {}).get("error", {})
        named = {error.get("field")} | {d["field"] for d in error.get("details", [])}
        if response.status_code != 422 or name not in named:
            problems.append((method, url, name, response.status_code, error))
    assert not problems


def _typed_properties(doc: dict[str, Any], kind: str) -> list[tuple[str, str, str]]:
    return [
        (method, path, name)
        for method, path, name, prop in _body_properties(doc)
        if _type_of(doc, prop) == kind
    ]


# Bodies that still coerce types (none: every one is the shared strict Body).
LAX_BODIES: set[str] = set()


@pytest.mark.parametrize(("kind", "values"), [("boolean", [0, 1]), ("integer", [True, False])])
def test_booleans_and_integers_are_not_coerced(
    client: Any, admin: Any, kind: str, values: list[Any]
) -> None:
    """No body takes 0/1 for a boolean or true/false for an integer: 422 names the field."""
    doc = client.get("/api/v1/openapi.json").get_json()
    properties = _typed_properties(doc, kind)
    assert len(properties) > 5
    problems = []
    for method, path, name in properties:
        if path in LAX_BODIES or path.startswith(CONVERSATION_ROUTES):
            continue
        for value in values:
            url = re.sub(r"\{[^}]+\}", "1", path)
            response = client.open(
                url, method=method.upper(), json={name: value}, headers=admin["headers"]
            )
            error = (response.get_json() or {}).get("error", {})
            refused = [d for d in error.get("details", []) if d["field"] == name]
            if response.status_code != 422 or not refused:
                problems.append((method, url, name, value, response.status_code, error))
    assert not problems
