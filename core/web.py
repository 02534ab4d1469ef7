"""Shared web plumbing: error pages, template helpers, navigation and pagination."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Flask, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from .auth import user_can
from .db import db
from .parsing import ParseError, parse_int
from .plugins import DEFAULT_MENU_GROUP, MENU_GROUPS, Action, HookError, MenuItem, Panel, host_of

log = logging.getLogger(__name__)


@dataclass
class Page:
    """One page of a list: ``items`` plus what the pager needs. Two queries in all."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(stmt: sa.Select, *, per_page: int | None = None) -> Page:
    """One page of ``stmt``; ``?page=`` that is not a page number shows the first, one past the end the last."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    try:
        page = parse_int(request.args.get("page", "1"), low=1)
    except ParseError:
        page = 1
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = min(page, max(1, -(-total // per_page)))  # the offset stays within 64 bits
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items, page, per_page, total)


def url_with(**changes: Any) -> str:
    """The current URL with some query arguments changed (``None`` removes one); all values kept."""
    args = MultiDict(request.args)
    for key, value in changes.items():
        args.pop(key, None)
        if value is not None:
            args[key] = value
    return request.path + ("?" + urlencode(list(args.items(multi=True))) if args else "")


def money(value: Any, places: int = 2) -> str:
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.{places}f}"


def qty(value: Any) -> str:
    if value is None:
        return ""
    d = Decimal(value).normalize()
    return f"{d:f}" if d == d.to_integral() or d.as_tuple().exponent < 0 else f"{d:f}"


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def menu() -> dict[str, list[MenuItem]]:
    """The visible menu items by section ("main", "admin"), each sorted by order and label."""
    items = host_of(current_app).menu_items()
    views = current_app.view_functions
    bad = [i for i in items if i.endpoint not in views]
    for item in bad:  # one plugin's typo must not break every page
        log.warning("menu item %r points at unknown endpoint %r", item.label, item.endpoint)
    visible = [i for i in items if i.endpoint in views and user_can(*i.roles)]
    visible.sort(key=lambda i: (i.order, i.label))
    sections: dict[str, list[MenuItem]] = {}
    for item in visible:
        sections.setdefault(item.section, []).append(item)
    return sections


def menu_groups(sections: dict[str, list[MenuItem]]) -> list[tuple[str, list[MenuItem]]]:
    """The navigation by area: Sales, Purchasing, Inventory, Settings, then any other area, then More."""
    groups: dict[str, list[MenuItem]] = {}
    for items in sections.values():
        for item in items:
            groups.setdefault(item.area, []).append(item)
    rank = {name: i for i, name in enumerate(MENU_GROUPS)}

    def key(name: str) -> tuple[int, str]:
        if name == DEFAULT_MENU_GROUP:
            return (len(MENU_GROUPS) + 1, name)
        return (rank.get(name, len(MENU_GROUPS)), name)

    return [(name, sorted(groups[name], key=lambda i: (i.order, i.label))) for name in sorted(groups, key=key)]


def breadcrumbs(groups: list[tuple[str, list[MenuItem]]]) -> list[tuple[str, str | None]]:
    """Home › area › list page for the current page: the menu item of this endpoint, else the first
    item of the same blueprint (a document's page sits under its list). The page's own title ends it."""
    endpoint = request.endpoint or ""
    if endpoint == "core.home":
        return []
    blueprint = endpoint.rpartition(".")[0]
    exact = [(area, item) for area, items in groups for item in items if item.endpoint == endpoint]
    same = [(area, item) for area, items in groups for item in items
            if item.endpoint.rpartition(".")[0] == blueprint]
    crumbs: list[tuple[str, str | None]] = [("Home", "/")]
    if exact:
        crumbs.append((exact[0][0], None))
    elif same:
        area, item = same[0]
        crumbs += [(area, None), (item.label, url_for(item.endpoint))]
    return crumbs


def panels(page: str, obj: Any) -> list[Panel]:
    result: list[Panel] = []
    for name, value in host_of(current_app).contributions("page_panels", page=page, obj=obj):
        if isinstance(value, HookError):
            result.append(Panel(f"{name}", Markup(f"<p class='error'>Plugin '{escape(name)}' could not show "
                                                   f"its panel: {escape(value.original)}</p>")))
        else:
            result.extend(value or [])
    return sorted(result, key=lambda p: p.order)


def actions(page: str, obj: Any) -> list[Action]:
    result: list[Action] = []
    for _name, value in host_of(current_app).contributions("page_actions", page=page, obj=obj):
        if not isinstance(value, HookError):
            result.extend(a for a in (value or []) if user_can(*a.roles))
    return result


EXPIRED = ("This page was open too long, so nothing was saved. Check what you typed "
           "and submit it again.")


def expired_form():
    """Answer a POST whose CSRF token expired: the same page again, with what was typed.

    The page is answered as a GET (which never saves) with the posted values stashed for
    the form (:class:`core.fields.SafeForm` picks them up), a message on top and status 400,
    so nothing of the request is kept. An action with no page of its own (a POST-only button)
    sends the user back where they were, with the message.
    """
    from .auth import safe_next
    from .fields import REDISPLAY_KEY

    rule = request.url_rule
    flash(EXPIRED, "error")
    if rule is None or "GET" not in (rule.methods or ()):
        back = safe_next(request.referrer)
        return redirect(back, code=303) if back else _error_page(400, "Form expired", EXPIRED)
    typed = MultiDict(request.form)
    typed.poplist("csrf_token")
    setattr(g, REDISPLAY_KEY, typed)
    request.method = "GET"
    try:
        rv = current_app.preprocess_request()
        if rv is None:
            rv = current_app.dispatch_request()
    except Exception as exc:  # an abort or a ValidationError of the view: its own handler answers
        rv = current_app.handle_user_exception(exc)
    response = current_app.make_response(rv)
    if response.status_code < 400:
        response.status_code = 400  # nothing was saved; the lifecycle rolls back
    return response


def _error_page(code: int, title: str, text: str):
    return render_template("core/error.html", code=code, title=title, text=text), code


def company() -> dict[str, str]:
    """Your company's name and address (core's setup options), for printed documents."""
    from .options import options_for

    values = options_for("core")
    return {"name": values.get("company_name", ""), "address": values.get("company_address", "")}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, qty=qty, date=fmt_date)
    from .activity import panel as activity_panel

    app.jinja_env.globals.update(url_with=url_with, panels=panels, actions=actions, user_can=user_can,
                                 company=company, activity_panel=activity_panel)

    @app.context_processor
    def _layout() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {"menu_sections": {}, "menu_groups": [], "breadcrumbs": []}
        sections = menu()
        groups = menu_groups(sections)
        return {"menu_sections": sections, "menu_groups": groups, "breadcrumbs": breadcrumbs(groups)}

    _error = _error_page

    @app.errorhandler(403)
    def _forbidden(_e):
        return _error(403, "Not allowed", "Your role does not allow this. Ask an administrator.")

    @app.errorhandler(404)
    def _not_found(e):
        from .activity import DocumentGone

        if isinstance(e, DocumentGone):  # the log knows who deleted it, and when
            return _error(404, "Deleted", e.description)
        return _error(404, "Not found", "There is no such page, or its module is switched off.")

    @app.errorhandler(405)
    def _method(_e):
        return _error(405, "Not allowed", "That action cannot be done this way.")

    @app.errorhandler(400)
    def _bad_request(e):
        text = e.description if isinstance(e, HTTPException) and e.description else \
            "The request could not be understood."
        return _error(400, "Not understood", text)

    @app.errorhandler(413)
    def _too_large(_e):
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        return _error(413, "Too large", f"What you sent is larger than this site accepts (files up to "
                      f"{limit // (1024 * 1024)} MB, forms up to a few hundred lines). Nothing was saved. "
                      "Split the file or the document into smaller ones and send them one by one.")

    @app.errorhandler(429)
    def _too_many(e):
        return _error(429, "Too many attempts", getattr(e, "description", "") or "Wait a minute and try again.")

    @app.errorhandler(sa.exc.DataError)
    @app.errorhandler(OverflowError)
    def _out_of_range(exc):
        # The last line behind core.parsing: a value no column can hold (a 20-digit id, NUL,
        # text longer than its column) that a page passed to the database unchecked. Nothing
        # was saved; the page that let it through is logged so it can parse with core.fields.
        db.session.rollback()
        log.warning("unparsed value reached the database at %s %s: %s", request.method, request.endpoint,
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return _error(400, "Value out of range", "A value you sent is too large, too long or not valid "
                      "for what it is stored in. Nothing was saved. Go back, correct it and try again.")

    @app.errorhandler(CSRFError)
    def _csrf(e):
        if request.method == "POST" and "expired" in (e.description or ""):
            return expired_form()
        return _error(400, "Form expired", f"The form could not be checked ({e.description}). "
                      "Go back, reload the page and try again.")

    @app.errorhandler(500)
    def _server_error(_e):
        db.session.rollback()
        return _error(500, "Something went wrong", "The error has been logged. Nothing of the request was saved.")
