"""The Mailchimp API contract, checked on real traffic in tests (issues 3 and 4).

`MailchimpSpec` reads the two OpenAPI files from `<repo>/../shared/mailchimp/` once per session and checks
requests against `marketing-openapi.yaml` and responses against it too, except for the 15 operations whose
YAML 2xx schema refers to itself: those use `marketing-openapi.ballerina-3.0.85.json`. Traffic outside the
API (`/_emulator/...`, `/oauth2/...`, anything not under `/3.0`) is skipped. Where Mailchimp differs from the
files (merge field values, "" date-times, ...) see the quirks section of `spec_documents.py`.

How to wire it in (the plugin `tests.support.spec_plugin` is registered in tests/conftest.py):

* Emulator tests (E1/E2): already wired. The plugin adds a check to `tests.support.emulator.RESPONSE_HOOKS`,
  so every response an `mc_account` client receives is checked (requests are not: these tests send bad
  bodies on purpose to see Mailchimp's 400s). Other clients of the emulator wrap their transport::

      transport = spec_checked_transport(httpx.HTTPTransport(), check_requests=False)
      client = httpx.Client(base_url=emulator.api_base, transport=transport)

  `httpx.ASGITransport(app)` is wrapped the same way (async). Starlette's TestClient builds its own
  transport, so use hooks: `client.event_hooks = spec_event_hooks(check_requests=False)`. Traffic of the
  official `mailchimp-marketing` SDK is checked in tests that request `spec_checked_mailchimp_marketing`.

* Our Mailchimp client (issue 4): add to the client tests' conftest, so that no test can skip it::

      @pytest.fixture(autouse=True)
      def _mailchimp_contract(spec_checked_httpx: None) -> None:
          pass  # every request our client sends and every answer it gets is checked

  It patches httpx's real and ASGI transports for the test, whichever client the product builds.

A violation raises `SpecViolation` (an AssertionError naming the operation, JSON pointer and reason) where the
traffic happens; the fixtures also fail the test at teardown if product code caught and hid it. Direct use:
`MailchimpSpec.shared().validate_request(method, path, query, body, content_type)` / `validate_response(...)`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from tests.support.spec_documents import (
    BALLERINA_FILE,
    BROKEN_RESPONSE_SCHEMAS,
    SPEC_DIR,
    YAML_FILE,
    Direction,
    Json,
    SpecDocument,
    correct_known_defects,
    default_cache_dir,
    load_json,
    load_yaml,
    spec_file,
)
from tests.support.spec_operations import Operation, Problem, SpecViolation, UnknownOperation, raise_if_any
from tests.support.spec_paths import PathIndex, PathTemplate
from tests.support.spec_requests import PARTIAL_RESPONSE_PARAMETERS, request_problems
from tests.support.spec_responses import error_problems, success_problems

__all__ = ["MailchimpSpec", "Operation", "Problem", "SpecViolation", "UnknownOperation"]

API_PREFIX = "/3.0"
_METHODS = ("get", "post", "put", "patch", "delete")


class MailchimpSpec:
    def __init__(self, yaml_document: SpecDocument, ballerina_document: SpecDocument) -> None:
        self._yaml = yaml_document
        self._ballerina = ballerina_document
        self._yaml_paths = PathIndex(yaml_document.contents["paths"])
        self._ballerina_paths = PathIndex(ballerina_document.contents["paths"])
        self._operations = {(op.method, op.template): op for op in self._read_operations()}

    @classmethod
    def load(cls, directory: Path = SPEC_DIR, cache_dir: Path | None = None) -> MailchimpSpec:
        yaml_contents = load_yaml(spec_file(YAML_FILE, directory), cache_dir or default_cache_dir())
        ballerina_contents = load_json(spec_file(BALLERINA_FILE, directory))
        return cls(
            SpecDocument(YAML_FILE, correct_known_defects(yaml_contents, YAML_FILE)),
            SpecDocument(BALLERINA_FILE, correct_known_defects(ballerina_contents, BALLERINA_FILE)),
        )

    @staticmethod
    @functools.cache
    def shared() -> MailchimpSpec:
        """One parsed spec per process: parsing and the validators it caches are the slow part."""
        return MailchimpSpec.load()

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(self._operations.values())

    @property
    def broken_operations(self) -> tuple[Operation, ...]:
        return tuple(op for op in self._operations.values() if op.broken_response)

    def match(self, method: str, path: str) -> Operation:
        """The operation for a concrete path, with or without the `/3.0` prefix."""
        return self._bind(method, _strip_prefix(path))[0]

    def validate_request(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> Operation | None:
        """Check a request against the YAML; None when the path is outside the Mailchimp API."""
        api_path = _api_path(path)
        if api_path is None:
            return None
        operation, path_values = self._bind(method, api_path)
        problems = request_problems(self._yaml, operation, path_values, query or {}, body, content_type)
        raise_if_any(f"{operation} request (checked against {YAML_FILE})", problems)
        return operation

    def validate_response(
        self,
        method: str,
        path: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        query: Mapping[str, str] | None = None,
    ) -> Operation | None:
        """Check a response; None when outside the API (or, for an error, when no operation matches)."""
        api_path = _api_path(path)
        if api_path is None:
            return None
        if status >= 400:
            raise_if_any(
                f"{method.upper()} {path} error response {status}",
                error_problems(self._yaml, status, headers, body),
            )
            return self._find(method, api_path)
        operation = self.match(method, api_path)
        document, pointer = self._response_source(operation)
        # Asking for some fields gives a trimmed body, so required properties may be absent.
        trimmed = any(name in (query or {}) for name in PARTIAL_RESPONSE_PARAMETERS)
        direction = Direction.PARTIAL_RESPONSE if trimmed else Direction.RESPONSE
        problems = success_problems(document, pointer, status, headers, body, direction)
        raise_if_any(f"{operation} response {status} (checked against {document.name})", problems)
        return operation

    def _response_source(self, operation: Operation) -> tuple[SpecDocument, str]:
        if operation.broken_response and operation.ballerina_pointer is not None:
            return self._ballerina, operation.ballerina_pointer
        return self._yaml, operation.yaml_pointer

    def _bind(self, method: str, api_path: str) -> tuple[Operation, dict[str, str]]:
        found = self._yaml_paths.find(api_path)
        operation = self._operations.get((method.upper(), found[0].template)) if found else None
        if found is None or operation is None:
            raise UnknownOperation(method.upper(), api_path)
        return operation, found[1]

    def _find(self, method: str, api_path: str) -> Operation | None:
        try:
            return self.match(method, api_path)
        except UnknownOperation:
            return None

    def _read_operations(self) -> list[Operation]:
        operations = []
        for template, item in self._yaml.contents["paths"].items():
            twin = self._ballerina_paths.same_shape(PathTemplate.parse(template))
            for method in _METHODS:
                if method in item:
                    operations.append(
                        Operation(
                            method=method.upper(),
                            template=template,
                            operation_id=item[method]["operationId"],
                            ballerina_template=twin.template
                            if twin and method in self._twin_item(twin)
                            else None,
                            broken_response=_has_broken_response(item[method]),
                        )
                    )
        return operations

    def _twin_item(self, twin: PathTemplate) -> Json:
        return self._ballerina.contents["paths"][twin.template]


def _has_broken_response(operation: Json) -> bool:
    for code, response in operation["responses"].items():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if code.startswith("2") and schema.get("$ref", "").rsplit("/", 1)[-1] in BROKEN_RESPONSE_SCHEMAS:
            return True
    return False


def _api_path(path: str) -> str | None:
    """The path below `/3.0`, or None for traffic outside the Mailchimp API."""
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        return path[len(API_PREFIX) :] or "/"
    return None


def _strip_prefix(path: str) -> str:
    return _api_path(path) or path
