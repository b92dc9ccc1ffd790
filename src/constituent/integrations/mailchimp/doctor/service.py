"""Examine an integration (and, asked to, apply the safe fixes and examine it again).

Never commits: the boundary (CLI command, REST request, page) does. A check that Mailchimp cannot
answer is a failed check, not an error, so one report always says everything that was found.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp import errors
from constituent.integrations.mailchimp.client import MailchimpClient
from constituent.integrations.mailchimp.credentials import credentials_for
from constituent.integrations.mailchimp.doctor import checks, fixes, local
from constituent.integrations.mailchimp.doctor.expected import Expected, expected_of
from constituent.integrations.mailchimp.doctor.schemas import (
    CheckName,
    CheckResult,
    DoctorReport,
    FixOutcome,
    failing,
    not_checked,
)
from constituent.integrations.mailchimp.models import MailchimpIntegration
from constituent.integrations.mailchimp.service import get_integration
from constituent.kit.crypto import SecretBox
from constituent.kit.settings import Settings

# Checked only once the audience is known to be ours.
AUDIENCE_PARTS = (CheckName.merge_fields, CheckName.interests, CheckName.webhook)


async def examine(
    session: Session,
    box: SecretBox,
    settings: Settings,
    integration_id: int,
    now: datetime,
    *,
    fix: bool = False,
) -> DoctorReport:
    integration = get_integration(session, integration_id)
    report = await _examine(session, box, settings, integration, now)
    if not fix or not any(check.fixable for check in report.failed()):
        return report
    tried = await _fix(session, box, settings, integration, report)
    session.flush()
    again = await _examine(session, box, settings, integration, now)
    return again.model_copy(update={"fixes": tried})


async def _examine(
    session: Session, box: SecretBox, settings: Settings, integration: MailchimpIntegration, now: datetime
) -> DoctorReport:
    remote = await _remote_checks(session, box, settings, integration)
    ours = [
        local.worker(session, settings, integration.id, now),
        local.nightly(session, settings, integration, now),
        local.last_run(session, integration.id),
    ]
    return DoctorReport(
        integration_id=integration.id, integration_name=integration.name, checks=remote + ours
    )


async def _remote_checks(
    session: Session, box: SecretBox, settings: Settings, integration: MailchimpIntegration
) -> list[CheckResult]:
    if not integration.secret_encrypted:
        found = "No credentials are stored (the integration was removed)."
        return [failing(CheckName.credentials, found, "Connect the audience again.")] + [
            not_checked(name, "no credentials") for name in (CheckName.audience, *AUDIENCE_PARTS)
        ]
    expected = expected_of(session, box, integration, settings.base_url)
    async with MailchimpClient(credentials_for(integration, box)) as client:
        account = await checks.credentials(client)
        if not account.passed:
            return [account] + [
                not_checked(n, "Mailchimp did not answer") for n in (CheckName.audience, *AUDIENCE_PARTS)
            ]
        audience = await _guarded(CheckName.audience, checks.audience(client, expected), expected)
        if not audience.passed and not audience.fixable:
            return [account, audience] + [not_checked(n, "the audience is not ours") for n in AUDIENCE_PARTS]
        parts = [
            await _guarded(CheckName.merge_fields, checks.merge_fields(client, expected), expected),
            await _guarded(CheckName.interests, checks.interests(client, expected), expected),
            await _guarded(CheckName.webhook, checks.webhook(client, expected), expected),
        ]
    return [account, audience, *parts]


async def _guarded(name: CheckName, check: Awaitable[CheckResult], expected: Expected) -> CheckResult:
    """The check's result, or a failed one when Mailchimp answered with an error on the way."""
    try:
        return await check
    except errors.MailchimpError as exc:
        return failing(name, f"Mailchimp answered: {expected.shown(exc.describe())}", "Try again later.")


async def _fix(
    session: Session,
    box: SecretBox,
    settings: Settings,
    integration: MailchimpIntegration,
    report: DoctorReport,
) -> list[FixOutcome]:
    """Each fixable failure's repair, in the checks' order; one that Mailchimp stops leaves the others."""
    expected = expected_of(session, box, integration, settings.base_url)
    to_fix = {check.name for check in report.failed() if check.fixable}
    tried: list[FixOutcome] = []
    async with MailchimpClient(credentials_for(integration, box)) as client:
        if CheckName.audience in to_fix:
            tried.append(
                await _tried(CheckName.audience, fixes.record_audience_name(client, integration), expected)
            )
        if CheckName.merge_fields in to_fix:
            repair = fixes.recreate_merge_fields(session, client, integration)
            tried.append(await _tried(CheckName.merge_fields, repair, expected))
        if CheckName.interests in to_fix:
            repair = fixes.recreate_interests(client, integration, expected)
            tried.append(await _tried(CheckName.interests, repair, expected))
        if CheckName.webhook in to_fix:
            repair = fixes.repair_webhook(client, integration, expected, box, settings.base_url)
            tried.append(await _tried(CheckName.webhook, repair, expected))
    return tried


async def _tried(name: CheckName, fix: Awaitable[FixOutcome], expected: Expected) -> FixOutcome:
    """The fix's outcome; Mailchimp refusing or failing on the way stops that fix only."""
    try:
        return await fix
    except errors.MailchimpError as exc:
        said = f"Not fixed: Mailchimp answered {expected.shown(exc.describe())}"
        return FixOutcome(check=name, done=False, said=said)
