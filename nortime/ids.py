"""Row ids from addresses and forms: whole numbers that an integer column can hold, or none at all.

An id beyond the column's range names no row; asked of the database it is an overflow in the driver
(a 500) instead of "not found".
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2 ** 31 - 1  # PostgreSQL's integer; SQLite's rowid holds more, but no id of ours gets there


class RowId(IntegerConverter):
    """`<int:...>` in every route: an id above MAX_ID matches no route (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def row_id(value) -> int | None:
    """A form field or argument as a row id, or None when it is not one."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdecimal() and 0 < int(text) <= MAX_ID else None
