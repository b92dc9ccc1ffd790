"""`constituent demo`: a realistic database, the local Mailchimp emulator, the integration, the app."""
