"""The running app registered as the audience's webhook (shared with the inbound tests)."""

from tests.integrations.mailchimp.inbound.conftest import live_factory, live_groups

__all__ = ["live_factory", "live_groups"]
