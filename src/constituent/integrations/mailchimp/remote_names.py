"""The one rule for the name Mailchimp shows for a mapped search or group (the mappings listing, the
pages and the sync all ask here, so what a person is shown is what the sync writes)."""

from __future__ import annotations

from constituent.integrations.mailchimp.models import SourceTarget


def remote_name(tag_prefix: str, target: SourceTarget, chosen: str, default: str) -> str:
    """The name chosen for the mapping (else the search's or group's own), trimmed; tags carry the
    integration's prefix (so every tag we own carries it), interests do not, and a membership source has
    no name in Mailchimp at all."""
    if target is SourceTarget.membership:
        return ""
    base = chosen.strip() or default.strip()
    return base if target is SourceTarget.interest else f"{tag_prefix}{base}"
