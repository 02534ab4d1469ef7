"""Type-ahead look-ups of items and partners: a few rows at a time, at a constant cost.

A look-up matches the beginning of the code (item code, partner number) or of the name
(item description, partner name), without regard to case. Both are index range scans
(migration ``d2a7c4e9f310``): SQLite's case-insensitive ``LIKE 'abc%'`` on an index in
NOCASE collation, PostgreSQL's ``lower(column) COLLATE "C" LIKE 'abc%'``. A word in the
middle of a name is not matched: that would read every row. ``by_codes`` resolves codes
typed into a form (the page works without JavaScript), also through those indexes.

``GET /lookup/<kind>?q=`` answers JSON for any signed-in user (master data lists are
open to every role): ``{"results": [{"id", "code", "name"}]}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, request
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from .auth import require
from .db import db
from .models import Item, Partner
from .parsing import has_nul, parse_id

MAX_QUERY = 40  # characters of a look-up; longer text is cut (no code or name prefix is that long)
LIMIT = 8  # rows a look-up returns
PARTNER_KINDS = {"customers": Partner.is_customer, "vendors": Partner.is_vendor}

bp = Blueprint("lookup", __name__, url_prefix="/lookup")


def clean_query(raw: object) -> str:
    """The typed text, stripped and bounded; text with a NUL byte matches nothing."""
    text = str(raw or "").strip()[:MAX_QUERY]
    return "" if has_nul(text) else text


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _key(column: InstrumentedAttribute) -> sa.ColumnElement:
    """The column as its look-up index sees it (case folded, byte order)."""
    return sa.func.lower(column).collate("C") if _postgres() else column.collate("NOCASE")


def _starts_with(column: InstrumentedAttribute, text: str) -> sa.ColumnElement:
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if _postgres():
        return _key(column).like(pattern.lower(), escape="\\")
    return column.like(pattern, escape="\\")  # SQLite's LIKE ignores ASCII case: the NOCASE index serves it


def prefix_statement(stmt: sa.Select, column: InstrumentedAttribute, text: str, limit: int = LIMIT) -> sa.Select:
    """``stmt`` narrowed to rows whose ``column`` starts with ``text``, in index order, ``limit`` rows."""
    return stmt.where(_starts_with(column, text)).order_by(_key(column)).limit(limit)


def _prefix_search(stmt: sa.Select, code: InstrumentedAttribute, name: InstrumentedAttribute, text: str,
                   limit: int) -> list[Any]:
    """Rows whose code, then whose name, starts with ``text``: two index range scans."""
    found: dict[int, Any] = {}
    for column in (code, name):
        if len(found) >= limit:
            break
        rows = db.session.scalars(prefix_statement(stmt, column, text, limit))
        for row in rows.unique():
            found.setdefault(row.id, row)
    return list(found.values())[:limit]


def search_items(text: str, limit: int = LIMIT, *, active_only: bool = True) -> list[Item]:
    """Items whose code or description starts with ``text`` (their default vendor loaded)."""
    text = clean_query(text)
    if not text:
        return []
    stmt = sa.select(Item).options(joinedload(Item.default_vendor))
    if active_only:
        stmt = stmt.where(Item.active)
    return _prefix_search(stmt, Item.code, Item.description, text, limit)


def search_partners(text: str, kind: str, limit: int = LIMIT) -> list[Partner]:
    """Customers or vendors (``kind``) whose number or name starts with ``text``."""
    text = clean_query(text)
    if not text:
        return []
    stmt = sa.select(Partner).where(PARTNER_KINDS[kind], Partner.active)
    return _prefix_search(stmt, Partner.number, Partner.name, text, limit)


def by_codes(model: type[Item] | type[Partner], codes: Iterable[str]) -> dict[str, Any]:
    """Records by code typed without regard to case (key: the code in lower case), one query."""
    column = Item.code if model is Item else Partner.number
    wanted = {c.strip().lower() for c in codes if c and c.strip() and not has_nul(c)}
    if not wanted:
        return {}
    rows = db.session.scalars(sa.select(model).where(_key(column).in_(wanted)))  # NOCASE: ASCII case ignored
    return {getattr(r, column.key).lower(): r for r in rows}


def by_ids(model: type[Item] | type[Partner], ids: Iterable[int]) -> dict[int, Any]:
    """Records by id, one query (none for no ids)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {r.id: r for r in db.session.scalars(sa.select(model).where(model.id.in_(wanted)))}


def typed_id(model: type[Item] | type[Partner], typed: str) -> int:
    """A list filter typed as a code (partner number, item code; any case), or an id as older
    links carry; -1 (nothing) when it names no record. One indexed query."""
    typed = clean_query(typed)
    found = by_codes(model, [typed]).get(typed.lower())
    if found is not None:
        return found.id
    record_id = parse_id(typed)
    return record_id if record_id is not None and by_ids(model, [record_id]) else -1


def typed_partner(typed: str, kind: str) -> Partner | None:
    """The customer or vendor (``kind``) named by a typed number (any case) or an id; ``None``
    when it names none of that kind."""
    record_id = typed_id(Partner, typed)
    partner = db.session.get(Partner, record_id) if record_id > 0 else None  # loaded already: no query
    return partner if partner is not None and getattr(partner, PARTNER_KINDS[kind].key) else None


def _row(record: Item | Partner) -> dict[str, Any]:
    if isinstance(record, Item):
        return {"id": record.id, "code": record.code, "name": record.description}
    return {"id": record.id, "code": record.number, "name": record.name}


@bp.route("/<kind>")
@require()
def lookup(kind: str):
    """``kind``: customers, vendors or items; anything else is not found."""
    text = clean_query(request.args.get("q"))
    if kind == "items":
        rows = search_items(text)
    elif kind in PARTNER_KINDS:
        rows = search_partners(text, kind)
    else:
        abort(404)
    return jsonify(results=[_row(r) for r in rows])
