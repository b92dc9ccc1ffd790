"""Infrastructure that knows no domain: settings, database, crypto, time."""
