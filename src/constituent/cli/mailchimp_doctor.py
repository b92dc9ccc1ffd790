"""``constituent mailchimp doctor``: every check of one integration (or of all), its fix in one line,
``--fix`` for the safe ones. Exit 0 only when every check passes (after the fixes)."""

from __future__ import annotations

import asyncio

import typer

from constituent.cli.context import open_session
from constituent.cli.output import emit_json, fail
from constituent.integrations.mailchimp import repository
from constituent.integrations.mailchimp.doctor.schemas import CheckResult, DoctorReport
from constituent.integrations.mailchimp.doctor.service import examine
from constituent.kit.clock import utcnow
from constituent.kit.crypto import SecretBox
from constituent.kit.settings import get_settings

FAILED = 1


def run_doctor(chosen: int | None, *, fix: bool, as_json: bool) -> None:
    settings = get_settings()
    box = SecretBox.from_settings(settings)
    with open_session() as session:
        ids = [chosen] if chosen is not None else [i.id for i in repository.list_all(session)]
        if not ids:
            fail("no Mailchimp integration yet: connect one with `constituent mailchimp connect`")
        reports = [asyncio.run(examine(session, box, settings, i, utcnow(), fix=fix)) for i in ids]
    if as_json:
        emit_json([report.model_dump(mode="json") for report in reports])
    else:
        for report in reports:
            _print(report)
    if not all(report.passed for report in reports):
        raise typer.Exit(FAILED)


def _print(report: DoctorReport) -> None:
    verdict = "all checks pass" if report.passed else f"{len(report.failed())} check(s) failed"
    typer.echo(f"Integration {report.integration_id} ({report.integration_name}): {verdict}")
    for outcome in report.fixes:
        typer.echo(f"  {'fixed' if outcome.done else 'NOT fixed'}  {outcome.check.value}: {outcome.said}")
    for check in report.checks:
        _print_check(check)


def _print_check(check: CheckResult) -> None:
    mark = "ok" if check.passed else ("skip" if not check.checked else "FAIL")
    typer.echo(f"  {mark:<5}  {check.name.value}: {check.found}")
    if not check.passed and check.checked:
        applies = " (--fix applies it)" if check.fixable else ""
        typer.echo(f"         fix: {check.fix}{applies}")
