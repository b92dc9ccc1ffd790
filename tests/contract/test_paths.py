"""Concrete paths find their operation in both spec files."""

from __future__ import annotations

import pytest

from tests.support.mailchimp_spec import MailchimpSpec, UnknownOperation
from tests.support.spec_paths import PathIndex

MEMBER = "/lists/{list_id}/members/{subscriber_hash}"
LIST = "/3.0/lists/a36b032126"
HASH = "62eeb292278cc15f5817cb78f7790b08"


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", "/3.0/", "/"),
        ("GET", "/3.0", "/"),
        ("GET", "/3.0/ping", "/ping"),
        ("POST", LIST, "/lists/{list_id}"),
        ("PUT", f"{LIST}/members/{HASH}", MEMBER),
        ("PATCH", f"{LIST}/members/urist.mcvankab@freddiesjokes.com", MEMBER),
        ("POST", f"{LIST}/members/{HASH}/actions/delete-permanent", f"{MEMBER}/actions/delete-permanent"),
        ("POST", f"{LIST}/segments/1234", "/lists/{list_id}/segments/{segment_id}"),
        ("GET", f"{LIST}/tag-search", "/lists/{list_id}/tag-search"),
        ("POST", "/3.0/campaigns/b03bfc273a/actions/send", "/campaigns/{campaign_id}/actions/send"),
        ("GET", f"/lists/a36b032126/members/{HASH}", MEMBER),
    ],
)
def test_a_concrete_path_matches_its_template(
    mailchimp_spec: MailchimpSpec, method: str, path: str, template: str
) -> None:
    assert mailchimp_spec.match(method, path).template == template


def test_members_match_the_ballerina_template_by_structure(mailchimp_spec: MailchimpSpec) -> None:
    operation = mailchimp_spec.match("GET", "/3.0/lists/a36b032126/members/62eeb292278cc15f5817cb78f7790b08")

    assert operation.ballerina_template == "/lists/{listId}/members/{subscriberHash}"


def test_literal_segments_win_over_parameters() -> None:
    index = PathIndex(["/lists/{list_id}/{anything}", "/lists/{list_id}/members"])

    found = index.find("/lists/abc/members")

    assert found is not None and found[0].template == "/lists/{list_id}/members"
    assert found[1] == {"list_id": "abc"}


def test_a_method_the_path_does_not_offer_is_unknown(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(UnknownOperation, match="DELETE /lists/a36b032126/tag-search"):
        mailchimp_spec.match("DELETE", "/3.0/lists/a36b032126/tag-search")


def test_a_path_mailchimp_does_not_have_is_unknown(mailchimp_spec: MailchimpSpec) -> None:
    with pytest.raises(UnknownOperation):
        mailchimp_spec.match("GET", "/3.0/lists/a36b032126/members/62eeb292/nowhere")
