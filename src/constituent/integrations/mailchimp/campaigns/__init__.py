"""Campaign tracking: which contact was sent which Mailchimp campaign, as activities."""
