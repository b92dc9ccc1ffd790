"""Audiences: required fields, the plan's cap with its constraints, update and delete."""

from __future__ import annotations

from tests.support.emulator import McAccount, RunningEmulator, account_on, list_body


def test_creating_a_list_without_required_fields_names_each_missing_field(mc_account: McAccount) -> None:
    body = list_body()
    del body["permission_reminder"]
    body["contact"] = {"company": "Acme"}
    response = mc_account.client.post("/lists", json=body)
    assert response.status_code == 400
    problem = response.json()
    assert problem["title"] == "Invalid Resource"
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {"permission_reminder", "contact.address1", "contact.city", "contact.country"}


def test_a_new_list_has_the_four_default_merge_fields(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    assert len(audience["id"]) == 10
    fields = mc_account.client.get(f"/lists/{audience['id']}/merge-fields").json()["merge_fields"]
    assert [(f["tag"], f["type"]) for f in fields] == [
        ("FNAME", "text"),
        ("LNAME", "text"),
        ("ADDRESS", "address"),
        ("PHONE", "phone"),
    ]


def test_a_free_account_cannot_create_a_second_audience(emulator: RunningEmulator) -> None:
    account = account_on(emulator, "forever_free")
    account.new_list("First")
    refused = account.client.post("/lists", json=list_body("Second"))
    assert refused.status_code == 403
    assert refused.json()["title"] == "User action not permitted"
    constraints = account.client.get("/lists").json()["constraints"]
    assert constraints == {"may_create": False, "max_instances": 1, "current_total_instances": 1}


def test_max_audiences_caps_a_paid_account(emulator: RunningEmulator) -> None:
    account = account_on(emulator, "monthly", max_audiences=2)
    account.new_list("One")
    assert account.client.get("/lists").json()["constraints"]["may_create"] is True
    account.new_list("Two")
    assert account.client.post("/lists", json=list_body("Three")).status_code == 403


def test_a_list_can_be_renamed_and_deleted(mc_account: McAccount) -> None:
    audience = mc_account.new_list()
    renamed = mc_account.client.patch(f"/lists/{audience['id']}", json={"name": "Donors"})
    assert renamed.json()["name"] == "Donors"
    assert mc_account.client.delete(f"/lists/{audience['id']}").status_code == 204
    assert mc_account.client.get(f"/lists/{audience['id']}").status_code == 404


def test_one_account_cannot_see_another_accounts_list(
    emulator: RunningEmulator, mc_account: McAccount
) -> None:
    audience = mc_account.new_list()
    other = account_on(emulator)
    assert other.client.get(f"/lists/{audience['id']}").status_code == 404
