"""The JSON Schema of scenario files, for editors that validate YAML as it is typed."""

from __future__ import annotations

from typing import Any

from mineralflow.scenario.model import Scenario


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file, field names as written in YAML."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://mineralflow.org/schema/scenario.json",
        **schema,
        "title": "mineralflow scenario",
    }
