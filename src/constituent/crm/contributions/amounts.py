"""Amounts as people type them: "$1,500", "1 500,00", "€ 20", "1.500,50", "1500".

The one owner of how a typed amount becomes a Decimal, used by the schema (so the page, the API and the
CLI agree). A separator followed by exactly one or two digits at the end is the decimal mark; any other
separator groups thousands. Anything else (letters, two decimal marks) is refused with a sentence.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Currency signs and codes people put before or after the number, and the spaces that group thousands
# (a normal space, a no-break space, a thin space, an apostrophe as in Switzerland).
_DECORATION = re.compile(r"^[A-Za-z]{3}|[A-Za-z]{3}$|[$€£¥\s\u00a0\u202f']")
_DECIMAL_TAIL = re.compile(r"[.,](\d{1,2})$")


class AmountUnreadable(ValueError):
    """The text is not an amount; the message says what to type."""


def parse_amount(text: str) -> Decimal:
    """``text`` as a Decimal, or AmountUnreadable."""
    bare = _DECORATION.sub("", text.strip())
    # A minus is read (the schema then says "must be more than 0", which is what is wrong).
    sign, bare = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
    if not bare or not re.fullmatch(r"[\d.,]+", bare):
        raise AmountUnreadable(f"{text.strip()!r} is not an amount; type it like 1500 or 1,500.00")
    tail = _DECIMAL_TAIL.search(bare)
    whole, cents = (bare[: tail.start()], tail.group(1)) if tail else (bare, "")
    digits = whole.replace(",", "").replace(".", "")
    if not digits:
        digits = "0"
    try:
        return Decimal(f"{sign}{digits}.{cents}" if cents else f"{sign}{digits}")
    except InvalidOperation as exc:
        raise AmountUnreadable(f"{text.strip()!r} is not an amount; type it like 1500 or 1,500.00") from exc


def amount_from_text(value: object) -> object:
    """For the schema's BeforeValidator: text is read by ``parse_amount``; numbers pass through."""
    if isinstance(value, str):
        return parse_amount(value)
    return value
