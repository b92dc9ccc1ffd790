"""What each activity type is called on a page: "Email sent", not ``email_sent``.

Types are short machine words stored on the row (the API and CLI keep them); people read these labels.
"""

from __future__ import annotations

from typing import Literal, get_args

# The types people log by hand (profile, API, CLI), in the order the form offers them.
LoggedType = Literal["note", "call", "meeting", "email"]
LOGGED_TYPES: tuple[str, ...] = get_args(LoggedType)

LABELS = {
    "note": "Note",
    "call": "Call",
    "meeting": "Meeting",
    "email": "Email",
    "email_sent": "Email sent",
    "contribution": "Contribution",
    "mailchimp_subscribe": "Subscribed in Mailchimp",
    "mailchimp_unsubscribe": "Unsubscribed in Mailchimp",
    "mailchimp_profile": "Profile changed in Mailchimp",
    "mailchimp_upemail": "Email address changed in Mailchimp",
    "mailchimp_cleaned": "Address cleaned by Mailchimp (it bounced)",
    "mailchimp_campaign": "Campaign sent by Mailchimp",
    "mailchimp_refused": "Mailchimp refused this address",
}


def activity_label(activity_type: str) -> str:
    """The label of a known type; an unknown one (an API client's own) as words: "site_visit" is
    "Site visit"."""
    return LABELS.get(activity_type) or activity_type.replace("_", " ").strip().capitalize()
