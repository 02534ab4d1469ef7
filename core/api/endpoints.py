"""The shapes every resource repeats, written once: an operation, a list with its read-one.

``operation`` is flask-smorest's route, ``core.auth.require``, the argument schemas and
the response schema as one decorator (the order the OpenAPI walk relies on: the role
marks sit on the view the URL map holds). ``records`` adds ``GET ""`` (a page of a
statement, :func:`.lists.read_page`) and ``GET "/<int:id>"`` (one record or 404) to a
blueprint, which is what most resources start with.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import abort, request

from ..auth import require
from ..db import db
from ..lifecycle import commit_early
from . import Blueprint
from .lists import PageArgs, page_schema, read_page


def operation(bp: Blueprint, rule: str, *, roles: Iterable[str] = (), methods: Iterable[str] = ("GET",),
              query: type[ma.Schema] | None = None, body: type[ma.Schema] | None = None,
              response: type[ma.Schema] | ma.Schema | None = None, status: int = 200) -> Callable:
    """``@operation(bp, "/<int:po_id>/send", roles=PURCHASING, methods=["POST"], response=PurchaseOrderOut)``."""

    def decorate(view: Callable) -> Callable:
        view = _commit_before_answering(view)
        if response is not None:
            view = bp.response(status, response)(view)
        if body is not None:
            view = bp.arguments(body)(view)
        if query is not None:
            view = bp.arguments(query, location="query")(view)
        view = require(*roles)(view)
        return bp.route(rule, methods=list(methods))(view)

    return decorate


def _status_of(result: Any) -> int:
    if isinstance(result, tuple) and len(result) > 1 and isinstance(result[1], int):
        return result[1]
    return 200


def _commit_before_answering(view: Callable) -> Callable:
    """A write commits when its service returns, before its answer is built: the answer (the
    saved order read back and dumped as JSON) would otherwise hold the request's row locks
    (the order number's counter, stock rows) for its whole serialisation, and concurrent
    writers wait on them. This is the request's one commit, taken earlier; the lifecycle's
    commit then finds nothing to do. A write with an ``Idempotency-Key`` keeps the late
    commit: its stored answer commits with what it created, or nothing does. A view that
    reads its answer back returns a function that builds it, called after the commit."""
    from . import WRITE_METHODS
    from .idempotency import HEADER

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = view(*args, **kwargs)
        if (request.method in WRITE_METHODS and not request.headers.get(HEADER)
                and (inspect.isfunction(result) or _status_of(result) < 400)):
            commit_early()
        return result() if inspect.isfunction(result) else result

    return wrapped


def found(record: Any) -> Any:
    """The record, or 404 (an unknown id, or one the caller may not see)."""
    return record if record is not None else abort(404)


def _named(view: Callable, name: str, doc: str) -> Callable:
    view.__name__ = view.__qualname__ = name
    view.__doc__ = doc
    return view


def page_name(item: type[ma.Schema]) -> str:
    """``SalesOrderOut`` -> ``SalesOrderPage`` (the OpenAPI component of a page of them)."""
    return item.__name__.removesuffix("Schema").removesuffix("Out") + "Page"


def records(bp: Blueprint, noun: str, item: type[ma.Schema], *, select: Callable[[dict[str, Any]], sa.Select],
            load: Callable[[int], Any] | type, docs: tuple[str, str], query: type[ma.Schema] = PageArgs,
            plural: str | None = None, id_name: str | None = None, roles: Iterable[str] = (),
            detail: type[ma.Schema] | None = None) -> None:
    """``list_<plural>`` (a page of ``select(args)``) and ``get_<noun>`` (``/<int:<noun>_id>``,
    or ``id_name``).

    ``load`` is a model (read by primary key) or a function of the id answering None when
    there is no such record; ``docs`` are the two operations' descriptions; ``detail`` the
    read-one's schema when it shows more than a row of the list.
    """
    roles = tuple(roles)
    list_doc, read_doc = docs

    def list_view(args: dict[str, Any]):
        return read_page(select(args), args)

    def read_view(**ids: int):
        (record_id,) = ids.values()
        return found(db.session.get(load, record_id) if isinstance(load, type) else load(record_id))

    operation(bp, "", roles=roles, query=query, response=page_schema(item, page_name(item)))(
        _named(list_view, f"list_{plural or noun + 's'}", list_doc))
    operation(bp, f"/<int:{id_name or noun + '_id'}>", roles=roles, response=detail or item)(
        _named(read_view, f"get_{noun}", read_doc))


def action(bp: Blueprint, rule: str, name: str, doc: str, act: Callable[..., Any], *, roles: Iterable[str],
           response: type[ma.Schema], body: type[ma.Schema] | None = None, status: int = 200) -> None:
    """A POST whose view is ``act(body, **path ids)`` (``act(**path ids)`` without a body):
    a page's button, through the same service function."""

    def view(*args: Any, **ids: int):
        return act(*args, **ids)

    operation(bp, rule, roles=roles, methods=["POST"], body=body, response=response, status=status)(
        _named(view, name, doc))
