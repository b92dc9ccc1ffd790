"""The running app registered as the audience's webhook: the inbound tests' fixtures, all of them (so the
ones they depend on come along); and a product on a private emulator, for faults."""

from tests.integrations.mailchimp.inbound.conftest import *  # noqa: F403
from tests.integrations.mailchimp.sync.conftest import faulty_product

__all__ = ["faulty_product"]
