"""Batch operations: run in the background through the same handlers, results in a real .tar.gz."""

from __future__ import annotations

import io
import json
import tarfile
from typing import Any

import httpx

from mailchimp_emulator.batch_archive import OperationResult, build_results_archive, read_results_archive
from mailchimp_emulator.hashing import subscriber_hash
from mailchimp_emulator.state import Batch
from tests.support.emulator import McAccount
from tests.support.webhook_receiver import wait_until


def start_batch(account: McAccount, operations: list[dict[str, Any]]) -> dict[str, Any]:
    response = account.client.post("/batches", json={"operations": operations})
    assert response.status_code == 200, response.text
    started: dict[str, Any] = response.json()
    return started


def finished(account: McAccount, batch_id: str) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        body: dict[str, Any] = account.client.get(f"/batches/{batch_id}").json()
        return body

    wait_until(lambda: read()["status"] == "finished", what=f"batch {batch_id} to finish")
    return read()


def results_of(batch: dict[str, Any]) -> list[OperationResult]:
    archive = httpx.get(batch["response_body_url"])
    assert archive.status_code == 200
    return read_results_archive(archive.content)


def member_operation(list_id: str, email: str, operation_id: str, method: str = "PUT") -> dict[str, Any]:
    body = {"email_address": email, "status_if_new": "subscribed", "status": "subscribed"}
    return {
        "method": method,
        "path": f"/lists/{list_id}/members/{subscriber_hash(email)}"
        if method == "PUT"
        else f"/lists/{list_id}/members",
        "body": json.dumps(body),
        "operation_id": operation_id,
    }


def test_a_batch_starts_pending_and_finishes_with_every_operation_counted(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    operations = [
        member_operation(audience["id"], "one@x.org", "put-one"),
        member_operation(audience["id"], "one@x.org", "post-one-again", method="POST"),
        {
            "method": "GET",
            "path": f"/lists/{audience['id']}/members",
            "params": {"count": 1},
            "operation_id": "get",
        },
        {"method": "GET", "path": "/lists/doesnotexist", "operation_id": "missing"},
    ]

    started = start_batch(mc_account, operations)
    done = finished(mc_account, started["id"])

    assert (started["status"], started["total_operations"], started["response_body_url"]) == (
        "pending",
        4,
        "",
    )
    assert (done["finished_operations"], done["errored_operations"]) == (4, 2)
    assert done["completed_at"] and done["submitted_at"]
    assert done["response_body_url"].endswith(f"/_emulator/batch-results/{done['id']}.tar.gz")


def test_the_results_archive_holds_each_operations_status_id_and_json_response(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    operations = [
        member_operation(audience["id"], "two@x.org", "put-two"),
        member_operation(audience["id"], "two@x.org", "post-two-again", method="POST"),
    ]

    results = results_of(finished(mc_account, start_batch(mc_account, operations)["id"]))

    assert [(r.operation_id, r.status_code) for r in results] == [("put-two", 200), ("post-two-again", 400)]
    assert json.loads(results[0].response)["email_address"] == "two@x.org"
    assert json.loads(results[1].response)["title"] == "Member Exists"


def test_batch_operations_change_the_audience_like_direct_calls(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    operations = [member_operation(audience["id"], f"b{n}@x.org", f"op-{n}") for n in range(3)]

    finished(mc_account, start_batch(mc_account, operations)["id"])

    members = mc_account.client.get(f"/lists/{audience['id']}/members").json()["members"]
    assert sorted(m["email_address"] for m in members) == ["b0@x.org", "b1@x.org", "b2@x.org"]


def test_batch_operations_are_not_counted_as_the_clients_requests(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    operations = [member_operation(audience["id"], f"c{n}@x.org", f"op-{n}") for n in range(3)]

    finished(mc_account, start_batch(mc_account, operations)["id"])

    counted = mc_account.emulator.control("GET", "stats", account_id=mc_account.account_id)["requests"]
    assert "PUT /3.0/lists/{list_id}/members/{subscriber_hash}" not in counted
    assert counted["POST /3.0/batches"] == 1


def test_a_malformed_operation_refuses_the_whole_batch_naming_it(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    operations = [
        member_operation(audience["id"], "ok@x.org", "fine"),
        {"method": "POST", "path": f"/lists/{audience['id']}/members", "body": {"not": "a string"}},
    ]

    response = mc_account.client.post("/batches", json={"operations": operations})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "operations.1.body"
    assert mc_account.client.get("/batches").json()["total_items"] == 0


def test_operations_may_not_leave_the_api(mc_account: McAccount) -> None:
    response = mc_account.client.post(
        "/batches", json={"operations": [{"method": "POST", "path": "/../_emulator/reset"}]}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "operations.0.path"


def test_a_deleted_batch_is_gone(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    started = start_batch(mc_account, [member_operation(audience["id"], "d@x.org", "d")])

    assert mc_account.client.delete(f"/batches/{started['id']}").status_code == 204
    assert mc_account.client.get(f"/batches/{started['id']}").status_code == 404
    assert started["id"] not in [b["id"] for b in mc_account.client.get("/batches").json()["batches"]]


def test_a_501st_pending_batch_is_refused_with_429(mc_account: McAccount) -> None:
    account = mc_account.emulator.store.accounts[mc_account.account_id]
    submitted = account.created_at
    for n in range(500):  # pending batches the emulator has not got to yet
        account.batches[f"stuck{n}"] = Batch(f"stuck{n}", account.id, "pending", submitted)
    audience_id = "anything"

    response = mc_account.client.post(
        "/batches", json={"operations": [{"method": "GET", "path": f"/lists/{audience_id}"}]}
    )

    assert response.status_code == 429
    assert response.json()["title"] == "Too Many Requests"


def test_a_large_result_set_spans_several_archive_files_and_reads_back_in_order() -> None:
    results = [OperationResult(200, f"op-{n}", json.dumps({"n": n})) for n in range(1201)]

    archive = build_results_archive("b1", results)

    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as opened:
        assert opened.getnames() == ["b1-0000.json", "b1-0001.json", "b1-0002.json"]
    assert read_results_archive(archive) == results
