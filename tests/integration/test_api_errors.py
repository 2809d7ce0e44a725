"""Bad input anywhere in the API gets a 4xx JSON error naming the field, never a 500."""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any

import pytest
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel

pytestmark = pytest.mark.usefixtures("validated_responses")


def _error(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert set(body["error"]) >= {"code", "message", "field"}
    return body["error"]


def test_malformed_json_is_400(client: Any, admin: Any) -> None:
    """A body that is not JSON answers 400 malformed_json."""
    response = client.post(
        "/api/v1/skills", data="{name: ", headers=admin["headers"], content_type="application/json"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_json"


def test_wrong_type_names_the_field(client: Any, admin: Any) -> None:
    """A number where a string belongs answers 422 with that field named."""
    response = client.post(
        "/api/v1/queues", json={"name": "Q", "wrap_up_seconds": "soon"}, headers=admin["headers"]
    )
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "validation_error"
    assert error["field"] == "wrap_up_seconds"


def test_unknown_field_is_refused(client: Any, admin: Any) -> None:
    """A field the resource does not have is refused rather than silently dropped."""
    response = client.post(
        "/api/v1/skills", json={"name": "x", "colour": "red"}, headers=admin["headers"]
    )
    assert response.status_code == 422
    assert _error(response)["field"] == "colour"


def test_json_array_instead_of_object(client: Any, admin: Any) -> None:
    """A JSON array where an object belongs answers 422, not 500."""
    response = client.post("/api/v1/skills", json=[1, 2], headers=admin["headers"])
    assert response.status_code == 422


def test_oversized_body_is_413(app: Any, client: Any, admin: Any) -> None:
    """A body over the configured limit answers 413 with the limit in the message."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/api/v1/skills",
        data="x" * (limit + 1),
        headers=admin["headers"],
        content_type="application/json",
    )
    assert response.status_code == 413
    assert str(limit) in _error(response)["message"]


@pytest.mark.parametrize(
    "path", ["/api/v1/skills/999", "/api/v1/agents/999", "/api/v1/queues/999", "/api/v1/users/999"]
)
def test_unknown_id_is_404(client: Any, admin: Any, path: str) -> None:
    """An id that does not exist answers 404 naming the id field."""
    response = client.get(path, headers=admin["headers"])
    assert response.status_code == 404
    assert _error(response) == {
        "code": "not_found",
        "field": "id",
        "message": f"no {path.split('/')[3][:-1]} with id 999",
    }


def test_unknown_route_and_method(client: Any, admin: Any) -> None:
    """Unknown paths answer 404 and wrong methods 405, both in the error format."""
    assert _error(client.get("/api/v1/nope", headers=admin["headers"]))["code"] == "not_found"
    response = client.put("/api/v1/skills", json={}, headers=admin["headers"])
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/skills", {"GET", "POST"}),
        ("POST", "/api/v1/users/1", {"GET", "PATCH", "DELETE"}),
        ("DELETE", "/api/v1/openapi.json", {"GET"}),
    ],
)
def test_wrong_method_names_the_allowed_ones(
    client: Any, admin: Any, method: str, path: str, allowed: set[str]
) -> None:
    """A 405 carries the Allow header (RFC 9110) and says in its JSON body what to use."""
    response = client.open(path, method=method, headers=admin["headers"])
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    allow = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allow >= allowed and method not in allow
    error = _error(response)
    assert error["code"] == "method_not_allowed"
    assert all(m in error["message"] for m in allowed)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/canned-responses", "interaction_id="),
        ("/api/v1/skills", "limit=%20"),
        ("/api/v1/customers", "q=maria&email="),
    ],
)
def test_blank_query_parameter_is_400(client: Any, admin: Any, path: str, query: str) -> None:
    """A query parameter given without a value is refused naming it, never taken as absent."""
    response = client.get(f"{path}?{query}", headers=admin["headers"])
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "blank_parameter"
    assert error["field"] == query.rsplit("&", 1)[-1].split("=", maxsplit=1)[0]


def test_bad_pagination_is_422(client: Any, admin: Any) -> None:
    """A page size outside 1-500 names the limit field."""
    response = client.get("/api/v1/skills?limit=0", headers=admin["headers"])
    assert response.status_code == 422
    assert _error(response)["field"] == "limit"


def test_openapi_document_describes_every_resource(client: Any) -> None:
    """The OpenAPI 3 document is public and generated from the validating schemas."""
    from openapi_spec_validator import validate

    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in (
        "/api/v1/agents",
        "/api/v1/skills",
        "/api/v1/queues",
        "/api/v1/users",
        "/api/v1/customers",
    ):
        assert path in doc["paths"], path
    schemas = doc["components"]["schemas"]
    assert schemas["QueueIn"]["properties"]["wrap_up_seconds"]["maximum"] == 3600
    assert "blank_parameter" in doc["info"]["description"]
    validate(doc)


def test_every_success_response_has_a_schema(client: Any) -> None:
    """Clients can generate code from the document: each 2xx answer but 204 says its shape."""
    doc = client.get("/api/v1/openapi.json").get_json()
    missing = [
        f"{method.upper()} {path} {status}"
        for path, operations in doc["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status.startswith("2")
        and status != "204"
        and not any("schema" in media for media in response.get("content", {}).values())
    ]
    assert not missing


def test_openapi_schema_names_are_unique(app: Any, client: Any) -> None:
    """No two models of the API share a schema name (the document would show one for both)."""
    components = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    modules = [
        sys.modules[bp.import_name]
        for bp in app.blueprints.values()
        if isinstance(bp, APIBlueprint)
    ]
    owners: dict[str, set[type[BaseModel]]] = defaultdict(set)
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel:
                owners[value.model_json_schema().get("title") or value.__name__].add(value)
    clashes = {
        name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
        for name, models in owners.items()
        if name in components and len(models) > 1
    }
    assert not clashes


def test_nul_characters_are_refused(client: Any, admin: Any) -> None:
    """NUL characters (which PostgreSQL text cannot hold) are refused naming where they were."""
    h = admin["headers"]
    in_path = client.get("/api/v1/tasks/%00/trace", headers=h)
    assert in_path.status_code == 400
    assert _error(in_path)["field"] == "path"
    in_query = client.get("/api/v1/customers", query_string={"q": "a\x00b"}, headers=h)
    assert _error(in_query) == {
        "code": "nul_character",
        "message": "text may not contain NUL (\\0) characters",
        "field": "q",
    }
    in_body = client.post("/api/v1/skills", json={"name": "x", "description": "a\x00"}, headers=h)
    assert _error(in_body)["field"] == "description"


@pytest.mark.parametrize(
    "part",
    [
        b"Content-Disposition: form-data\r\n\r\nx",
        b'Content-Disposition: form-data; filename="rows.csv"\r\n\r\nx',
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/customers/import", "/api/v1/skills", "/api/v1/nope"])
def test_multipart_part_without_a_name_is_400(client: Any, part: bytes, path: str) -> None:
    """A form part with no name in its Content-Disposition is refused before anything else."""
    response = client.post(
        path,
        data=b"--b\r\n" + part + b"\r\n--b--\r\n",
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "malformed_form"
    assert "name" in error["message"]
