"""Property-based fuzzing of the API from its own OpenAPI spec (schemathesis): whatever a
client sends, no answer is a server error and every answer fits the spec."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mineralflow.web import ServeSettings, create_app

#: a store of its own: fuzzed deletes and queries touch no one's runs
STORE = Path(tempfile.mkdtemp(prefix="mineralflow-fuzz-"))
APP = create_app(ServeSettings(store=STORE))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]  # fmt: skip


@SCHEMA.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_breaks_the_api(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
