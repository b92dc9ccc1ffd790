"""The Mailchimp Marketing API v3 routes, one module per resource; app.py mounts each module's ``router``."""
