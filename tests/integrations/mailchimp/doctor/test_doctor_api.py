"""GET /api/v1/integrations/mailchimp/{id}/doctor (any token) and POST …/doctor/fix (administrators),
over HTTP against the real emulator."""

from __future__ import annotations

import pytest

from constituent.auth.models import Role
from tests.integrations.mailchimp.doctor.conftest import Mailchimp


@pytest.mark.slow
def test_the_report_is_typed_json_and_the_fix_is_for_administrators(mailchimp: Mailchimp) -> None:
    path = f"/integrations/mailchimp/{mailchimp.live.integration_id}/doctor"
    mailchimp.delete_merge_field("LNAME")

    with mailchimp.live.api(Role.staff) as staff, mailchimp.live.api(Role.admin) as admin:
        report = staff.get(path)
        refused = staff.post(f"{path}/fix")
        fixed = admin.post(f"{path}/fix")
        again = staff.get(path)

    assert report.status_code == 200
    body = report.json()
    assert body["passed"] is False
    [failed] = [check for check in body["checks"] if not check["passed"]]
    assert failed == {
        "name": "merge_fields",
        "label": "Our merge fields",
        "passed": False,
        "checked": True,
        "found": "Missing in Mailchimp: LNAME.",
        "fix": "Recreate LNAME (the automatic fix does this), then run a Resync so every member gets its "
        "values again.",
        "fixable": True,
    }
    assert refused.status_code == 403
    assert fixed.status_code == 200 and fixed.json()["passed"] is True
    assert fixed.json()["fixes"] == [
        {
            "check": "merge_fields",
            "done": True,
            "said": "Recreated the missing merge fields; run a Resync so every member gets its values again.",
        }
    ]
    assert again.json()["passed"] is True and again.json()["fixes"] == []


def test_an_unknown_integration_is_404(mailchimp: Mailchimp) -> None:
    with mailchimp.live.api(Role.staff) as staff:
        assert staff.get("/integrations/mailchimp/999/doctor").status_code == 404


def test_the_doctor_needs_a_token(mailchimp: Mailchimp) -> None:
    base = mailchimp.live.url.split("/webhooks/")[0]
    path = f"{base}/api/v1/integrations/mailchimp/{mailchimp.live.integration_id}/doctor"

    assert mailchimp.live.http.get(path).status_code == 401
