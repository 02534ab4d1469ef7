"""The activity log: one service every plugin uses to say what happened to a document.

``record("purchase_order", po.id, "changed", "Line 2 (BOLT-10) qty 5 -> 3", number=po.number)``
inserts one row into ``core_activity`` in the caller's transaction (it never commits), so
a rolled-back save leaves no trace in the log either; :func:`record_many` writes a batch
in one statement. Each plugin
records its own events with its own document type (``sales_order``, ``purchase_order``);
the sales order and purchase order pages show the log through :func:`panel`.

The log keeps no foreign key to the document: it outlives a deleted document, which is
how opening a deleted document can say who deleted it and when (:func:`deleted_note`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort, flash, has_request_context, render_template
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import NotFound

from .bulk import insert_rows
from .db import db
from .lifecycle import after_commit
from .models import Activity, User, utcnow

T = TypeVar("T")

MAX_DETAILS = 4000  # a log line is a summary, never a dump
DELETED = "deleted"


def _acting_user(user: User | None) -> User | None:
    if user is not None:
        return user
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user._get_current_object()  # type: ignore[attr-defined]
    return None


@dataclass(frozen=True)
class Entry:
    """One entry for :func:`record_many`."""

    document_type: str
    document_id: int
    action: str
    details: str = ""
    number: str = ""


def record(document_type: str, document_id: int, action: str, details: str = "", user: User | None = None,
           *, number: str = "") -> None:
    """Add one entry to the activity log of a document, inside the current transaction.

    ``user`` defaults to the signed-in user; outside a request (a job, the command line)
    the entry has no user and shows as *system*. ``details`` says what changed, in words.
    """
    record_many([Entry(document_type, document_id, action, details, number)], user=user)


def record_many(entries: Iterable[Entry], user: User | None = None) -> None:
    """Add many entries in one statement (a batch generating hundreds of POs stays one INSERT)."""
    who = _acting_user(user)
    now = utcnow()  # one time for the batch, as one statement writes it
    rows = []
    for e in entries:
        text = (e.details or "").strip()
        if len(text) > MAX_DETAILS:
            text = text[:MAX_DETAILS - 1] + "…"
        rows.append({"document_type": e.document_type, "document_id": e.document_id,
                     "document_number": (e.number or "")[:40], "action": e.action[:40], "details": text,
                     "user_id": who.id if who else None,
                     "user_name": (who.full_name or who.username)[:120] if who else "", "created_at": now})
    if rows:  # the driver's own batch insert: no ORM bookkeeping per row (a batch logs thousands)
        insert_rows(Activity.__table__, rows, return_ids=False)


def entries(document_type: str, document_id: int, limit: int = 200) -> list[Activity]:
    """The newest ``limit`` entries of one document, newest first (one query)."""
    return list(db.session.scalars(
        sa.select(Activity).where(Activity.document_type == document_type, Activity.document_id == document_id)
        .order_by(Activity.id.desc()).limit(limit)))


def deleted_note(document_type: str, document_id: int, label: str) -> str | None:
    """"Purchase order 0100022 was deleted on 2026-11-30 10:12 by Ann." when the log knows it, else None."""
    entry = db.session.scalars(
        sa.select(Activity).where(Activity.document_type == document_type, Activity.document_id == document_id,
                                  Activity.action == DELETED).order_by(Activity.id.desc()).limit(1)).first()
    if entry is None:
        return None
    who = entry.user_name or "the system"
    number = f" {entry.document_number}" if entry.document_number else ""
    why = f" ({entry.details})" if entry.details else ""
    return f"{label}{number} was deleted on {entry.created_at:%Y-%m-%d %H:%M} by {who}{why}."


class DocumentGone(NotFound):
    """404 for a document the activity log says was deleted: the page says who deleted it and when."""


def abort_if_deleted(document_type: str, document_id: int, label: str) -> None:
    """Raise :class:`DocumentGone` (404 with the deletion note) when the log knows the document
    was deleted; return otherwise (the caller answers its plain 404)."""
    note = deleted_note(document_type, document_id, label)
    if note:
        raise DocumentGone(description=note)


def document_or_404(doc: T | None, document_type: str, document_id: int, label: str) -> T:
    """``doc`` as a page loaded it; when it is not there, a 404 that gives the deletion note
    when the log knows the document was deleted."""
    if doc is None:
        abort_if_deleted(document_type, document_id, label)
        abort(404)
    return doc


def describe_changes(before: Mapping[str, Any], after: Mapping[str, Any], labels: Mapping[str, str]
                     ) -> list[str]:
    """A compact diff: ``["Ship via: UPS -> FedEx", "Notes changed"]`` for the keys in ``labels``.

    Long texts (more than 60 characters on either side) are only said to have changed.
    """
    out: list[str] = []
    for key, label in labels.items():
        old, new = before.get(key), after.get(key)
        if _text(old) == _text(new):
            continue
        if len(_text(old)) > 60 or len(_text(new)) > 60:
            out.append(f"{label} changed")
        else:
            out.append(f"{label}: {_text(old) or '(empty)'} -> {_text(new) or '(empty)'}")
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "normalize"):  # Decimal: 5.000 and 5 are the same quantity
        value = value.normalize()
        return f"{value:f}"
    return str(value).strip()


def tell_user(text: str, category: str = "info") -> None:
    """Show ``text`` on the user's next page once the transaction commits (a rolled-back
    save says nothing). Used to make changes one save makes to other documents visible."""
    if not has_request_context():
        return
    after_commit(lambda: flash(text, category))


def panel(document_type: str, document_id: int | None) -> Markup:
    """The *Activity* panel for a document page: who, when, what (newest first)."""
    if not document_id:
        return Markup("")
    return Markup(render_template("core/_activity.html", entries=entries(document_type, document_id)))

