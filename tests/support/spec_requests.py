"""Checks a request (path parameters, query, JSON body) against its operation in the YAML file."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from tests.support.spec_documents import Direction, Json, SpecDocument
from tests.support.spec_operations import Operation, Problem


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


# Mailchimp's partial responses (docs "Methods and Parameters"; API-NOTES §2): the YAML declares them on
# GETs only, and the product also asks a write for part of its answer (POST /lists/{id}, whose answer
# holds up to 500 whole members). Whether the service trims a write's answer is a reading of the emulator
# (docs/MAILCHIMP-FIDELITY.md, "Probably true"); asking is harmless either way.
PARTIAL_RESPONSE_PARAMETERS = ("fields", "exclude_fields")


def request_problems(
    document: SpecDocument,
    operation: Operation,
    path_values: Mapping[str, str],
    query: Mapping[str, str],
    body: bytes | None,
    content_type: str | None,
) -> list[Problem]:
    return [
        *_parameter_problems(document, operation, "path", path_values),
        *_parameter_problems(document, operation, "query", query),
        *_body_problems(document, operation, body, content_type),
    ]


def _parameter_problems(
    document: SpecDocument, operation: Operation, location: str, given: Mapping[str, str]
) -> list[Problem]:
    declared = {
        parameter["name"]: index
        for index, parameter in enumerate(document.resolve(operation.yaml_pointer).get("parameters", []))
        if parameter["in"] == location
    }
    problems = [
        Problem(
            _label(location, name), f"unknown {location} parameter; this operation takes {sorted(declared)}"
        )
        for name in given
        if name not in declared and not (location == "query" and name in PARTIAL_RESPONSE_PARAMETERS)
    ]
    for name, index in declared.items():
        pointer = f"{operation.yaml_pointer}/parameters/{index}"
        if name in given:
            problems += _value_problems(document, pointer, _label(location, name), given[name])
        elif document.resolve(pointer).get("required"):
            problems.append(Problem(_label(location, name), f"required {location} parameter is missing"))
    return problems


def _label(location: str, name: str) -> str:
    return f"?{name}" if location == "query" else f"{{{name}}}"


def _value_problems(document: SpecDocument, parameter_pointer: str, label: str, raw: str) -> list[Problem]:
    schema_pointer = f"{parameter_pointer}/schema"
    try:
        value = _typed(raw, document.resolve(schema_pointer))
    except ValueError as error:
        return [Problem(label, str(error))]
    errors = document.errors(schema_pointer, value, Direction.REQUEST)
    return [Problem(label, error.message) for error in errors]


def _typed(raw: str, schema: Json) -> Json:
    """A query or path string as the JSON value its schema describes (form style, comma-separated arrays)."""
    kind = schema.get("type")
    if kind == "array":
        return raw.split(",")
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError(f"{raw!r} is not a boolean (send true or false)")
        return raw == "true"
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise ValueError(f"{raw!r} is not an integer")
        return int(raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
    return raw


def _body_problems(
    document: SpecDocument, operation: Operation, body: bytes | None, content_type: str | None
) -> list[Problem]:
    request_body = document.resolve(operation.yaml_pointer).get("requestBody")
    if not body:
        required = request_body is not None and request_body.get("required", False)
        return [Problem("", "the operation requires a request body; none was sent")] if required else []
    if request_body is None:
        return [Problem("", "the operation takes no request body, but one was sent")]
    if media_type(content_type) != "application/json":
        return [Problem("", f"Content-Type must be application/json, not {content_type!r}")]
    try:
        data = json.loads(body)
    except ValueError as error:
        return [Problem("", f"the body is not JSON: {error}")]
    pointer = f"{operation.yaml_pointer}/requestBody/content/application~1json/schema"
    return [Problem.from_schema_error(error) for error in document.errors(pointer, data, Direction.REQUEST)]
