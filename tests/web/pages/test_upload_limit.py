"""The body limit (issue 13, item 7) leaves room for a logged-in CSV upload, and none for anyone else."""

from __future__ import annotations

import pytest

from constituent.web.body_limit import DEFAULT_LIMIT
from tests.web.pages.conftest import Browser

BIG_CSV = ("first_name,last_name,email\n" + "Ann,Lee,\n" * (DEFAULT_LIMIT // 8)).encode()


@pytest.mark.slow
def test_a_logged_in_upload_may_be_larger_than_the_default_limit(admin: Browser) -> None:
    assert len(BIG_CSV) > DEFAULT_LIMIT
    admin.get("/import")
    response = admin.submit("/import", files={"file": ("people.csv", BIG_CSV, "text/csv")})
    assert response.status_code == 303, response.text


def test_the_same_upload_without_a_session_is_a_413(visitor: Browser) -> None:
    response = visitor.submit("/import", files={"file": ("people.csv", BIG_CSV, "text/csv")})
    assert response.status_code == 413, response.text
    assert f"at most {DEFAULT_LIMIT} bytes" in response.text
