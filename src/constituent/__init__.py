"""Constituent: a contact database whose Mailchimp integration keeps audiences in step."""

__version__ = "0.1.0"
