"""Integers the databases can store (64-bit signed): every id, offset or count that arrives from outside
is declared ``DbInt``, so a bigger one is a 422 naming it instead of an overflow inside the driver."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

DB_INT_MAX = 2**63 - 1

DbInt = Annotated[int, Interval(ge=-DB_INT_MAX - 1, le=DB_INT_MAX)]
