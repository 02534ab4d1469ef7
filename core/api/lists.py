"""Lists under /api: page/limit with a hard maximum, stable order, a constant number of queries.

A page is read with one statement of ``limit + 1`` rows (plus the statement's own eager
loads): the extra row says whether there is a next page, so no count query is needed.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from ..db import db
from .fields import WholeNumber

MAX_LIMIT = 200
MAX_PAGE = 1_000_000


class PageArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # filters of the web lists travel beside these

    page = WholeNumber(1, MAX_PAGE, load_default=1, metadata={"description": "Page number, from 1."})
    limit = WholeNumber(1, MAX_LIMIT, load_default=50, metadata={"description": f"Rows per page (at most {MAX_LIMIT})."})


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A ``{"items": [...], "page", "limit", "next_page"}`` schema for ``item_schema``."""
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "page": ma.fields.Integer(required=True),
        "limit": ma.fields.Integer(required=True),
        "next_page": ma.fields.Integer(allow_none=True, required=True),
    }, name=name)


def read_page(stmt: sa.Select, args: dict[str, Any]) -> dict[str, Any]:
    page, limit = args["page"], args["limit"]
    rows = list(db.session.scalars(stmt.limit(limit + 1).offset((page - 1) * limit)).unique())
    return {"items": rows[:limit], "page": page, "limit": limit,
            "next_page": page + 1 if len(rows) > limit else None}


def slice_page(rows: list[Any], args: dict[str, Any]) -> dict[str, Any]:
    """A page of rows a service computes as a whole (in its own stable order)."""
    page, limit = args["page"], args["limit"]
    start = (page - 1) * limit
    return {"items": rows[start:start + limit], "page": page, "limit": limit,
            "next_page": page + 1 if len(rows) > start + limit else None}
