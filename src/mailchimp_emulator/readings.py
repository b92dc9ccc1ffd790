"""Where the real service's behaviour is only probably known, or depends on Mailchimp's own judgement, the
emulator's reading is a switch: tests run the product against both readings (REAL-BEHAVIOUR.md, "Probably
true").

- ``listing_includes_archived``: whether ``GET /members`` without ``status`` lists archived members. The safer
  reading (default) is that it does not: jethro-pmm's fix only works if so, and MailChimp.Net issue #529 asks
  for a way to list archived contacts at all.
- ``write_answers_trimmed``: whether ``fields``/``exclude_fields`` trim the answer to a write (``POST
  /lists/{id}``) as they trim a GET's. The docs describe partial responses without naming methods, the
  spec declares the two parameters on GETs only, and public code asks writes for part of their answer
  (kevindb/cf-mailchimp ``src/mailchimp.cfc`` adds ``exclude_fields=_links`` to its PUTs "to drastically
  reduce the response size"). The default trims; the product reads either answer the same.
- The fake-address rule: Mailchimp refuses addresses that "look fake or invalid" (grouparoo's recorded
  ``foo@example.com``, wepublish's ``jane.doe@gmail.vom``). Its real rule is private; ours refuses the domains
  RFC 2606 / RFC 6761 reserve, top-level domains that are typing slips of common ones, and whatever the
  control API marks fake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mailchimp_emulator.errors import InvalidResource

RESERVED_DOMAINS = frozenset({"example.com", "example.org", "example.net"})
RESERVED_TOP_LEVEL = frozenset({"test", "invalid", "example", "localhost"})
# Slips of .com/.net/.org/.edu that no registry has delegated.
MISTYPED_TOP_LEVEL = frozenset(
    {"vom", "con", "cmo", "ocm", "comm", "xom", "cm0", "nte", "nett", "ogr", "rog", "orgg", "eud"}
)


def looks_fake_detail(email: str) -> str:
    return f"{email} looks fake or invalid, please enter a real email address."


class LooksFake(InvalidResource):
    """The single-add answer; in a batch the same sentence becomes the entry's ``error``."""

    def __init__(self, email: str) -> None:
        super().__init__(looks_fake_detail(email))


@dataclass(slots=True)
class Readings:
    listing_includes_archived: bool = False
    write_answers_trimmed: bool = True
    refuse_fake_addresses: bool = True
    fake_addresses: set[str] = field(default_factory=set)  # lower-cased
    fake_domains: set[str] = field(default_factory=set)  # lower-cased

    def looks_fake(self, email: str) -> bool:
        if not self.refuse_fake_addresses:
            return False
        address = email.strip().lower()
        domain = address.rpartition("@")[2]
        top_level = domain.rpartition(".")[2]
        return (
            address in self.fake_addresses
            or _within(domain, self.fake_domains)
            or _within(domain, RESERVED_DOMAINS)
            or top_level in RESERVED_TOP_LEVEL
            or top_level in MISTYPED_TOP_LEVEL
        )

    def refuse_if_fake(self, email: str) -> None:
        if self.looks_fake(email):
            raise LooksFake(email)

    def as_json(self) -> dict[str, Any]:
        return {
            "listing_includes_archived": self.listing_includes_archived,
            "write_answers_trimmed": self.write_answers_trimmed,
            "refuse_fake_addresses": self.refuse_fake_addresses,
            "fake_addresses": sorted(self.fake_addresses),
            "fake_domains": sorted(self.fake_domains),
        }


def _within(domain: str, parents: set[str] | frozenset[str]) -> bool:
    """``mail.example.com`` is as reserved as ``example.com``."""
    return any(domain == parent or domain.endswith("." + parent) for parent in parents)


def parse_readings(body: dict[str, Any]) -> Readings:
    """A whole new set of readings from the control API; anything not given takes its default."""
    readings = Readings()
    for name in ("listing_includes_archived", "write_answers_trimmed", "refuse_fake_addresses"):
        if name in body:
            if not isinstance(body[name], bool):
                raise InvalidResource(f"{name} must be true or false")
            setattr(readings, name, body[name])
    for name in ("fake_addresses", "fake_domains"):
        raw = body.get(name, [])
        if not isinstance(raw, list) or not all(isinstance(item, str) and item.strip() for item in raw):
            raise InvalidResource(f"{name} must be a list of non-empty strings")
        setattr(readings, name, {item.strip().lower() for item in raw})
    return readings
