"""An audience health check: how far Mailchimp's copy has drifted from the database, without a Resync."""
