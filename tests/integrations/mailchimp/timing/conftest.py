"""The running app registered as the audience's webhook (the inbound tests' fixtures, all of them)."""

from tests.integrations.mailchimp.inbound.conftest import *  # noqa: F403
