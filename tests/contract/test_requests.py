"""Requests our client sends are checked against marketing-openapi.yaml."""

from __future__ import annotations

import pytest

from tests.contract.samples import MEMBER_PATH, encoded, upsert_body
from tests.support.mailchimp_spec import MailchimpSpec, SpecViolation, UnknownOperation

JSON = "application/json"


def put_member(spec: MailchimpSpec, body: object, query: dict[str, str] | None = None) -> object:
    return spec.validate_request("PUT", MEMBER_PATH, query, encoded(body), JSON)


def test_a_valid_member_upsert_passes(mailchimp_spec: MailchimpSpec) -> None:
    operation = put_member(mailchimp_spec, upsert_body(), {"skip_merge_validation": "true"})

    assert str(operation) == "PUT /lists/{list_id}/members/{subscriber_hash} (putListsIdMembersId)"


def test_a_wrong_status_names_the_field_and_the_allowed_values(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation) as raised:
        put_member(mailchimp_spec, upsert_body(status_if_new="subscibed"))

    assert raised.value.pointer == "/status_if_new"
    assert "'subscibed' is not one of ['subscribed', 'unsubscribed'" in raised.value.reason
    assert str(raised.value).startswith(
        "PUT /lists/{list_id}/members/{subscriber_hash} (putListsIdMembersId)"
    )


def test_a_wrong_type_deep_in_the_body_is_pointed_at(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation) as raised:
        put_member(mailchimp_spec, upsert_body(interests={"9143cf3bd1": "yes"}))

    assert raised.value.pointer == "/interests/9143cf3bd1"
    assert raised.value.reason == "'yes' is not of type 'boolean'"


def test_every_problem_in_a_body_is_reported_at_once(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation) as raised:
        put_member(mailchimp_spec, upsert_body(vip="no", language=5))

    assert [problem.pointer for problem in raised.value.problems] == ["/language", "/vip"]


def test_an_upsert_without_email_address_is_refused(mailchimp_spec: MailchimpSpec) -> None:
    body = upsert_body()
    del body["email_address"]

    with pytest.raises(SpecViolation, match="'email_address' is a required property"):
        put_member(mailchimp_spec, body)


def test_merge_field_values_may_be_text_numbers_or_addresses(mailchimp_spec: MailchimpSpec) -> None:
    address = {"addr1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US"}
    merge_fields = {"FNAME": "Ann", "LTV": 12.5, "ADDRESS": address, "PHONE": ""}

    assert put_member(mailchimp_spec, upsert_body(merge_fields=merge_fields)) is not None


def test_a_null_merge_field_value_is_refused(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation) as raised:
        put_member(mailchimp_spec, upsert_body(merge_fields={"FNAME": None}))

    assert raised.value.pointer == "/merge_fields/FNAME"


def test_a_timestamp_must_be_rfc_3339(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation, match="is not a 'date-time'"):
        put_member(mailchimp_spec, upsert_body(timestamp_opt="2021-11-23 14:54:43"))


def test_a_list_without_contact_company_is_refused(mailchimp_spec: MailchimpSpec) -> None:
    body = {
        "name": "Supporters",
        "contact": {"address1": "1 Main St", "city": "Springfield", "country": "US"},
        "permission_reminder": "You signed up on our site.",
        "campaign_defaults": {
            "from_name": "A",
            "from_email": "a@mailbox.org",
            "subject": "",
            "language": "en",
        },
        "email_type_option": False,
    }

    with pytest.raises(SpecViolation) as raised:
        mailchimp_spec.validate_request("POST", "/3.0/lists", {}, encoded(body), JSON)

    assert (raised.value.pointer, raised.value.reason) == ("/contact", "'company' is a required property")


def test_query_parameters_are_checked_by_name_type_and_limit(mailchimp_spec: MailchimpSpec) -> None:
    query = {"count": "5000", "status": "gone", "vip_only": "True", "sort": "x"}

    with pytest.raises(SpecViolation) as raised:
        mailchimp_spec.validate_request("GET", "/3.0/lists/a36b032126/members", query)

    reasons = {problem.pointer: problem.reason for problem in raised.value.problems}
    assert reasons["?count"] == "5000 is greater than the maximum of 1000"
    assert reasons["?status"].startswith("'gone' is not one of ['subscribed'")
    assert reasons["?vip_only"] == "'True' is not a boolean (send true or false)"
    assert reasons["?sort"].startswith("unknown query parameter; this operation takes ['before_last_changed'")


def test_paging_with_fields_passes(mailchimp_spec: MailchimpSpec) -> None:
    query = {
        "count": "1000",
        "offset": "2000",
        "fields": "members.id,members.status",
        "status": "unsubscribed",
    }

    assert mailchimp_spec.validate_request("GET", "/3.0/lists/a36b032126/members", query) is not None


def test_an_integer_path_parameter_must_be_a_number(mailchimp_spec: MailchimpSpec) -> None:
    path = "/3.0/customer-journeys/journeys/welcome/steps/2/actions/trigger"

    with pytest.raises(SpecViolation) as raised:
        mailchimp_spec.validate_request("POST", path, {}, encoded({"email_address": "a@mailbox.org"}), JSON)

    assert (raised.value.pointer, raised.value.reason) == ("{journey_id}", "'welcome' is not an integer")


def test_a_body_is_required_where_the_spec_says_so(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation, match="requires a request body"):
        mailchimp_spec.validate_request("PUT", MEMBER_PATH)


def test_a_body_on_an_operation_without_one_is_refused(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation, match="takes no request body"):
        mailchimp_spec.validate_request("DELETE", MEMBER_PATH, {}, b"{}", JSON)


def test_a_body_that_is_not_json_is_refused(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation, match="Content-Type must be application/json"):
        mailchimp_spec.validate_request(
            "PUT", MEMBER_PATH, {}, b"email=a", "application/x-www-form-urlencoded"
        )
    with pytest.raises(SpecViolation, match="the body is not JSON"):
        mailchimp_spec.validate_request("PUT", MEMBER_PATH, {}, b"{email", JSON)


def test_an_operation_mailchimp_does_not_have_is_a_violation(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(UnknownOperation, match=r"no operation in marketing-openapi\.yaml"):
        mailchimp_spec.validate_request("PUT", "/3.0/lists/a36b032126/members")


def test_traffic_outside_the_api_is_skipped(mailchimp_spec: MailchimpSpec) -> None:
    assert mailchimp_spec.validate_request("POST", "/_emulator/accounts", {}, b"{}", JSON) is None
    assert mailchimp_spec.validate_request("POST", "/oauth2/token", {}, b"code=x", "text/plain") is None
