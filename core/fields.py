"""WTForms fields that parse with :mod:`core.parsing`: one choke point for form input.

Each field refuses what its column cannot hold with a message beside the field, before
anything reaches the database: NUL bytes, numbers written with non-ASCII digits (``²``),
``Infinity``/``1e308``/20-digit numbers, more decimals than the column keeps, and ids that
are out of 64-bit range or name no record.

How a plugin adopts them (replace the stock WTForms fields one for one)::

    from wtforms import Form, FieldList, FormField
    from core.db import Money, Quantity
    from core.fields import (BoundedDecimalField, BoundedIntegerField, IdField, IdSelectField, MaxLines,
                             SafeForm, TextAreaField, TextField)

    class LineForm(Form):                           # a line: plain Form (no CSRF of its own)
        id = IdField(model=SalesOrderLine)          # existing line, or empty for a new one
        item_code = TextField("Item", validators=[DataRequired(), Length(max=30)])
        qty = BoundedDecimalField("Quantity", column_type=Quantity, low=Decimal("0"))
        price = BoundedDecimalField("Price", column_type=Money)
        vendor_id = IdSelectField("Vendor", model=Partner, where=Partner.is_vendor, blank=True)

    class OrderForm(SafeForm):                      # FlaskForm that re-shows typed values on expiry
        warehouse_id = IdSelectField("Warehouse", model=Warehouse)      # choices set in the view
        days = BoundedIntegerField("Days", low=0, high=999)
        notes = TextAreaField("Notes")
        lines = FieldList(FormField(LineForm), validators=[MaxLines(500, "sales order")])

List filters use :mod:`core.parsing` directly: ``parse_id(request.args.get("vendor"))``
is ``None`` for anything that cannot be an id (``²``, 20 digits), never an exception.

``field.data`` is then a ``Decimal``/``int``/``str`` the column can store, or ``None`` for
an empty optional field; an ``IdSelectField`` answers the id of a record that exists
(and matches ``where``) when the form validates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import fields as wtf
from wtforms.validators import ValidationError

from .db import db
from .parsing import ID_MAX, INT32_MAX, ParseError, has_nul, parse_decimal, parse_id, parse_int

NUL_MESSAGE = "Remove the invisible control character (NUL) from this text."


def _first(valuelist: list[Any] | None) -> Any:
    return valuelist[0] if valuelist else None


class _NulFree:
    """Mixin for text fields: a NUL byte is a field error, never a database error."""

    def process_formdata(self, valuelist):
        value = _first(valuelist)
        if isinstance(value, str) and has_nul(value):
            self.data = value.replace("\x00", "")  # re-shown without the invisible character
            raise ValueError(NUL_MESSAGE)
        super().process_formdata(valuelist)  # type: ignore[misc]


class TextField(_NulFree, wtf.StringField):
    """A one-line text field that refuses NUL bytes."""


class TextAreaField(_NulFree, wtf.TextAreaField):
    """A multi-line text field that refuses NUL bytes."""


class PasswordField(_NulFree, wtf.PasswordField):
    """A password field that refuses NUL bytes."""


class _Parsed:
    """Empty input gives ``None``; anything else goes through ``parse`` (the one choke point of
    ``core.parsing``), whose :class:`ParseError` becomes the field's message."""

    def parse(self, raw: Any) -> Any:
        raise NotImplementedError

    def process_formdata(self, valuelist):
        if not valuelist:
            return  # not posted: keep the object's value (an edit that leaves the field out)
        raw = _first(valuelist)
        self.data = None
        if raw is None or str(raw).strip() == "":
            return
        try:
            self.data = self.parse(raw)
        except ParseError as exc:
            raise ValueError(str(exc)) from None


class BoundedDecimalField(_Parsed, wtf.DecimalField):
    """A decimal that fits ``column_type`` (``Money``, ``Quantity``, ``UnitAmount``...).

    Empty input gives ``None`` (add ``DataRequired``/``InputRequired`` to require it);
    ``low`` is an optional lower bound (``Decimal("0")`` for quantities and prices).
    """

    def __init__(self, label=None, validators=None, *, column_type: sa.Numeric, low: Decimal | None = None,
                 high: Decimal | None = None, **kwargs):
        kwargs.setdefault("places", column_type.scale)
        super().__init__(label, validators, **kwargs)
        self.column_type, self.low, self.high = column_type, low, high

    def parse(self, raw: Any) -> Decimal:
        value = parse_decimal(raw, self.column_type, low=self.low)
        if self.high is not None and value > self.high:
            raise ParseError(f"Enter a number of at most {self.high}.")
        return value


class BoundedIntegerField(_Parsed, wtf.IntegerField):
    """A whole number in ASCII digits between ``low`` and ``high`` (an INTEGER column's range by default)."""

    def __init__(self, label=None, validators=None, *, low: int | None = -INT32_MAX, high: int | None = INT32_MAX,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.low, self.high = low, high

    def parse(self, raw: Any) -> int:
        return parse_int(raw, low=self.low, high=self.high)


def record_exists(model: Any, record_id: int, where: Any = None) -> bool:
    stmt = sa.select(sa.func.count()).select_from(model).where(model.id == record_id)
    if where is not None:
        stmt = stmt.where(where)
    return bool(db.session.scalar(stmt))


class IdField(_Parsed, wtf.IntegerField):
    """The id of an existing ``model`` row (optionally matching ``where``); empty gives ``None``."""

    def __init__(self, label=None, validators=None, *, model: Any, where: Any = None,
                 message: str = "Choose an existing record.", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.model, self.where, self.message = model, where, message

    def parse(self, raw: Any) -> int:
        record_id = parse_id(raw)
        if record_id is None:
            raise ParseError(self.message)
        return record_id

    def pre_validate(self, form):
        if self.data is not None and not record_exists(self.model, self.data, self.where):
            raise ValidationError(self.message)


def _coerce_id(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip()
    if text in ("", "None"):
        return None
    record_id = parse_id(text)
    if record_id is None:
        raise ValueError("Choose one of the listed records.")
    return record_id


class IdSelectField(wtf.SelectField):
    """A drop-down of record ids; a posted id that is not a listed, existing record is a field error.

    ``blank=True`` adds an empty first choice that gives ``None``. Set ``choices`` in the view
    (``[(id, label), ...]``); the check against the database covers choices that went stale.
    """

    def __init__(self, label=None, validators=None, *, model: Any, where: Any = None, blank: bool = False,
                 message: str = "Choose one of the listed records.", **kwargs):
        kwargs.setdefault("coerce", _coerce_id)
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, validators, **kwargs)
        self.model, self.where, self.blank, self.message = model, where, blank, message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None

    def pre_validate(self, form):
        if self.data is None:
            if not self.blank:
                raise ValidationError(self.message)
            return
        if not (0 < self.data <= ID_MAX) or not record_exists(self.model, self.data, self.where):
            raise ValidationError(self.message)


MAX_LINES = 500


class MaxLines:
    """Validator for a ``FieldList`` of document lines: at most ``limit`` lines, said plainly.

    (WTForms' own ``max_entries`` drops the extra lines silently.) Bodies larger than
    Flask's ``MAX_FORM_MEMORY_SIZE`` (500 KB, some 3,000 lines) are refused before any
    view runs, with the host's 413 page.
    """

    def __init__(self, limit: int = MAX_LINES, noun: str = "document"):
        self.limit, self.noun = limit, noun

    def __call__(self, form, field) -> None:
        if len(field.entries) > self.limit:
            raise ValidationError(f"A {self.noun} can have at most {self.limit} lines; split it into several.")


REDISPLAY_KEY = "_ob_redisplay"


def redisplay_data() -> MultiDict | None:
    """What the user typed into a form whose CSRF token had expired (see :mod:`core.web`), else ``None``."""
    return g.get(REDISPLAY_KEY) if has_request_context() else None


class SafeForm(FlaskForm):
    """Base for OrderBridge forms: re-shows what was typed when the form's token had expired.

    When a POST arrives with an expired CSRF token, the host answers the page again as a
    GET (so nothing is saved) with the posted values stashed; a ``SafeForm`` built without
    explicit ``formdata`` takes them, so the user sees what they typed and a message, and
    submits again with a fresh token.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                stashed = redisplay_data()
                if stashed is not None:
                    return stashed
            return super().wrap_formdata(form, formdata)


class IdHiddenField(wtf.HiddenField):
    """A record id carried by the page or posted by a script. Empty gives ``None``; text that
    cannot be an id gives ``not_an_id``: ``None`` (ignored) or ``0``, which names no record, so
    the service refuses it beside the field."""

    def __init__(self, *args, not_an_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.not_an_id = not_an_id

    def process_formdata(self, valuelist):
        if valuelist:  # not posted: keep the object's value (as a select does)
            text = str(valuelist[0] or "").strip()
            record_id = parse_id(text) if text else None
            self.data = self.not_an_id if text and record_id is None else record_id

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class PartnerNumberField(wtf.StringField):
    """A partner typed by number (any case), with suggestions from :mod:`core.lookup` as it is
    typed: never a select of every partner. ``data`` is the partner's id; an id posted by a
    script (or older pages) is taken when no partner has that number. ``kind``: vendors or
    customers; a number that names no such partner is a field error (``message``)."""

    def __init__(self, label=None, validators=None, *, kind: str, message: str, **kwargs):
        suggestions = f"{kind}-numbers"
        kwargs["render_kw"] = {"list": suggestions, "autocomplete": "off", "data-suggest": kind,
                               **kwargs.get("render_kw", {})}
        super().__init__(label, validators, **kwargs)
        self.kind, self.message = kind, message

    def process_formdata(self, valuelist):
        from .lookup import clean_query, typed_partner

        text = clean_query(_first(valuelist)) if valuelist else ""
        if not text:
            self.data = None
            return
        partner = typed_partner(text, self.kind)
        self.data = partner.id if partner is not None else None
        if partner is None:
            raise ValueError(self.message)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        from .models import Partner

        partner = db.session.get(Partner, self.data)
        return partner.number if partner is not None else ""

    def __call__(self, **kwargs) -> Markup:
        from flask import url_for

        datalist = Markup('<datalist id="{}" data-url="{}"></datalist>').format(
            self.render_kw["list"], url_for("lookup.lookup", kind=self.kind))
        return super().__call__(**kwargs) + datalist
