"""Runs /3.0/batches in the background, each operation through the very same route handlers.

Operations are sent in-process to an internal twin of the app: the same routes, error handlers and state, but
without the limits middleware, because Mailchimp runs batches on its side: they do not hold one of the
account's 10 connections, and they are not the client's requests (the request counts stay the client's).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI

from mailchimp_emulator.batch_archive import OperationResult, build_results_archive
from mailchimp_emulator.clock import now
from mailchimp_emulator.errors import install_error_handlers
from mailchimp_emulator.limits import API_PREFIX
from mailchimp_emulator.state import Account, Batch

INTERNAL_BASE_URL = "http://batch.internal"


class BatchRunner:
    def __init__(self, app: FastAPI) -> None:
        self._internal = _internal_twin(app)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, account: Account, batch: Batch) -> None:
        """Must be called on the app's event loop; the batch stays pending until the loop gets to it."""
        task = asyncio.get_running_loop().create_task(self._run(account, batch))
        self._tasks[batch.id] = task
        task.add_done_callback(lambda _: self._tasks.pop(batch.id, None))

    def stop(self, batch_id: str) -> None:
        task = self._tasks.pop(batch_id, None)
        if task is not None:
            task.cancel()

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def aclose(self) -> None:
        for batch_id in list(self._tasks):
            self.stop(batch_id)

    async def _run(self, account: Account, batch: Batch) -> None:
        await asyncio.sleep(0)  # let the POST answer "pending" before any work starts
        batch.status = "started"
        results: list[OperationResult] = []
        headers = {"Authorization": f"Bearer {account.api_key}"}
        # A handler that crashes answers 500 for its operation instead of ending the whole batch.
        transport = httpx.ASGITransport(app=self._internal, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url=INTERNAL_BASE_URL, headers=headers
        ) as client:
            for operation in batch.operations:
                result = await _perform(client, operation)
                results.append(result)
                batch.finished_operations += 1
                if result.status_code >= 400:
                    batch.errored_operations += 1
        batch.archive = build_results_archive(batch.id, results)
        batch.operations = []  # answered: no need to hold the request bodies any longer
        batch.completed_at = now()
        batch.status = "finished"


async def _perform(client: httpx.AsyncClient, operation: dict[str, Any]) -> OperationResult:
    body = operation.get("body")
    response = await client.request(
        operation["method"],
        API_PREFIX + operation["path"],
        params=operation.get("params") or None,
        content=body.encode() if body else None,
        headers={"Content-Type": "application/json"} if body else None,
    )
    # The body stays JSON *text* ("" for a 204): the archive holds it as a string, as Mailchimp's does.
    return OperationResult(response.status_code, operation.get("operation_id"), response.text)


def _internal_twin(app: FastAPI) -> FastAPI:
    twin = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    twin.router = app.router
    twin.state = app.state
    install_error_handlers(twin)
    return twin
