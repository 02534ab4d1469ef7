"""Response schemas declared in one line: ``output("PartnerSchema", "id:int number name active:bool")``.

Every field of a response is required (the document says so, and schemathesis checks it);
each word is ``name[:kind]`` with the kinds below (``str`` when none is given). Fields that
need more (a value read through a relation, nested lines, another attribute) are passed as
keywords and come after the words, in their order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma

from .fields import Day, DecimalOut, Id, Stamp

KINDS: dict[str, Callable[[], ma.fields.Field]] = {
    "str": lambda: ma.fields.String(required=True),
    "int": lambda: ma.fields.Integer(required=True),
    "bool": lambda: ma.fields.Boolean(required=True),
    "decimal": lambda: DecimalOut(required=True),
    "day": lambda: Day(required=True),
    "stamp": lambda: Stamp(required=True),
    "id?": lambda: Id(allow_none=True, required=True),
    "str?": lambda: ma.fields.String(allow_none=True, required=True, metadata={"type": ["string", "null"]}),
    "int?": lambda: ma.fields.Integer(allow_none=True, required=True, metadata={"type": ["integer", "null"]}),
    "decimal?": lambda: DecimalOut(allow_none=True, required=True),
    "strs": lambda: ma.fields.List(ma.fields.String(), required=True),
    "ints": lambda: ma.fields.List(ma.fields.Integer(), required=True),
    "raw": lambda: ma.fields.Raw(required=True, allow_none=True),
}


def output(name: str, spec: str, base: type[ma.Schema] = ma.Schema, **extra: ma.fields.Field) -> type[ma.Schema]:
    """A response schema class called ``name`` (its OpenAPI component is named after it)."""
    fields: dict[str, Any] = {}
    for word in spec.split():
        field_name, _, kind = word.partition(":")
        fields[field_name] = KINDS[kind or "str"]()
    fields.update(extra)
    return type(name, (base,), fields)


def text_of(getter: Callable[[Any], Any]) -> ma.fields.Function:
    """A required string read through ``getter`` (``text_of(lambda line: line.item.code)``)."""
    return ma.fields.Function(lambda obj: str(getter(obj)), required=True, metadata={"type": "string"})


def decimal_of(getter: Callable[[Any], Any]) -> ma.fields.Function:
    """A required decimal, as a string keeping its places, read through ``getter``."""
    return ma.fields.Function(lambda obj: f"{getter(obj):f}", required=True, metadata={"type": "string"})


def many(schema: type[ma.Schema]) -> ma.fields.List:
    """A required list of ``schema`` (a document's lines)."""
    return ma.fields.List(ma.fields.Nested(schema), required=True)


def one(schema: type[ma.Schema]) -> ma.fields.Nested:
    return ma.fields.Nested(schema, required=True)
