"""CSV import in the browser (upload, a progress bar polled by htmx, the rejected-rows report) and export.

The import runs in a background thread of this web process (crm/csv_imports/runner.py); its progress is
stored in the csv_imports table, so whichever web process answers the poll shows the same bar.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from constituent.crm.csv_imports import runner, service
from constituent.crm.csv_imports.models import ImportStatus
from constituent.crm.import_mappings import service as mappings
from constituent.crm.imports.columns import FIELDS, template_header
from constituent.crm.imports.importer import DuplicatePolicy, ImportOptions
from constituent.crm.imports.preview import SHOWN, preview
from constituent.kit.clock import utcnow
from constituent.kit.csv_cells import SafeWriter
from constituent.kit.db import session_scope
from constituent.kit.numbers import DbInt
from constituent.kit.settings import Settings
from constituent.web.deps import SessionDep
from constituent.web.pages.deps import PROTECTED, DatabaseDep, PageUser, SettingsDep, UserDep
from constituent.web.pages.exports import csv_download
from constituent.web.pages.rendering import flash, render

router = APIRouter(dependencies=PROTECTED)
IMPORT = "/import/{import_id:int}"
COPY_CHUNK = 1024 * 1024


def uploads_dir(settings: Settings) -> Path:
    folder = settings.data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    context = {
        "nav": "contacts",
        "imports": service.recent_imports(session),
    }
    return render(request, "crm/import.html", context, user=user)


@router.post("/import")
async def upload(
    request: Request,
    user: UserDep,
    database: DatabaseDep,
    settings: SettingsDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> RedirectResponse:
    """Keep the file and show the mapping step; nothing is imported before the person starts it."""
    if file is None or not file.filename:
        flash(request, "error", "Choose a CSV file to import.")
        return RedirectResponse("/import", status_code=303)
    # Committed before the thread starts: the thread's own transactions must find the row.
    with session_scope(database.sessions) as session:
        import_id = service.start_import(session, file.filename, user.id).id
    path = uploaded_file(settings, import_id)
    with path.open("wb") as target:
        while chunk := await file.read(COPY_CHUNK):
            target.write(chunk)
    return RedirectResponse(f"/import/{import_id}/map", status_code=303)


def uploaded_file(settings: Settings, import_id: int) -> Path:
    return uploads_dir(settings) / f"{import_id}.csv"


@router.get(IMPORT + "/map", response_model=None)
def mapping_page(
    import_id: DbInt, request: Request, user: UserDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The file's columns beside our fields, as guessed, with the first rows as they would be stored."""
    return _mapping_page(request, user, session, settings, import_id, None)


@router.post(IMPORT + "/map", response_model=None)
async def remapped_page(
    import_id: DbInt, request: Request, user: UserDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The same with the columns as the person chose them (the form's "Update the preview"), or as a
    saved mapping names them (the form's "Use this mapping")."""
    form = await request.form()
    saved = str(form.get("saved_mapping", ""))
    if saved.isdigit():
        path = uploaded_file(settings, import_id)
        if path.exists():
            header = preview(path).header
            by_name = mappings.mapping_for(session, int(saved), header)
            chosen = {f"col_{i}": by_name[name] for i, name in enumerate(header) if name in by_name}
            return _mapping_page(request, user, session, settings, import_id, chosen, partial=True)
    chosen = {key: str(value) for key, value in form.items() if key.startswith("col_")}
    return _mapping_page(request, user, session, settings, import_id, chosen)


def _mapping_page(
    request: Request,
    user: PageUser,
    session: Session,
    settings: Settings,
    import_id: DbInt,
    chosen: dict[str, str] | None,
    *,
    partial: bool = False,
) -> Response:
    """``partial``: ``chosen`` names only some columns (a saved mapping); the others keep their guesses."""
    job = service.get_import(session, import_id)
    path = uploaded_file(settings, import_id)
    if job.status is not ImportStatus.queued or not path.exists():
        return RedirectResponse(f"/import/{import_id}", status_code=303)
    header = preview(path).header
    mapping = None
    if chosen is not None:
        named = [(i, name) for i, name in enumerate(header) if not partial or f"col_{i}" in chosen]
        mapping = {name: chosen.get(f"col_{i}", "") for i, name in named}
    shown = preview(path, mapping)
    context = {
        "nav": "contacts",
        "job": job,
        "preview": shown,
        "fields": FIELDS,
        "shown": SHOWN,
        "saved_mappings": mappings.list_mappings(session),
    }
    return render(request, "crm/import_map.html", context, user=user)


@router.post(IMPORT + "/start")
async def start(
    import_id: DbInt,
    request: Request,
    user: UserDep,
    database: DatabaseDep,
    settings: SettingsDep,
    on_duplicate: Annotated[DuplicatePolicy, Form()] = DuplicatePolicy.update,
    create_groups: Annotated[bool, Form()] = False,
    mapping_name: Annotated[str, Form(max_length=mappings.NAME_LIMIT)] = "",
) -> RedirectResponse:
    path = uploaded_file(settings, import_id)
    if not path.exists():
        flash(request, "error", "This import has already started.")
        return RedirectResponse(f"/import/{import_id}", status_code=303)
    form = await request.form()
    header = preview(path).header
    chosen = {key: str(value) for key, value in form.items() if key.startswith("col_")}
    # No columns chosen (a form without the mapping, an API-like client): the guessed mapping.
    column_map = {name: chosen.get(f"col_{i}", "") for i, name in enumerate(header)} if chosen else {}
    if mapping_name.strip() and column_map:
        with session_scope(database.sessions) as session:
            mappings.save_mapping(session, mapping_name, column_map, user.actor)
        flash(request, "success", f"The columns were saved as “{mapping_name.strip()}” for the next import.")
    options = ImportOptions(column_map, on_duplicate=on_duplicate, create_groups=create_groups)
    runner.start_in_background(database, import_id, path, user.actor, options)
    return RedirectResponse(f"/import/{import_id}", status_code=303)


@router.get("/import/template.csv")
def template(_user: UserDep) -> Response:
    """A header row that imports as is, to fill in with a spreadsheet program."""
    headers = {"Content-Disposition": 'attachment; filename="contacts-template.csv"'}
    return Response(template_header() + "\r\n", media_type="text/csv; charset=utf-8", headers=headers)


@router.get(IMPORT, response_class=HTMLResponse)
def import_status_page(
    import_id: DbInt, request: Request, user: UserDep, session: SessionDep
) -> HTMLResponse:
    job = service.get_import(session, import_id)
    context = {"nav": "contacts", "job": job, "stalled": job.stalled(utcnow())}
    return render(request, "crm/import_status.html", context, user=user)


@router.get(IMPORT + "/status", response_class=HTMLResponse)
def import_progress(import_id: DbInt, request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    """The progress fragment alone: htmx polls it until the import has finished."""
    job = service.get_import(session, import_id)
    context = {"job": job, "stalled": job.stalled(utcnow())}
    return render(request, "crm/_import_progress.html", context, user=user)


@router.get(IMPORT + "/rejected.csv")
def rejected_rows(import_id: DbInt, _user: UserDep, session: SessionDep) -> Response:
    job = service.get_import(session, import_id)
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(["line", "reason"])
    writer.writerows([row["line"], row["error"]] for row in job.rejected)
    name = f"rejected-rows-{import_id}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/export.csv")
def export(_user: UserDep, session: SessionDep, settings: SettingsDep) -> FileResponse:
    return csv_download(session, settings, f"contacts-{utcnow():%Y-%m-%d}.csv")
