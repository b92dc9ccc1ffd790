"""/3.0/batches: many operations in one request, run in the background (see batch_runner).

A batch reads back pending → started → finished; its results archive is served by the control API at
``response_body_url`` once it is finished. DELETE stops a batch and its results are lost, as in Mailchimp.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mailchimp_emulator.auth import current_account
from mailchimp_emulator.batch_runner import BatchRunner
from mailchimp_emulator.clock import now
from mailchimp_emulator.errors import InvalidResource, MailchimpError, ResourceNotFound
from mailchimp_emulator.fields import project
from mailchimp_emulator.hashing import new_hex_id
from mailchimp_emulator.render import iso, link
from mailchimp_emulator.routes.common import (
    collection_response,
    json_response,
    no_content,
    read_object,
    store_of,
)
from mailchimp_emulator.state import Account, Batch

router = APIRouter()

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_PENDING = 500
INVALID_DETAIL = (
    "The resource submitted could not be validated. For field-specific details, see the 'errors' array."
)


@router.post("/batches")
async def create_batch(request: Request, account: Account = Depends(current_account)) -> Response:
    body = await read_object(request)
    operations = [_operation(index, raw) for index, raw in enumerate(_operation_list(body))]
    if sum(1 for b in account.batches.values() if b.status != "finished") >= MAX_PENDING:
        detail = f"You have more than {MAX_PENDING} pending batches. Please wait for some of them to finish."
        raise MailchimpError(429, "Too Many Requests", detail)
    batch = Batch(
        id=new_hex_id(store_of(request).rng),
        account_id=account.id,
        status="pending",
        submitted_at=now(),
        operations=operations,
        total_operations=len(operations),
    )
    account.batches[batch.id] = batch
    _runner(request).start(account, batch)
    return json_response(render_batch(request, batch))


@router.get("/batches")
async def list_batches(request: Request, account: Account = Depends(current_account)) -> Response:
    links = [link("self", "/3.0/batches"), link("create", "/3.0/batches", "POST")]
    return collection_response(
        request, "batches", list(account.batches.values()), partial(render_batch, request), links
    )


@router.get("/batches/{batch_id}")
async def get_batch(batch_id: str, request: Request, account: Account = Depends(current_account)) -> Response:
    return json_response(project(request, render_batch(request, _owned_batch(account, batch_id))))


@router.delete("/batches/{batch_id}")
async def delete_batch(
    batch_id: str, request: Request, account: Account = Depends(current_account)
) -> Response:
    _owned_batch(account, batch_id)
    _runner(request).stop(batch_id)
    del account.batches[batch_id]
    return no_content()


def render_batch(request: Request, batch: Batch) -> dict[str, Any]:
    href = f"/3.0/batches/{batch.id}"
    results_url = ""
    if batch.archive is not None:
        results_url = str(request.base_url).rstrip("/") + f"/_emulator/batch-results/{batch.id}.tar.gz"
    return {
        "id": batch.id,
        "status": batch.status,
        "total_operations": batch.total_operations,
        "finished_operations": batch.finished_operations,
        "errored_operations": batch.errored_operations,
        "submitted_at": iso(batch.submitted_at),
        "completed_at": iso(batch.completed_at),
        "response_body_url": results_url,
        "_links": [link("self", href), link("delete", href, "DELETE")],
    }


def _owned_batch(account: Account, batch_id: str) -> Batch:
    batch = account.batches.get(batch_id)
    if batch is None:
        raise ResourceNotFound()
    return batch


def _runner(request: Request) -> BatchRunner:
    runner: BatchRunner = request.app.state.batch_runner
    return runner


def _operation_list(body: dict[str, Any]) -> list[Any]:
    operations = body.get("operations")
    if not isinstance(operations, list) or not operations:
        raise InvalidResource(
            INVALID_DETAIL, [{"field": "operations", "message": "Required: a list of operations"}]
        )
    return operations


def _operation(index: int, raw: Any) -> dict[str, Any]:
    """One operation checked before anything runs, so a malformed batch is refused whole."""

    def refuse(field: str, message: str) -> InvalidResource:
        return InvalidResource(INVALID_DETAIL, [{"field": f"operations.{index}.{field}", "message": message}])

    if not isinstance(raw, dict):
        raise refuse("", "Each operation must be an object")
    method = raw.get("method")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise refuse("method", f"Must be one of {', '.join(METHODS)}")
    path = raw.get("path")
    # Only API paths: the batch may not reach the control API or climb out of /3.0.
    if not isinstance(path, str) or not path.startswith("/") or ".." in path:
        raise refuse("path", "Must be an API path such as /lists/{list_id}/members")
    params = raw.get("params")
    if params is not None and not isinstance(params, dict):
        raise refuse("params", "Must be an object of query parameters")
    body = raw.get("body")
    if body is not None and not isinstance(body, str):
        raise refuse("body", "Must be a JSON string (the request body, serialised)")
    operation_id = raw.get("operation_id")
    if operation_id is not None and not isinstance(operation_id, str):
        raise refuse("operation_id", "Must be a string")
    return {
        "method": method.upper(),
        "path": path,
        "params": params,
        "body": body,
        "operation_id": operation_id,
    }
