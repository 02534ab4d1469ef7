"""Core tables: users, plugin state, setup options and their audit, number sequences,
and the master data every plugin uses (partners, items, warehouses, stock levels)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .db import ZERO, Money, Quantity, UnitAmount, db

ROLES = {
    "admin": "Administrator",
    "sales": "Sales",
    "purchasing": "Purchasing",
    "readonly": "Read-only",
}


def password_method() -> str:
    """Werkzeug's hashing method; ``PASSWORD_HASH_METHOD`` lets the test suite use a cheap one."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
    return "scrypt"


def new_session_token() -> str:
    return secrets.token_hex(16)


class KeptIds:
    """Mixin: the table's ids never come back after a delete (SQLite reuses a freed highest id
    unless the table is AUTOINCREMENT), so an id once shown or linked to keeps its meaning."""

    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)


def coded_label(column: str, labels: Mapping[str, str], missing: str | None = None) -> property:
    """A read-only property giving the label of a coded column's value; an unknown code reads
    as ``missing``, or as the code itself when ``missing`` is None."""

    def label(self) -> str:
        code = getattr(self, column)
        return labels.get(code, code if missing is None else missing)

    return property(label)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(KeptIds, UserMixin, db.Model):
    __tablename__ = "core_user"
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    role: Mapped[str] = mapped_column(sa.String(20), default="readonly")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of the id Flask-Login signs into the session and the remember-me cookie: a new
    # token (sign-out, password change) makes every session and cookie issued before it void.
    session_token: Mapped[str] = mapped_column(sa.String(32), default=new_session_token, server_default="")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_method())
        self.rotate_session_token()

    def rotate_session_token(self) -> None:
        """Sign this user out everywhere: sessions and remember-me cookies issued so far stop working."""
        self.session_token = new_session_token()

    def get_id(self) -> str:
        return f"{self.id}.{self.session_token or ''}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    role_label = coded_label("role", ROLES)

    def has_role(self, *roles: str) -> bool:
        return self.role == "admin" or not roles or self.role in roles


class PluginState(db.Model):
    __tablename__ = "core_plugin_state"
    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    enabled: Mapped[bool]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))


class SettingsVersion(db.Model):
    """One row; bumped whenever plugin state or options change, so caches reload."""

    __tablename__ = "core_settings_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


def bump_settings_version() -> None:
    updated = db.session.execute(
        sa.update(SettingsVersion).where(SettingsVersion.id == 1).values(version=SettingsVersion.version + 1)
    ).rowcount
    if not updated:
        db.session.add(SettingsVersion(id=1, version=1))
        db.session.flush()


class OptionValue(db.Model):
    __tablename__ = "core_option_value"
    plugin: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)  # JSON text of the typed value


class OptionAudit(KeptIds, db.Model):
    __tablename__ = "core_option_audit"
    plugin: Mapped[str] = mapped_column(sa.String(64), index=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(sa.String(20), default="page")  # page, import, cli
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User | None] = relationship()


class Sequence(db.Model):
    """A named document-number counter, advanced in the document's own transaction."""

    __tablename__ = "core_sequence"
    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    next_value: Mapped[int] = mapped_column(sa.BigInteger)
    width: Mapped[int] = mapped_column(default=0)  # zero-padded to this many digits
    prefix: Mapped[str] = mapped_column(sa.String(10), default="")
    min_value: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    max_value: Mapped[int] = mapped_column(sa.BigInteger, default=9_999_999_999)


class Partner(KeptIds, db.Model):
    """A customer, a vendor, or both (one table with flags)."""

    __tablename__ = "core_partner"
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    is_customer: Mapped[bool] = mapped_column(default=False, index=True)
    is_vendor: Mapped[bool] = mapped_column(default=False, index=True)
    bill_to_address: Mapped[str] = mapped_column(sa.Text, default="")
    ship_to_address: Mapped[str] = mapped_column(sa.Text, default="")
    ship_via: Mapped[str] = mapped_column(sa.String(40), default="")
    fob: Mapped[str] = mapped_column(sa.String(40), default="")
    credit_limit: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    terms_days: Mapped[int] = mapped_column(default=30)
    current_balance: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    oldest_unpaid_invoice_date: Mapped[date | None]
    credit_status: Mapped[int] = mapped_column(default=0)  # SYSPRO: months overdue, 0-9
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def kind(self) -> str:
        return " & ".join(k for k, f in (("Customer", self.is_customer), ("Vendor", self.is_vendor)) if f) or "-"

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


SUPPLY_METHODS = {"stock": "Stock", "buy_to_order": "Buy to order", "drop_ship": "Drop ship"}


class Item(KeptIds, db.Model):
    __tablename__ = "core_item"
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    uom: Mapped[str] = mapped_column(sa.String(10), default="EA")
    unit_cost: Mapped[Decimal] = mapped_column(UnitAmount, default=ZERO)
    list_price: Mapped[Decimal] = mapped_column(UnitAmount, default=ZERO)
    stocked: Mapped[bool] = mapped_column(default=True)
    supply_method: Mapped[str] = mapped_column(sa.String(20), default="stock")
    default_vendor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_partner.id"), index=True)
    vendor_item_code: Mapped[str] = mapped_column(sa.String(40), default="")
    min_margin_pct: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2), default=ZERO)
    active: Mapped[bool] = mapped_column(default=True)
    default_vendor: Mapped[Partner | None] = relationship()

    supply_method_label = coded_label("supply_method", SUPPLY_METHODS)

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Warehouse(KeptIds, db.Model):
    __tablename__ = "core_warehouse"
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    address: Mapped[str] = mapped_column(sa.Text, default="")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockLevel(db.Model):
    __tablename__ = "core_stock_level"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "warehouse_id", name="uq_core_stock_level_item_warehouse"),
        sa.CheckConstraint("allocated >= 0", name="allocated_not_negative"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("core_item.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("core_warehouse.id", ondelete="CASCADE"))
    on_hand: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    allocated: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    item: Mapped[Item] = relationship()
    warehouse: Mapped[Warehouse] = relationship()

    @property
    def available(self) -> Decimal:
        return (self.on_hand or ZERO) - (self.allocated or ZERO)


class Activity(db.Model):
    """One line of a document's activity log (:mod:`core.activity`): who did what, when.

    No foreign key to the document: the log outlives a deleted document, so opening it
    can say who deleted it and when.
    """

    __tablename__ = "core_activity"
    __table_args__ = (sa.Index("ix_core_activity_document", "document_type", "document_id", "id"),
                      {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    document_type: Mapped[str] = mapped_column(sa.String(40))
    document_id: Mapped[int]
    document_number: Mapped[str] = mapped_column(sa.String(40), default="")
    action: Mapped[str] = mapped_column(sa.String(40))
    details: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("core_user.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(sa.String(120), default="")  # kept when the user is deleted
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
