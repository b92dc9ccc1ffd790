"""Responses are checked against the spec: schemas for 2xx, problem+json for errors."""

from __future__ import annotations

import pytest

from tests.contract.samples import (
    JSON_HEADERS,
    LIST_ID,
    MEMBER_PATH,
    NOT_FOUND,
    PROBLEM_HEADERS,
    encoded,
    member_without,
    recorded_member,
)
from tests.support.mailchimp_spec import MailchimpSpec, SpecViolation
from tests.support.spec_documents import BALLERINA_FILE

MEMBERS_PATH = f"/3.0/lists/{LIST_ID}/members"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH"])
def test_a_real_member_passes_on_every_member_operation(mailchimp_spec: MailchimpSpec, method: str) -> None:
    operation = mailchimp_spec.validate_response(
        method, MEMBER_PATH, 200, JSON_HEADERS, encoded(recorded_member())
    )

    assert operation is not None
    assert operation.broken_response


def test_a_member_without_id_fails(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation) as raised:
        mailchimp_spec.validate_response("GET", MEMBER_PATH, 200, JSON_HEADERS, encoded(member_without("id")))

    assert raised.value.reason == "'id' is a required property"
    assert f"checked against {BALLERINA_FILE}" in str(raised.value)


def test_a_member_with_an_unknown_status_fails(mailchimp_spec: MailchimpSpec) -> None:
    body = encoded(recorded_member(status="deleted"))

    with pytest.raises(SpecViolation) as raised:
        mailchimp_spec.validate_response("PUT", MEMBER_PATH, 200, JSON_HEADERS, body)

    assert raised.value.pointer == "/status"


def test_members_in_a_collection_are_checked_one_by_one(mailchimp_spec: MailchimpSpec) -> None:
    page = {
        "members": [recorded_member(), recorded_member(web_id="400743356")],
        "list_id": LIST_ID,
        "total_items": 2,
    }

    with pytest.raises(SpecViolation) as raised:
        mailchimp_spec.validate_response("GET", MEMBERS_PATH, 200, JSON_HEADERS, encoded(page))

    assert (raised.value.pointer, raised.value.reason) == (
        "/members/1/web_id",
        "'400743356' is not of type 'integer'",
    )


def test_a_trimmed_response_may_leave_out_required_fields(mailchimp_spec: MailchimpSpec) -> None:
    page = {"members": [{"id": "d0b75ad6a5aa9f579412236a3ede2df6", "status": "subscribed"}]}
    query = {"fields": "members.id,members.status"}

    assert mailchimp_spec.validate_response("GET", MEMBERS_PATH, 200, JSON_HEADERS, encoded(page), query)


def test_extra_properties_are_allowed_as_mailchimp_adds_fields(mailchimp_spec: MailchimpSpec) -> None:
    body = encoded(recorded_member(sms_marketing_preferences={"new": True}))

    assert mailchimp_spec.validate_response("GET", MEMBER_PATH, 200, JSON_HEADERS, body)


def test_an_unknown_date_time_may_be_empty_but_not_free_text(mailchimp_spec: MailchimpSpec) -> None:
    assert mailchimp_spec.validate_response("GET", MEMBER_PATH, 200, JSON_HEADERS, encoded(recorded_member()))

    with pytest.raises(SpecViolation, match="'yesterday' is not a 'date-time'"):
        body = encoded(recorded_member(last_changed="yesterday"))
        mailchimp_spec.validate_response("GET", MEMBER_PATH, 200, JSON_HEADERS, body)


def test_a_null_where_the_spec_has_a_string_fails(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation, match="None is not of type 'string'"):
        body = encoded(recorded_member(language=None))
        mailchimp_spec.validate_response("GET", MEMBER_PATH, 200, JSON_HEADERS, body)


def test_a_list_is_checked_against_the_yaml(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation) as raised:
        mailchimp_spec.validate_response("GET", f"/3.0/lists/{LIST_ID}", 200, JSON_HEADERS, b'{"id": 5}')

    assert "(checked against marketing-openapi.yaml)" in str(raised.value)
    assert ("/id", "5 is not of type 'string'") in [(p.pointer, p.reason) for p in raised.value.problems]


def test_the_fifteen_self_referencing_operations_use_the_ballerina_file(
    mailchimp_spec: MailchimpSpec,
) -> None:
    broken = mailchimp_spec.broken_operations

    assert len(broken) == 15
    assert all(operation.ballerina_template for operation in broken)
    assert {operation.operation_id for operation in broken} >= {
        *("getListsIdMembers", "postListsIdMembers", "getListsIdMembersId", "putListsIdMembersId"),
        *("patchListsIdMembersId", "getListsIdWebhooks", "postListsIdWebhooks", "patchListsIdWebhooksId"),
    }


def test_a_no_content_response_must_be_empty(mailchimp_spec: MailchimpSpec) -> None:
    tags_path = f"{MEMBER_PATH}/tags"

    assert mailchimp_spec.validate_response("POST", tags_path, 204, JSON_HEADERS, b"")
    with pytest.raises(SpecViolation, match="status 204 must have an empty body"):
        mailchimp_spec.validate_response("POST", tags_path, 204, JSON_HEADERS, b"{}")


def test_a_status_the_spec_does_not_document_fails(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(
        SpecViolation, match=r"status 201 is not a documented response \(documented: \['200'\]\)"
    ):
        mailchimp_spec.validate_response("POST", MEMBERS_PATH, 201, JSON_HEADERS, encoded(recorded_member()))


def test_a_success_must_be_json(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation, match="Content-Type must be application/json, not 'text/html'"):
        mailchimp_spec.validate_response("GET", "/3.0/ping", 200, {"content-type": "text/html"}, b"<p>ok</p>")


def test_a_real_not_found_passes(mailchimp_spec: MailchimpSpec) -> None:
    operation = mailchimp_spec.validate_response("GET", MEMBER_PATH, 404, PROBLEM_HEADERS, encoded(NOT_FOUND))

    assert operation is not None and operation.operation_id == "getListsIdMembersId"


def test_an_error_must_be_problem_json(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation, match="Content-Type must be application/problem\\+json"):
        mailchimp_spec.validate_response("GET", MEMBER_PATH, 404, JSON_HEADERS, encoded(NOT_FOUND))


def test_an_error_needs_all_five_problem_fields(mailchimp_spec: MailchimpSpec) -> None:
    body = {key: value for key, value in NOT_FOUND.items() if key != "instance"}

    with pytest.raises(SpecViolation, match="'instance' is a required property"):
        mailchimp_spec.validate_response("GET", MEMBER_PATH, 404, PROBLEM_HEADERS, encoded(body))


def test_an_error_status_must_match_the_http_status(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(SpecViolation) as raised:
        mailchimp_spec.validate_response("GET", MEMBER_PATH, 400, PROBLEM_HEADERS, encoded(NOT_FOUND))

    assert (raised.value.pointer, raised.value.reason) == ("/status", "404 differs from the HTTP status 400")


def test_field_errors_of_invalid_resource_are_checked(mailchimp_spec: MailchimpSpec) -> None:
    invalid = {
        **NOT_FOUND,
        "title": "Invalid Resource",
        "status": 400,
        "detail": "Your merge fields were invalid.",
    }
    good = {**invalid, "errors": [{"field": "LTV", "message": "Please enter a number"}]}
    bad = {**invalid, "errors": [{"field": "LTV"}]}

    assert mailchimp_spec.validate_response("PUT", MEMBER_PATH, 400, PROBLEM_HEADERS, encoded(good))
    with pytest.raises(
        SpecViolation, match="at /errors/0: must be an object with string `field` and `message`"
    ):
        mailchimp_spec.validate_response("PUT", MEMBER_PATH, 400, PROBLEM_HEADERS, encoded(bad))


def test_errors_on_unknown_api_paths_are_still_problem_json(mailchimp_spec: MailchimpSpec) -> None:
    assert (
        mailchimp_spec.validate_response("GET", "/3.0/nowhere", 404, PROBLEM_HEADERS, encoded(NOT_FOUND))
        is None
    )
    with pytest.raises(SpecViolation):
        mailchimp_spec.validate_response(
            "GET", "/3.0/nowhere", 404, {"content-type": "text/plain"}, b"Not Found"
        )


def test_responses_outside_the_api_are_skipped(mailchimp_spec: MailchimpSpec) -> None:
    assert mailchimp_spec.validate_response("GET", "/oauth2/metadata", 200, {}, b"anything") is None
    assert mailchimp_spec.validate_response("GET", "/_emulator/stats", 500, {}, b"boom") is None
