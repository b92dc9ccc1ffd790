"""Integers the databases can store: ids are INTEGER columns (32-bit on PostgreSQL, which refuses
anything above 2^31 - 1 with "integer out of range"). Every id, offset or count that arrives from outside
is declared ``DbInt``, so a bigger one is a 422 naming it instead of an error inside the driver."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

DB_INT_MAX = 2**31 - 1

DbInt = Annotated[int, Interval(ge=-DB_INT_MAX - 1, le=DB_INT_MAX)]
