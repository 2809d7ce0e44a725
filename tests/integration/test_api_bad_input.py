"""Every operation in the OpenAPI document answers malformed input with a 4xx JSON error.

Walks the generated document, so endpoints added later are covered without editing this test.
"""

from __future__ import annotations

import re
from typing import Any

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
