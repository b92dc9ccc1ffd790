"""How a run ended, as the app and the metrics name it.

A run that wrote but had members Mailchimp did not take did not simply "succeed": its outcome is
"finished with problems", on the page ("finished with 29 problems") and in the metrics alike, so the
two always agree. The status column keeps the engine's states; this is the one place that reads the
errors counter into the outcome.
"""

from __future__ import annotations

from constituent.integrations.mailchimp.sync.models import RunStatus

FINISHED_WITH_PROBLEMS = "finished_with_problems"

_WORDS = {
    RunStatus.queued: "waiting to start",
    RunStatus.running: "running",
    RunStatus.succeeded: "succeeded",
    RunStatus.failed: "failed",
    RunStatus.needs_confirmation: "stopped before writing: removals need confirming",
    RunStatus.interrupted: "interrupted",
    RunStatus.cancelled: "cancelled: the integration was removed",
}


def run_outcome(status: RunStatus, errors: int) -> str:
    """The metrics' label: the status, except a success with member errors."""
    if status is RunStatus.succeeded and errors > 0:
        return FINISHED_WITH_PROBLEMS
    return status.value


def outcome_words(status: RunStatus, errors: int) -> str:
    """What a staffer reads: "succeeded", "finished with 29 problems", "failed", ..."""
    if run_outcome(status, errors) == FINISHED_WITH_PROBLEMS:
        return f"finished with {errors} problem{'s' if errors != 1 else ''}"
    return _WORDS[status]
