"""Property-based fuzzing of every endpoint in the OpenAPI document (schemathesis).

For generated requests, valid and invalid, every answer must be: no 5xx, a status code the
document lists, the content type it lists, a body that matches its schema (errors with the
`{"error", "message"}` shape of API.md).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import bearer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip


def test_every_endpoint_answers_within_its_contract(app, tokens):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    strategies = [
        op.as_strategy(generation_mode=mode)
        for op in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    # As an organiser, so the requests reach the handlers rather than stop at the auth check.
    headers = bearer(tokens["organiser"])
    failures: list[str] = []

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)  # fmt: skip
    @given(data=st.data())
    def run(data):
        for strategy in strategies:
            try:
                case = data.draw(strategy)
            except Exception:  # noqa: S112  (an operation whose negative data cannot be made)
                continue
            if case.path == "/api/v1/me" and case.method == "DELETE":
                continue  # would cancel the fuzzing attendee; covered by its own tests
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except Exception as exc:  # collect all, so one run lists every broken operation
                failures.append(
                    f"{case.method} {case.formatted_path}: {str(exc).splitlines()[0:6]}"
                )

    run()
    unique = sorted(set(failures))
    assert not unique, f"{len(unique)} contract failures:\n" + "\n".join(unique[:30])
