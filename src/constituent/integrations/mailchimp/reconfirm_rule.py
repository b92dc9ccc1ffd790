"""Who may be asked to re-confirm (one rule for the contact's panel, the API, the CLI and the request itself).

Mailchimp lets a member it holds unsubscribed, or in its compliance state, come back only by confirming
again: we set them to ``pending`` and Mailchimp emails them an opt-in link. Never someone who reported one
of the audience's campaigns as spam (an abuse complaint): asking them again is exactly what they objected
to, so the refusal recorded for them starts with ``SPAM_COMPLAINT`` and closes the door.
"""

from __future__ import annotations

from constituent.integrations.mailchimp.sync.types import RemoteStatus

SPAM_COMPLAINT = "Reported a campaign as spam"
COMPLIANCE = "compliance"


def spam_refusal(audience: str) -> str:
    """The refusal recorded for one who complained: shown on the contact, read by ``may_reconfirm``."""
    return f"{SPAM_COMPLAINT} (audience {audience}): Mailchimp will not email them again and we never ask."


def reported_spam(refused: str) -> bool:
    return refused.startswith(SPAM_COMPLAINT)


def may_reconfirm(status: RemoteStatus | None, refused: str) -> bool:
    if reported_spam(refused):
        return False
    return status is RemoteStatus.unsubscribed or COMPLIANCE in refused.lower()
