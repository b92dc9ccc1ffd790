"""Reconciliation: members changed in Mailchimp since a watermark, fed to the inbound processor."""
