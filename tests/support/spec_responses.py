"""Checks a response: 2xx bodies against the operation's schema, 4xx/5xx against the problem+json shape."""

from __future__ import annotations

import json
from collections.abc import Mapping

from tests.support.spec_documents import Direction, Json, SpecDocument
from tests.support.spec_operations import Problem
from tests.support.spec_requests import media_type

PROBLEM_SCHEMA = "/components/schemas/Problem_Detail_Document"  # in the YAML; requires all five fields
_FIELD_ERROR_KEYS = ("field", "message")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive, for plain dicts as well as httpx.Headers."""
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def success_problems(
    document: SpecDocument,
    operation_pointer: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    direction: Direction,
) -> list[Problem]:
    responses = document.resolve(operation_pointer)["responses"]
    declared = sorted(code for code in responses if code != "default")
    if str(status) not in declared:
        return [Problem("", f"status {status} is not a documented response (documented: {declared})")]
    if status == 204 or not responses[str(status)].get("content"):
        return [Problem("", f"status {status} must have an empty body; got {body[:80]!r}")] if body else []
    if media_type(header(headers, "content-type")) != "application/json":
        return [
            Problem("", f"Content-Type must be application/json, not {header(headers, 'content-type')!r}")
        ]
    data, problem = _json(body)
    if problem:
        return [problem]
    pointer = f"{operation_pointer}/responses/{status}/content/application~1json/schema"
    return [Problem.from_schema_error(error) for error in document.errors(pointer, data, direction)]


def error_problems(
    document: SpecDocument, status: int, headers: Mapping[str, str], body: bytes
) -> list[Problem]:
    """Mailchimp's errors are RFC 7807 documents with type, title, status, detail and instance."""
    content_type = header(headers, "content-type")
    if status == 403 and "json" not in content_type:
        # Documented load shedding: "at exceptionally high volumes … 429 or 403 without a JSON body".
        return []
    if media_type(content_type) != "application/problem+json":
        return [Problem("", f"Content-Type must be application/problem+json, not {content_type!r}")]
    data, problem = _json(body)
    if problem:
        return [problem]
    errors = document.errors(PROBLEM_SCHEMA, data, Direction.RESPONSE)
    problems = [Problem.from_schema_error(error) for error in errors]
    if isinstance(data, dict) and isinstance(data.get("status"), int) and data["status"] != status:
        problems.append(Problem("/status", f"{data['status']} differs from the HTTP status {status}"))
    if isinstance(data, dict) and "errors" in data:
        problems += _field_error_problems(data["errors"])
    return problems


def _field_error_problems(field_errors: Json) -> list[Problem]:
    """`Invalid Resource` adds errors[{field, message}]; our client turns them into messages for people."""
    if not isinstance(field_errors, list):
        return [Problem("/errors", "must be an array of {field, message}")]
    return [
        Problem(f"/errors/{index}", "must be an object with string `field` and `message`")
        for index, item in enumerate(field_errors)
        if not (isinstance(item, dict) and all(isinstance(item.get(key), str) for key in _FIELD_ERROR_KEYS))
    ]


def _json(body: bytes) -> tuple[Json, Problem | None]:
    try:
        return json.loads(body), None
    except ValueError as error:
        return None, Problem("", f"the body is not JSON: {error}: {body[:80]!r}")
