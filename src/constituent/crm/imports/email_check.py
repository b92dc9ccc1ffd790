"""``normalise_email`` for files of many rows: each domain is validated once, not once per address.

Validating the domain is most of email-validator's cost, and a file repeats a few domains many times.
Only the plainest local parts (ASCII dot-atoms) take the shortcut; anything else, and any address on a
domain that failed, goes through the full validator, so verdicts and error messages are the same.
"""

from __future__ import annotations

import re

from constituent.crm.contacts.emails import InvalidEmail, NormalisedEmail, normalise_email

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*\Z")
_MAX_LOCAL = 64
_MAX_ADDRESS = 254
_MAX_DOMAINS = 100_000  # a long-lived process keeps one checker; forget everything past this many


class CachedEmailCheck:
    def __init__(self) -> None:
        self._domains: dict[str, str | None] = {}

    def __call__(self, raw: str) -> NormalisedEmail:
        text = raw.strip()
        local, at, domain = text.rpartition("@")
        plain = at and len(local) <= _MAX_LOCAL and len(text) <= _MAX_ADDRESS and _DOT_ATOM.match(local)
        normalized_domain = self._domain(domain) if plain else None
        if normalized_domain is None:
            return normalise_email(raw)
        return NormalisedEmail(address=text, normalized=text.lower(), domain=normalized_domain)

    def _domain(self, domain: str) -> str | None:
        if domain not in self._domains:
            if len(self._domains) >= _MAX_DOMAINS:
                self._domains.clear()
            try:
                self._domains[domain] = normalise_email(f"a@{domain}").domain
            except InvalidEmail:
                self._domains[domain] = None
        return self._domains[domain]
