"""Shared web plumbing: error pages, template helpers, navigation and pagination."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape

from .auth import user_can
from .db import db
from .plugins import Action, HookError, MenuItem, Panel, host_of

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
    per_page = per_page or current_app.config["PAGE_SIZE"]
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items, page, per_page, total)


def url_with(**changes: Any) -> str:
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            args.pop(k, None)
    from urllib.parse import urlencode

    return request.path + ("?" + urlencode(args) if args else "")


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
    items: list[MenuItem] = []
    for _name, result in host_of(current_app).contributions("menu_items"):
        if not isinstance(result, HookError):
            items.extend(result or [])
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


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, qty=qty, date=fmt_date)
    app.jinja_env.globals.update(url_with=url_with, panels=panels, actions=actions, user_can=user_can)

    @app.context_processor
    def _layout() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {"menu_sections": {}}
        return {"menu_sections": menu()}

    def _error(code: int, title: str, text: str):
        return render_template("core/error.html", code=code, title=title, text=text), code

    @app.errorhandler(403)
    def _forbidden(_e):
        return _error(403, "Not allowed", "Your role does not allow this. Ask an administrator.")

    @app.errorhandler(404)
    def _not_found(_e):
        return _error(404, "Not found", "There is no such page, or its module is switched off.")

    @app.errorhandler(405)
    def _method(_e):
        return _error(405, "Not allowed", "That action cannot be done this way.")

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return _error(400, "Form expired", f"The form could not be checked ({e.description}). "
                      "Go back, reload the page and try again.")

    @app.errorhandler(500)
    def _server_error(_e):
        db.session.rollback()
        return _error(500, "Something went wrong", "The error has been logged. Nothing of the request was saved.")
