"""Marshmallow fields that parse like the forms do (:mod:`core.parsing`, :mod:`core.fields`).

The API and the pages refuse the same input with the same words: a number is parsed by
``parse_decimal`` within its column's bounds, text refuses NUL bytes and what its column
cannot hold, an id out of any column's range names no record (the service then says
what the form says, e.g. "Choose a customer.").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from ..fields import NUL_MESSAGE
from ..parsing import ID_MAX, ParseError, decimal_bounds, has_nul, parse_date, parse_decimal, parse_int

NUMBER_MESSAGE = "Enter a number like 12 or 12.50."


class Text(ma.fields.String):
    """Text of at most ``max_length`` characters, refused with the forms' wording; no NUL."""

    def __init__(self, max_length: int | None = None, **kwargs: Any):
        if max_length is not None:
            kwargs.setdefault("metadata", {}).setdefault("maxLength", max_length)
        super().__init__(**kwargs)
        self.max_length = max_length

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if has_nul(text):
            raise ma.ValidationError(NUL_MESSAGE)
        if self.max_length is not None and len(text) > self.max_length:
            raise ma.ValidationError(f"Field cannot be longer than {self.max_length} characters.")
        return text


class Number(ma.fields.Field):
    """A decimal sent as a JSON number or a string ("12.50").

    With ``column_type`` it must fit the column (``parse_decimal``'s words); without, the
    service checks the bounds itself (sales and purchase order lines do).
    """

    def __init__(self, column_type: sa.Numeric | None = None, low: Decimal | None = None, **kwargs: Any):
        meta = kwargs.setdefault("metadata", {})
        meta.setdefault("type", ["number", "string"])
        if column_type is not None:
            largest, scale = decimal_bounds(column_type)
            meta.setdefault("description", f"Up to {largest:,f}, {scale} decimal place(s).")
        super().__init__(**kwargs)
        self.column_type, self.low = column_type, low

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ma.ValidationError(NUMBER_MESSAGE)
        raw = repr(value) if isinstance(value, float) else value
        try:
            if self.column_type is not None:
                return parse_decimal(raw, self.column_type, low=self.low)
            return parse_decimal(raw, sa.Numeric(400, 200), low=self.low)  # syntax only: the service bounds it
        except ParseError as exc:
            raise ma.ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value:f}"


class DecimalOut(ma.fields.Field):
    """A decimal in a response, as a string that keeps every place (``"12.50"``)."""

    def __init__(self, **kwargs: Any):
        meta = kwargs.setdefault("metadata", {})
        meta.setdefault("type", ["string", "null"] if kwargs.get("allow_none") else "string")
        super().__init__(dump_only=True, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{Decimal(value):f}"


class Id(ma.fields.Field):
    """A record id (JSON integer). One out of any column's range is 0: it names no record,
    and the service refuses it in its own words."""

    def __init__(self, **kwargs: Any):
        meta = kwargs.setdefault("metadata", {})
        meta.setdefault("type", ["integer", "null"] if kwargs.get("allow_none") else "integer")
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ma.ValidationError("Choose an existing record.")
        try:
            number = parse_int(value)
        except ParseError:
            raise ma.ValidationError("Choose an existing record.") from None
        return number if 0 < number <= ID_MAX else 0

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class Day(ma.fields.Field):
    """An ISO date (``2026-11-30``), refused with the forms' wording."""

    def __init__(self, **kwargs: Any):
        meta = kwargs.setdefault("metadata", {})
        kwargs.setdefault("allow_none", True)
        meta.setdefault("type", ["string", "null"])
        meta.setdefault("format", "date")
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            raise ma.ValidationError("Enter a date as YYYY-MM-DD.")
        return parsed

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if value is not None else None


class Stamp(ma.fields.Field):
    def __init__(self, **kwargs: Any):
        meta = kwargs.setdefault("metadata", {})
        meta.setdefault("type", ["string", "null"])
        meta.setdefault("format", "date-time")
        super().__init__(dump_only=True, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() + "Z" if value is not None else None


class WholeNumber(ma.fields.Field):
    """A whole number in ASCII digits within ``low``..``high`` (query strings: ``?page=2``)."""

    def __init__(self, low: int, high: int, **kwargs: Any):
        meta = kwargs.setdefault("metadata", {})
        meta.update({"type": "integer", "minimum": low, "maximum": high})
        super().__init__(**kwargs)
        self.low, self.high = low, high

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ma.ValidationError("Enter a whole number.")
        try:
            return parse_int(value, low=self.low, high=self.high)
        except ParseError as exc:
            raise ma.ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class EmailText(Text):
    """An e-mail address or empty, checked like the forms' :class:`core.forms.Email`."""

    def _deserialize(self, value, attr, data, **kwargs):
        from ..forms import _EMAIL, Email

        text = super()._deserialize(value, attr, data, **kwargs)
        if text.strip() and not _EMAIL.fullmatch(text.strip()):
            raise ma.ValidationError(Email().message)
        return text


class Lines(ma.fields.List):
    """Document lines: more than ``limit`` are refused before any is parsed, in ``message(count)``."""

    def __init__(self, nested: Any, limit: int, message: Any, **kwargs: Any):
        kwargs.setdefault("metadata", {})["maxItems"] = limit
        super().__init__(nested, **kwargs)
        self.limit, self.message = limit, message

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list) and len(value) > self.limit:
            raise ma.ValidationError(self.message(len(value)))
        return super()._deserialize(value, attr, data, **kwargs)
