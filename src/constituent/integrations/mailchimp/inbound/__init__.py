"""Mailchimp → database: the webhook inbox, parsing and the processor every inbound change goes through."""
