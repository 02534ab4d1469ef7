"""What every list of documents shares: sorting by a whitelisted column, totals, CSV export.

* ``?sort=<key>&dir=asc|desc`` picks one of the columns the page allows; anything else
  falls back to the page's default order (never raw SQL from the request).
* Totals of value columns: the page's own rows always; the whole filtered list's from one
  aggregate query, read only when the list has more than one page and the clerk asks for it
  (``?total=all``). That sum reads every line of every listed document, so reading it on
  every view would make the list's cost grow with the number of documents.
* ``?format=csv`` exports what the list shows (same filters, same order, every page) as
  CSV; a cell that a spreadsheet would read as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return) is prefixed with ``'`` so it stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Response, request

from .db import db

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_LIMIT = 50_000  # rows in one CSV export; narrow the filters for more


@dataclass(frozen=True)
class Sorting:
    """The list's current order, as the page shows it in its column headers."""

    key: str
    desc: bool

    def dir_for(self, key: str) -> str:
        """The direction a click on ``key``'s header asks for: the other way when it is the current column."""
        if key == self.key:
            return "asc" if self.desc else "desc"
        return "asc"

    def aria(self, key: str) -> str | None:
        if key != self.key:
            return None
        return "descending" if self.desc else "ascending"


def sorted_by(stmt: sa.Select, columns: Mapping[str, Any], default: str, *, default_desc: bool = True,
              args: Mapping[str, str] | None = None, tiebreak: Any = None) -> tuple[sa.Select, Sorting]:
    """``stmt`` ordered by the requested whitelisted column (else ``default``), with a stable tiebreak."""
    args = request.args if args is None else args
    key = args.get("sort", "")
    if key not in columns:
        key, desc = default, default_desc
    else:
        desc = args.get("dir") == "desc"
    column = columns[key]
    order = [column.desc() if desc else column.asc()]
    if tiebreak is not None:
        order.append(tiebreak.desc() if desc else tiebreak.asc())
    return stmt.order_by(None).order_by(*order), Sorting(key, desc)


TOTAL_ARG = "total"  # ?total=all: the sums over every page of the list


def totals(stmt: sa.Select, sums: Mapping[str, Callable[[Any], Any]], id_column: Any, pages: int
           ) -> dict[str, Any] | None:
    """Sums over every row ``stmt`` selects (not just the page), in one query; ``None`` when the
    list has more than one page (``pages``) and ``?total=all`` did not ask for them. A list of
    one page needs no query: its page total is the list's.

    ``sums`` maps a name to a function of the subquery of the listed ids that returns a
    scalar expression (``lambda ids: select(sum(line.value)).where(line.order_id.in_(ids))``):
    the sum is taken once over the lines of the listed documents, not per row. ``ids`` is
    ``None`` when the list is not filtered (every document counts).
    """
    if pages <= 1 or request.args.get(TOTAL_ARG) != "all":
        return None
    # an unfiltered list sums everything: no IN over every id (``None`` tells the function so)
    ids = None if stmt.whereclause is None else stmt.order_by(None).with_only_columns(
        id_column, maintain_column_froms=True)
    row = db.session.execute(sa.select(*[sa.func.coalesce(fn(ids), 0).label(name)
                                         for name, fn in sums.items()])).one()
    return dict(row._mapping)


def csv_cell(value: Any) -> str:
    """One cell as text, safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def wants_csv() -> bool:
    return request.args.get("format") == "csv"


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download of ``rows`` (at most :data:`EXPORT_LIMIT`), every cell through :func:`csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in header])
    for n, row in enumerate(rows):
        if n >= EXPORT_LIMIT:
            break
        writer.writerow([csv_cell(v) for v in row])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def export_rows(stmt: sa.Select, row: Callable[[Any], Sequence[Any]], chunk: int = 1000) -> Iterable[Sequence[Any]]:
    """The rows of a list for export, read in pages of ``chunk`` (a few queries per thousand rows)."""
    offset = 0
    while offset < EXPORT_LIMIT:
        batch = list(db.session.scalars(stmt.limit(chunk).offset(offset)).unique())
        yield from (row(obj) for obj in batch)
        if len(batch) < chunk:
            return
        offset += chunk
