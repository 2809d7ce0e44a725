"""schemathesis against the app, in process: every operation of the OpenAPI document, every
check, as an admin and as an agent; no server error and no answer outside the document."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

# A fixed budget per operation keeps the whole suite inside CI's time.
EXAMPLES_PER_OPERATION = 8
# Every check but "a schema-valid request is accepted": the API refuses well-formed requests
# the document cannot describe (a user id that does not exist, an unknown skill, an email the
# validator refuses) with 422 naming the field, which that check counts as a failure.
NOT_CHECKED = [positive_data_acceptance]


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_every_operation_keeps_to_its_document(app: Any, make_user: Any, role: str) -> None:
    """Fuzzed requests get a documented answer: never a 5xx, never an undocumented shape."""
    headers = make_user(role)["headers"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def keeps_to_its_document(case: Any) -> None:
            case.call_and_validate(headers=headers, excluded_checks=NOT_CHECKED)

        try:
            keeps_to_its_document()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {_first_lines(exc)}")
    assert operations > 50
    assert failures == [], "\n".join(failures)


def _first_lines(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " | ".join(lines[1:8])
