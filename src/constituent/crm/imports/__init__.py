"""CSV import and export of contacts (with emails and static groups).

The importer is a job boundary of its own: it streams the file and commits every chunk, so a crash
mid-file leaves whole chunks imported and nothing half-written. Re-running a file whose rows carry
``external_id`` is idempotent: those rows update the contacts the first run created.
"""
