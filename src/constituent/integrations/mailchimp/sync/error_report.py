"""A run's member errors as CSV: one line per member Mailchimp would not take, with its reason.

The REST API (token) and the Mailchimp page (session) both offer this download.
"""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from constituent.integrations.mailchimp.sync import runs
from constituent.kit.csv_cells import SafeWriter

ERROR_COLUMNS = ("email", "contact_id", "subscriber_hash", "code", "message")


def errors_csv(session: Session, run_id: int) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(ERROR_COLUMNS)
    for error in runs.errors_of(session, run_id):
        writer.writerow(["" if getattr(error, c) is None else getattr(error, c) for c in ERROR_COLUMNS])
    return out.getvalue()


def attachment_headers(run_id: int) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="sync-run-{run_id}-errors.csv"'}
