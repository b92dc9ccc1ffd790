"""The one rule for what a new audience gets where the person left a field out: the organization's
settings (postal contact, sender), a permission reminder naming the organization, "News from <sender>"
as the subject and English. The page's form is prefilled with these, the CLI fills its options left out
with them, and the REST API fills a request's missing parts with them, so all three create the same
audience from the same input."""

from __future__ import annotations

from dataclasses import dataclass, replace

from constituent.crm.organization.models import OrganizationSettings
from constituent.integrations.mailchimp.schemas import AudienceContact, CampaignDefaults, ConnectRequest


@dataclass(frozen=True, slots=True)
class AudienceDefaults:
    company: str
    address1: str
    city: str
    state: str
    zip: str
    country: str
    permission_reminder: str
    from_name: str
    from_email: str
    subject: str
    language: str = "en"

    def contact(self) -> AudienceContact | None:
        """The audience's postal contact, when the organization settings hold enough of it."""
        if not (self.company and self.address1 and self.city):
            return None
        return AudienceContact(
            company=self.company,
            address1=self.address1,
            city=self.city,
            state=self.state,
            zip=self.zip,
            country=self.country.upper(),
        )

    def given(self, **chosen: str | None) -> AudienceDefaults:
        """These defaults with what a person chose in their place (left-out choices are None or blank);
        a sender chosen without a subject gets the subject rule's "News from <that sender>"."""
        given = {name: value for name, value in chosen.items() if value}
        if "from_name" in given and "subject" not in given:
            given["subject"] = _subject(given["from_name"])
        return replace(self, **given)

    def campaign_defaults(self) -> CampaignDefaults | None:
        if not (self.from_name and self.from_email and self.subject):
            return None
        return CampaignDefaults(
            from_name=self.from_name, from_email=self.from_email, subject=self.subject, language=self.language
        )


def audience_defaults(org: OrganizationSettings) -> AudienceDefaults:
    sender = org.from_name or org.organization_name
    return AudienceDefaults(
        company=org.organization_name,
        address1=org.street,
        city=org.city,
        state=org.state,
        zip=org.postal_code,
        country=(org.country or "US").upper(),
        permission_reminder="You are receiving this email because you signed up with "
        f"{org.organization_name or 'us'} or gave us your email address.",
        from_name=sender,
        from_email=org.from_email,
        subject=_subject(sender),
    )


def _subject(sender: str) -> str:
    return f"News from {sender}" if sender else ""


def with_defaults(request: ConnectRequest, org: OrganizationSettings) -> ConnectRequest:
    """``request`` with the parts it leaves out (contact, campaign defaults, permission reminder) taken
    from the defaults; what it gives is kept as given."""
    defaults = audience_defaults(org)
    updates: dict[str, object] = {}
    if request.contact is None:
        updates["contact"] = defaults.contact()
    if request.campaign_defaults is None:
        updates["campaign_defaults"] = defaults.campaign_defaults()
    if not request.permission_reminder.strip():
        updates["permission_reminder"] = defaults.permission_reminder
    return request.model_copy(update=updates)
