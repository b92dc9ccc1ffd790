"""What the contract checks talk about: spec operations and the violations found in traffic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jsonschema.exceptions import ValidationError

from tests.support.spec_documents import json_pointer

_MAX_REASON = 300  # a whole member object in a message hides the point


@dataclass(frozen=True)
class Operation:
    """One operation of the Mailchimp API, as the YAML file names it."""

    method: str
    template: str
    operation_id: str
    ballerina_template: str | None
    # The YAML's 2xx schema refers to itself (SOURCE.md), so responses are checked with the Ballerina file.
    broken_response: bool

    def __str__(self) -> str:
        return f"{self.method} {self.template} ({self.operation_id})"

    @property
    def yaml_pointer(self) -> str:
        return json_pointer(["paths", self.template, self.method.lower()])

    @property
    def ballerina_pointer(self) -> str | None:
        if self.ballerina_template is None:
            return None
        return json_pointer(["paths", self.ballerina_template, self.method.lower()])


@dataclass(frozen=True)
class Problem:
    """One thing wrong at `pointer`: a JSON pointer into the body, `?name` (query) or `{name}` (path)."""

    pointer: str
    reason: str

    @classmethod
    def from_schema_error(cls, error: ValidationError, prefix: str = "") -> Problem:
        reason = error.message
        if len(reason) > _MAX_REASON:
            reason = reason[:_MAX_REASON] + "…"
        return cls(prefix + json_pointer(list(error.absolute_path)), reason)

    def __str__(self) -> str:
        return f"at {self.pointer or '(whole)'}: {self.reason}"


class SpecViolation(AssertionError):
    """Traffic that breaks the Mailchimp OpenAPI contract. An AssertionError, so pytest reports a failure."""

    def __init__(self, where: str, problems: Sequence[Problem]) -> None:
        self.where = where
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{where}:\n{lines}")

    @property
    def pointer(self) -> str:
        return self.problems[0].pointer

    @property
    def reason(self) -> str:
        return self.problems[0].reason


class UnknownOperation(SpecViolation):
    """A Mailchimp API path and method that neither spec file has."""

    def __init__(self, method: str, path: str) -> None:
        super().__init__(
            f"{method} {path}",
            [Problem("", "no operation in marketing-openapi.yaml matches this method and path")],
        )


def raise_if_any(where: str, problems: Sequence[Problem]) -> None:
    if problems:
        raise SpecViolation(where, problems)
