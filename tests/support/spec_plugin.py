"""Pytest fixtures for the Mailchimp contract checks (see tests/support/mailchimp_spec.py for the wiring).

Every fixture that checks traffic shares the test's list of violations; if product code caught a
SpecViolation and the test passed anyway, the test fails at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

import httpx
import pytest

from tests.support import emulator
from tests.support.mailchimp_spec import MailchimpSpec, SpecViolation
from tests.support.spec_transport import (
    AsyncSpecCheckingTransport,
    SpecChecker,
    SpecCheckingTransport,
    async_event_hooks,
    check_every_httpx_transport,
    check_mailchimp_marketing,
    event_hooks,
)

_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if call.when == "call":
        item.stash[_CALL_FAILED] = report.failed  # type: ignore[attr-defined]
    return report


def pytest_configure(config: pytest.Config) -> None:
    """Every response an emulator test client (`mc_account`) receives is checked against the spec."""
    emulator.RESPONSE_HOOKS.append(_check_emulator_response)


def _check_emulator_response(response: httpx.Response) -> None:
    # The emulator tests send bad requests on purpose, to see Mailchimp's errors: only responses are checked.
    SpecChecker(MailchimpSpec.shared(), check_requests=False).httpx_response(response.request, response)


@pytest.fixture(scope="session")
def mailchimp_spec() -> MailchimpSpec:
    return MailchimpSpec.shared()


@pytest.fixture
def spec_violations(request: pytest.FixtureRequest) -> Iterator[list[SpecViolation]]:
    violations: list[SpecViolation] = []
    yield violations
    if violations and not request.node.stash.get(_CALL_FAILED, False):
        pytest.fail(
            f"{len(violations)} Mailchimp contract violation(s) were raised and caught during the test; "
            f"the first:\n{violations[0]}"
        )


@pytest.fixture
def spec_checked_transport(
    mailchimp_spec: MailchimpSpec, spec_violations: list[SpecViolation]
) -> Callable[..., httpx.BaseTransport | httpx.AsyncBaseTransport]:
    """`spec_checked_transport(inner, check_requests=True, check_responses=True)` wraps any transport.

    A transport that is both sync and async (httpx.MockTransport) is wrapped as sync unless asynchronous=True.
    """

    def wrap(
        inner: httpx.BaseTransport | httpx.AsyncBaseTransport,
        *,
        check_requests: bool = True,
        check_responses: bool = True,
        asynchronous: bool | None = None,
    ) -> httpx.BaseTransport | httpx.AsyncBaseTransport:
        checker = SpecChecker(
            mailchimp_spec,
            check_requests=check_requests,
            check_responses=check_responses,
            violations=spec_violations,
        )
        if asynchronous is None:
            asynchronous = not isinstance(inner, httpx.BaseTransport)
        if asynchronous:
            return AsyncSpecCheckingTransport(
                cast(httpx.AsyncBaseTransport, inner), mailchimp_spec, checker=checker
            )
        return SpecCheckingTransport(cast(httpx.BaseTransport, inner), mailchimp_spec, checker=checker)

    return wrap


@pytest.fixture
def spec_event_hooks(
    mailchimp_spec: MailchimpSpec, spec_violations: list[SpecViolation]
) -> Callable[..., dict[str, list[Callable[..., Any]]]]:
    """`spec_event_hooks(check_requests=True, asynchronous=False)` gives httpx `event_hooks`."""

    def hooks(
        *, check_requests: bool = True, check_responses: bool = True, asynchronous: bool = False
    ) -> dict[str, list[Callable[..., Any]]]:
        checker = SpecChecker(
            mailchimp_spec,
            check_requests=check_requests,
            check_responses=check_responses,
            violations=spec_violations,
        )
        return async_event_hooks(checker) if asynchronous else event_hooks(checker)

    return hooks


@pytest.fixture
def spec_checked_httpx(
    monkeypatch: pytest.MonkeyPatch, mailchimp_spec: MailchimpSpec, spec_violations: list[SpecViolation]
) -> None:
    """Every httpx request in the test, through any client, is checked both ways (make it autouse)."""
    check_every_httpx_transport(monkeypatch, SpecChecker(mailchimp_spec, violations=spec_violations))


@pytest.fixture
def spec_checked_mailchimp_marketing(
    monkeypatch: pytest.MonkeyPatch, mailchimp_spec: MailchimpSpec, spec_violations: list[SpecViolation]
) -> None:
    """Every call of Mailchimp's official SDK in the test is checked both ways."""
    check_mailchimp_marketing(monkeypatch, SpecChecker(mailchimp_spec, violations=spec_violations))
