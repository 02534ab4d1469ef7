"""Schemathesis fuzzes every operation of /api/v1 from its OpenAPI document (bounded examples):
no server error, and no response that the document does not describe (status, media type, body).

Runs in ``make test`` on both databases; ``SCHEMATHESIS_EXAMPLES`` (default 5) bounds the
examples per operation, so a leg stays well under a minute.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))


def test_api_conforms_to_its_document(app, demo, api_keys, enable_plugins):
    enable_plugins("po_allocation")  # off by default: every plugin's operations are fuzzed
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash comes back as a 500, which the check reports
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {api_keys['admin']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    assert {"/api/v1/pending-emails", "/api/v1/back-orders/links", "/api/v1/supplier-notifications"} <= {
        op.path for op in operations}
    failures = []
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collected, reported together below
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:800]}")
    assert failures == [], "\n\n".join(failures)
