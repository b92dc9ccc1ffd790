"""Connecting a Mailchimp account: audience picked or created, plan limits, secrets, removal."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from constituent.crm.errors import Conflict, InvalidInput
from constituent.integrations.mailchimp import service
from constituent.integrations.mailchimp.audience import AccountRejected, AudienceLimitReached
from constituent.integrations.mailchimp.client import Credentials
from constituent.integrations.mailchimp.models import MailchimpIntegration, SyncMode, WebhookState
from constituent.integrations.mailchimp.schemas import AudienceContact, CampaignDefaults, ConnectRequest
from constituent.kit.crypto import SecretBox, SecretDecryptError
from constituent.kit.db import session_scope
from tests.integrations.mailchimp.conftest import Product
from tests.support.emulator import account_on


def _request(**overrides: object) -> ConnectRequest:
    values: dict[str, object] = {
        "name": "Campaign 2026",
        "contact": AudienceContact(
            company="Friends of Parks", address1="1 Elm St", city="Springfield", country="US"
        ),
        "permission_reminder": "You signed up at one of our events.",
        "campaign_defaults": CampaignDefaults(
            from_name="Friends of Parks", from_email="news@parks.co.uk", subject="Parks news"
        ),
    }
    values.update(overrides)
    return ConnectRequest.model_validate(values)


def _connect(product: Product, api_key: str, request: ConnectRequest) -> MailchimpIntegration:
    credentials = Credentials("api_key", api_key, product.emulator.api_base)
    with session_scope(product.db.sessions) as session:
        return asyncio.run(service.connect(session, product.box, request, credentials))


def _lists(product: Product, api_key: str) -> list[dict[str, object]]:
    with product.emulator.api_client(api_key) as client:
        lists: list[dict[str, object]] = client.get("/lists").json()["lists"]
    return lists


def test_connecting_with_an_api_key_creates_the_audience_with_merge_fields_and_interest_category(
    product: Product,
) -> None:
    account = account_on(product.emulator, "monthly")
    integration = _connect(product, account.api_key, _request())

    assert integration.audience_created_by_us
    assert [a["id"] for a in _lists(product, account.api_key)] == [integration.audience_id]
    tags = {
        f["tag"]
        for f in account.client.get(f"/lists/{integration.audience_id}/merge-fields").json()["merge_fields"]
    }
    assert {"FNAME", "LNAME", "ADDRESS", "PHONE"} <= tags
    categories = account.client.get(f"/lists/{integration.audience_id}/interest-categories").json()[
        "categories"
    ]
    assert [c["id"] for c in categories] == [integration.interest_category_id]


@pytest.mark.slow
def test_a_full_free_plan_gives_a_clear_error_and_stores_nothing(product: Product) -> None:
    account = account_on(product.emulator, "forever_free")
    account.new_list("Made in Mailchimp")

    with pytest.raises(AudienceLimitReached, match=r"plan allows no more audiences.*existing audiences"):
        _connect(product, account.api_key, _request())

    with product.db.sessions() as session:
        assert session.query(MailchimpIntegration).count() == 0
    assert len(_lists(product, account.api_key)) == 1


def test_choosing_an_existing_audience_creates_none(product: Product) -> None:
    account = account_on(product.emulator, "forever_free")
    existing = account.new_list("Our newsletter")

    integration = _connect(product, account.api_key, _request(audience_id=existing["id"]))

    assert integration.audience_id == existing["id"]
    assert not integration.audience_created_by_us
    assert len(_lists(product, account.api_key)) == 1


def test_an_audience_named_like_an_existing_one_is_reused(product: Product) -> None:
    account = account_on(product.emulator, "monthly")
    existing = account.new_list("Our newsletter")

    integration = _connect(product, account.api_key, _request(audience_name="our newsletter"))

    assert integration.audience_id == existing["id"]


def test_an_unknown_audience_id_names_the_field(product: Product) -> None:
    account = account_on(product.emulator, "monthly")
    with pytest.raises(InvalidInput) as error:
        _connect(product, account.api_key, _request(audience_id="0000000000"))
    assert error.value.field == "audience_id"


def test_connecting_the_same_audience_twice_is_refused(product: Product) -> None:
    account = account_on(product.emulator, "monthly")
    existing = account.new_list("Our newsletter")
    _connect(product, account.api_key, _request(audience_id=existing["id"]))
    with pytest.raises(Conflict, match="already connected"):
        _connect(product, account.api_key, _request(audience_id=existing["id"]))


def test_a_wrong_api_key_is_rejected_with_a_plain_message(product: Product) -> None:
    with pytest.raises(AccountRejected, match="did not accept"):
        _connect(product, "0" * 32 + "-us1", _request())


def test_groups_mode_needs_existing_groups_and_checks_before_creating_anything(product: Product) -> None:
    account = account_on(product.emulator, "monthly")
    with pytest.raises(InvalidInput, match="no group named 'Volunteers'"):
        _connect(product, account.api_key, _request(mode=SyncMode.groups, groups=["Volunteers"]))
    assert _lists(product, account.api_key) == []


def test_the_token_and_webhook_secret_are_stored_encrypted(product: Product) -> None:
    account = account_on(product.emulator, "monthly")
    integration = _connect(product, account.api_key, _request())

    with product.db.engine.connect() as connection:
        raw = connection.execute(
            text(
                "SELECT secret_encrypted, webhook_secret_encrypted FROM mailchimp_integrations WHERE id = :id"
            ),
            {"id": integration.id},
        ).one()
    assert account.api_key not in raw[0]
    assert product.box.decrypt(raw[0]) == account.api_key
    assert len(product.box.decrypt(raw[1])) >= 24


def test_when_mailchimp_cannot_reach_our_server_the_integration_says_webhook_not_registered(
    product: Product,
) -> None:
    account = account_on(product.emulator, "monthly")
    integration = _connect(product, account.api_key, _request())
    with session_scope(product.db.sessions) as session:
        stored = service.get_integration(session, integration.id)
        asyncio.run(service.register_integration_webhook(stored, product.box, product.settings.base_url))
        assert stored.webhook_state == WebhookState.not_registered
        assert "Mailchimp said" in stored.webhook_error


@pytest.mark.slow
def test_removing_an_integration_keeps_the_audience_and_forgets_the_token(product: Product) -> None:
    account = account_on(product.emulator, "monthly")
    integration = _connect(product, account.api_key, _request())
    with session_scope(product.db.sessions) as session:
        message = asyncio.run(service.remove(session, product.box, integration.id))
    assert "stays in Mailchimp" in message
    assert [a["id"] for a in _lists(product, account.api_key)] == [integration.audience_id]
    with product.db.sessions() as session:
        assert session.get(MailchimpIntegration, integration.id) is None


def test_the_cli_connects_with_the_key_on_stdin_and_prints_json(product: Product) -> None:
    account = account_on(product.emulator, "monthly")
    result = product.cli_json(
        "mailchimp",
        "connect",
        "--api-key-stdin",
        "--company",
        "Parks",
        "--address1",
        "1 Elm",
        "--city",
        "Springfield",
        "--country",
        "us",
        "--from-name",
        "Parks",
        "--from-email",
        "n@parks.co.uk",
        stdin=account.api_key + "\n",
    )
    assert result["audience_id"] == _lists(product, account.api_key)[0]["id"]
    assert result["webhook_state"] == "not_registered"
    status = product.cli_json("mailchimp", "status")
    assert [i["id"] for i in status["integrations"]] == [result["integration_id"]]
    assert account.api_key not in product.cli("mailchimp", "status").stdout


def test_the_cli_exits_1_with_the_plan_limit_message_when_the_account_is_full(product: Product) -> None:
    account = account_on(product.emulator, "forever_free")
    account.new_list("Made in Mailchimp")
    result = product.cli(
        "mailchimp",
        "connect",
        "--api-key-stdin",
        "--company",
        "Parks",
        "--address1",
        "1 Elm",
        "--city",
        "Springfield",
        "--from-name",
        "Parks",
        "--from-email",
        "n@parks.co.uk",
        stdin=account.api_key + "\n",
    )
    assert result.returncode == 1
    assert "plan allows no more audiences" in result.stderr
    assert product.cli_json("mailchimp", "status") == {"integrations": []}


@pytest.mark.slow
def test_rotating_keys_reencrypts_the_stored_token_with_the_new_key(product: Product) -> None:
    account = account_on(product.emulator, "monthly")
    integration = _connect(product, account.api_key, _request())
    keys_file = product.settings.data_dir / "secret.keys"
    old_key = keys_file.read_text().split()[0]

    result = product.cli("keys", "rotate")

    assert result.returncode == 0, result.stderr
    assert "re-encrypted 2 stored secret(s)" in result.stdout
    new_key = keys_file.read_text().split()[0]
    assert new_key != old_key
    with product.db.sessions() as session:
        stored = session.get(MailchimpIntegration, integration.id)
        assert stored is not None and stored.secret_encrypted
        assert SecretBox([new_key]).decrypt(stored.secret_encrypted) == account.api_key
        with pytest.raises(SecretDecryptError):
            SecretBox([old_key]).decrypt(stored.secret_encrypted)


def test_a_webhook_mailchimp_could_not_reach_is_recorded_without_its_secret(product: Product) -> None:
    # Nothing listens at the product's base URL, so Mailchimp's validator fails and quotes the URL.
    account = account_on(product.emulator, "monthly")
    with session_scope(product.db.sessions) as session:
        integration = _connect(product, account.api_key, _request())
        integration = session.merge(integration)
        base_url = product.settings.base_url
        asyncio.run(service.register_integration_webhook(integration, product.box, base_url))

    secret = product.box.decrypt(integration.webhook_secret_encrypted)
    assert integration.webhook_state is WebhookState.not_registered
    assert integration.webhook_error, "the reason is kept for the page"
    assert secret not in integration.webhook_error
