"""The importer's cached email check agrees with the full validator on every kind of address."""

from __future__ import annotations

import re

import pytest

from constituent.crm.contacts.emails import InvalidEmail, normalise_email
from constituent.crm.imports.email_check import CachedEmailCheck

ADDRESSES = [
    "ann@example.org",
    " Ann.Lee+news@Example.ORG ",
    "o'neil@example.org",
    "a..b@example.org",
    ".a@example.org",
    "a.@example.org",
    "a b@example.org",
    '"quoted local"@example.org',
    "jos\u00e9@example.org",
    "ann@b\u00fccher.de",
    "x" * 65 + "@example.org",
    "a@" + "d" * 250 + ".org",
    "ann@localhost",
    "ann@-bad.org",
    "ann@example",
    "ann@@example.org",
    "no-at-sign",
    "",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_cached_check_gives_the_validators_verdict(address: str) -> None:
    check = CachedEmailCheck()
    check("warm@example.org")  # the domain is cached before the address under test is seen
    try:
        expected = normalise_email(address)
    except InvalidEmail as error:
        with pytest.raises(InvalidEmail, match=re.escape(str(error))):
            check(address)
    else:
        assert check(address) == expected
