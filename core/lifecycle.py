"""One request lifecycle for every page: load arguments, check access, act; commit once.

A view loads its arguments, checks access (:func:`core.auth.require`) and calls a
service. Views never call ``commit()`` or ``rollback()``: the host finishes the
unit of work once per request, here:

* a response below 400 commits everything the request did (an API write takes that
  commit before building its answer, :func:`commit_early`);
* a response of 400 or more, or an exception, rolls everything back;
* a :class:`~core.errors.ValidationError` that the view did not handle itself is
  rolled back, flashed, and the user is sent back to the page they came from (a
  form view catches it first, with :func:`attach_errors`, to re-show what was typed).

``after_commit`` callbacks (enqueueing background jobs, for instance) run only when
that commit succeeded, so a rolled-back save leaves nothing behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, abort, flash, g, redirect, render_template, request
from wtforms import Form

from .db import db
from .errors import ValidationError

log = logging.getLogger(__name__)


def rollback_request() -> None:
    """Make the lifecycle roll back although the response is a success (a preview, say)."""
    g._ob_rollback = True


def commit_early() -> None:
    """Take the request's one commit now, before the answer is built (an API write reads back
    what it saved and dumps it: holding the row locks for that long makes concurrent writers
    wait). The commit at the end then finds nothing to do; nothing is committed when the
    request is to roll back (:func:`rollback_request`)."""
    if not g.get("_ob_rollback"):
        db.session.commit()


def after_commit(callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the current transaction has committed; never on rollback.

    Outside a request (CLI, worker, tests) the callback is tied to the session's next
    commit the same way.
    """
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any SQL is seen, and drops the callback
    pending: list = session.info.setdefault("ob_after_commit", [])
    pending.append(callback)


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _run_after_commit(session: sa.orm.Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released: the transaction goes on
        return
    callbacks = session.info.pop("ob_after_commit", [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the commit stands; what failed is retried by its own sweep
            log.exception("after-commit callback %r failed", callback)


@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _drop_after_commit(session: sa.orm.Session, previous_transaction) -> None:
    # "soft": also when rollback() found no transaction begun (no SQL yet), which
    # "after_rollback" does not report; a savepoint's rollback keeps the callbacks
    if not previous_transaction.nested:
        session.info.pop("ob_after_commit", None)


def record_or_404(model: Any, record_id: int | None) -> Any:
    """The record a form page edits: ``None`` for a new one, 404 for an id that does not exist."""
    if record_id is None:
        return None
    record = db.session.get(model, record_id)
    if record is None:
        abort(404)
    return record


def form_saved(form: Form, save: Callable[[], Any]) -> bool:
    """Run ``save`` for a submitted, valid form; a :class:`ValidationError` goes beside its
    fields (the rest is flashed) and the page is shown again with what was typed."""
    if not form.validate_on_submit():
        return False
    try:
        save()
    except ValidationError as exc:
        for message in attach_errors(form, exc):
            flash(message, "error")
        return False
    return True


def form_page(form: Form, save: Callable[[], Any], done: Callable[[], str], back: str, template: str,
              **context: Any):
    """A record's form page: a valid POST that saves flashes ``done()`` and goes to ``back``;
    anything else renders ``template`` with the form, 422 after a POST (the request rolls back)."""
    if form_saved(form, save):
        flash(done(), "success")
        return redirect(back)
    failed = bool(form.errors) or request.method == "POST"
    return render_template(template, form=form, **context), (422 if failed else 200)


def attach_errors(form: Form, exc: ValidationError) -> list[str]:
    """Put each message of ``exc`` beside its field; return those that belong to no field.

    Field names follow the form's own: ``customer_id``, ``lines-2-qty_ordered``.
    """
    loose: list[str] = []
    for name, message in exc.errors:
        target = _field(form, name) if name else None
        if target is None:
            loose.append(message)
            continue
        errors = target.errors if isinstance(target.errors, list) else list(target.errors or ())
        target.errors = [*errors, message]
    return loose


def _field(form: Form, name: str):
    if name in form:
        return form[name]
    head, _, rest = name.partition("-")
    if not rest or head not in form:
        return None
    index, _, sub = rest.partition("-")
    entries = getattr(form[head], "entries", None)
    if entries is None or not index.isdecimal() or int(index) >= len(entries):
        return None
    entry = entries[int(index)]
    inner = getattr(entry, "form", None)
    if inner is None:
        return entry if not sub else None
    return _field(inner, sub) if sub else None


def init_app(app: Flask) -> None:
    @app.after_request
    def _finish(response):
        if response.status_code < 400 and not g.pop("_ob_rollback", False):
            try:
                db.session.commit()
            except sa.exc.OperationalError as exc:  # a write deferred to the commit found the lock taken
                from .busy import busy_response, is_locked

                if not is_locked(exc):
                    raise
                return busy_response(replacing=response)
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _teardown(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        db.session.rollback()
        rollback_request()
        from .auth import safe_next

        back = safe_next(request.referrer)
        if back and request.method == "POST":
            for _field_name, message in exc.errors:
                flash(message, "error")
            return redirect(back, code=303)
        return render_template("core/error.html", code=422, title="Not saved", text=str(exc)), 422
