"""CSV downloads of contacts: everyone, a saved search, a group, or the Contacts list as filtered. Every one
is the importer's own columns (``crm/imports/exporter``), streamed a batch at a time into a temporary file
that is removed once sent; the file's name says what it holds and carries the search's or group's id."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from sqlalchemy import Select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from constituent.crm.imports.exporter import export_csv
from constituent.kit.settings import Settings

_NOT_A_WORD = re.compile(r"[^a-z0-9]+")


def csv_download(
    session: Session, settings: Settings, filename: str, only: Select[int] | None = None
) -> FileResponse:
    folder = settings.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=folder, suffix=".csv", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    export_csv(session, path, only=only)
    return FileResponse(
        path, media_type="text/csv", filename=filename, background=BackgroundTask(path.unlink)
    )


def file_name(kind: str, thing_id: int, name: str) -> str:
    """Like ``search-12-volunteers-in-oakland.csv``: the id, and the name in plain letters."""
    words = _NOT_A_WORD.sub("-", name.lower()).strip("-")[:40].strip("-")
    return f"{kind}-{thing_id}-{words}.csv" if words else f"{kind}-{thing_id}.csv"
