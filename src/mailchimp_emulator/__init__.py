"""A stateful local Mailchimp Marketing API v3 (tests, demos, and the users' sandbox)."""
