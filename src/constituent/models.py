"""Imports every model so that ``Base.metadata`` knows all tables (Alembic and tests use this)."""

from constituent.auth.models import ApiToken, Role, User
from constituent.crm.activities.models import Activity, ChangeLogEntry
from constituent.crm.contacts.models import Contact, ContactKind, Email, EmailStatus
from constituent.crm.contributions.models import Contribution
from constituent.crm.csv_imports.models import CsvImport
from constituent.crm.groups.models import Group, GroupMembership, MembershipMethod, MembershipStatus
from constituent.crm.import_mappings.models import ImportMapping, ImportMappingColumn
from constituent.crm.organization.models import OrganizationSettings
from constituent.crm.searches.models import SavedSearch
from constituent.integrations.mailchimp.campaigns.models import TrackedCampaign
from constituent.integrations.mailchimp.health.models import HealthCheck, HealthPersonRow
from constituent.integrations.mailchimp.inbound.models import MemberEventClock, WebhookEvent
from constituent.integrations.mailchimp.merge_fields.models import MergeFieldMapping
from constituent.integrations.mailchimp.models import MailchimpIntegration, MailchimpSource, PendingConnection
from constituent.integrations.mailchimp.reconcile.models import ReconcileState
from constituent.integrations.mailchimp.sync.models import LedgerRow, SyncRun, SyncRunError
from constituent.jobs.models import NightlyRun
from constituent.kit.db import Base

__all__ = [
    "Activity",
    "ApiToken",
    "Base",
    "ChangeLogEntry",
    "Contact",
    "ContactKind",
    "Contribution",
    "CsvImport",
    "Email",
    "EmailStatus",
    "Group",
    "GroupMembership",
    "HealthCheck",
    "HealthPersonRow",
    "ImportMapping",
    "ImportMappingColumn",
    "LedgerRow",
    "MailchimpIntegration",
    "MailchimpSource",
    "MemberEventClock",
    "MembershipMethod",
    "MembershipStatus",
    "MergeFieldMapping",
    "NightlyRun",
    "OrganizationSettings",
    "PendingConnection",
    "ReconcileState",
    "Role",
    "SavedSearch",
    "SyncRun",
    "SyncRunError",
    "TrackedCampaign",
    "User",
    "WebhookEvent",
]
