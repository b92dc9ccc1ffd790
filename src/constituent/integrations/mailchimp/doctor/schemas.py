"""What the doctor answers: one typed result per check, and the report of an integration."""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field, computed_field


class CheckName(enum.StrEnum):
    credentials = "credentials"
    audience = "audience"
    merge_fields = "merge_fields"
    interests = "interests"
    webhook = "webhook"
    worker = "worker"
    nightly = "nightly"
    last_run = "last_run"


# How a person reads each check's name (the page, the CLI's plain output).
CHECK_LABELS = {
    CheckName.credentials: "Mailchimp accepts the credentials",
    CheckName.audience: "The audience is the one connected",
    CheckName.merge_fields: "Our merge fields",
    CheckName.interests: "Our interest category and interests",
    CheckName.webhook: "The webhook",
    CheckName.worker: "The job queue and its worker",
    CheckName.nightly: "The nightly sync",
    CheckName.last_run: "The last sync",
}


class CheckResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: CheckName
    passed: bool
    found: str = Field(description="What the check found, in plain words.")
    fix: str = Field(default="", description="How to fix a failed check, in one line.")
    fixable: bool = Field(default=False, description="Whether --fix (or the fix endpoint) can apply it.")
    checked: bool = Field(default=True, description="False when an earlier failure left nothing to check.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        return CHECK_LABELS[self.name]


def passing(name: CheckName, found: str) -> CheckResult:
    return CheckResult(name=name, passed=True, found=found)


def failing(name: CheckName, found: str, fix: str, *, fixable: bool = False) -> CheckResult:
    return CheckResult(name=name, passed=False, found=found, fix=fix, fixable=fixable)


def not_checked(name: CheckName, reason: str) -> CheckResult:
    return CheckResult(
        name=name,
        passed=False,
        checked=False,
        found=f"Not checked: {reason}.",
        fix="Fix the check above first.",
    )


class FixOutcome(BaseModel):
    """One fix the doctor tried: for which check, whether it was done, and what happened in one sentence."""

    model_config = ConfigDict(frozen=True)

    check: CheckName
    done: bool
    said: str


class DoctorReport(BaseModel):
    integration_id: int
    integration_name: str
    checks: list[CheckResult]
    fixes: list[FixOutcome] = Field(default_factory=list, description="The fixes tried (fix only).")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def failed(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]
