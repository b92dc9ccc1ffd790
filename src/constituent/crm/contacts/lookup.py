"""People named in free text, one a line ("Ann Lee", "ann@mailbox.org", "Lee, Ann"), found through the
Contacts list's own search: a line is taken only when it names one contact for sure, so pasting a list
never adds the wrong person. Every other line comes back with what was wrong with it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from constituent.crm.contacts.models import Contact
from constituent.crm.contacts.service import list_contacts

MAX_LINES = 200
# A shared household address may belong to a few contacts; more than this is not "one person".
MAX_BY_EMAIL = 20
_SEPARATORS = re.compile(r"[\n;]+")


@dataclass
class Lookup:
    found: dict[int, str] = field(default_factory=dict)  # contact id -> display name
    problems: list[str] = field(default_factory=list)  # a sentence per line not taken


def find_people(session: Session, text: str) -> Lookup:
    """Each line (or ``;``-separated part) as one person or, for an email, everyone holding it."""
    lines = [line.strip() for line in _SEPARATORS.split(text) if line.strip()]
    lookup = Lookup()
    if len(lines) > MAX_LINES:
        lookup.problems.append(f"Only {MAX_LINES} lines at a time; nothing was looked up.")
        return lookup
    for line in lines:
        people, problem = _one_line(session, line)
        lookup.found |= {c.id: c.display_name for c in people}
        if problem:
            lookup.problems.append(problem)
    return lookup


def _one_line(session: Session, line: str) -> tuple[list[Contact], str]:
    if "@" in line:
        holders, _ = list_contacts(session, email=line, limit=MAX_BY_EMAIL)
        return holders, "" if holders else f"“{line}”: no contact has this email."
    matches, total = list_contacts(session, search=line, limit=2)
    if total == 1:
        return matches, ""
    exact = [c for c in matches if _same_name(c.display_name, line)]
    if total > 1 and len(exact) == 1 and not _same_name(matches[1].display_name, line):
        return exact, ""
    if total == 0:
        return [], f"“{line}”: no contact has this name."
    return [], f"“{line}”: {total} contacts match; give the email, or more of the name."


def _same_name(display_name: str, line: str) -> bool:
    return " ".join(display_name.lower().split()) == " ".join(line.lower().split())
