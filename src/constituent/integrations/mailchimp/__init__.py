"""The Mailchimp integration: one HTTP seam (client.py), connect flow, sync engine, inbound events."""
