"""CSV import of partners and items: streamed, validated row by row, written in bulk.

The upload is read as a stream of rows (``csv`` over a text wrapper of the request
stream), never as one string, so memory stays bounded whatever the file size that
``MAX_CONTENT_LENGTH`` lets through. Each row is checked by the record's own form
(the same fields, bounds and rules as the page), so a NUL byte or an out-of-range
number is a row error. Valid rows are written in chunks with one flush each; if any
row is wrong nothing is imported (the request answers 422 and the lifecycle rolls
everything back).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from .db import db
from .errors import ValidationError
from .masterdata import (
    CREDIT_FIELDS,
    ITEM_FIELDS,
    PARTNER_FIELDS,
    ItemForm,
    PartnerForm,
    SafeForm,
    fire_saved,
    item_rule_errors,
)
from .models import Item, Partner

CHUNK = 500
MAX_ERRORS = 100
FLAGS = ("is_customer", "is_vendor", "stocked", "active")
YES = ("yes", "y", "true", "1", "x")
NO = ("no", "n", "false", "0", "")


def _squash(text: str) -> str:
    """``Buy to order``, ``BUY_TO_ORDER`` and ``buy-to-order`` all read ``buytoorder``."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def choice_columns(kind: str) -> dict[str, list[tuple[str, str]]]:
    """The columns that take one of a list of values: column -> [(value, label)]."""
    form = IMPORTS[kind].form(formdata=None, meta={"csrf": False})
    return {name: [(str(k), str(v)) for k, v in field.choices] for name, field in form._fields.items()
            if name in IMPORTS[kind].fields and field.type == "SelectField"}


def accepted_values(kind: str) -> list[tuple[str, str]]:
    """(column, what it accepts) for the import page: yes/no columns and lists of values."""
    out = [(flag, "yes or no (also y/n, true/false, 1/0; any case)") for flag in FLAGS
           if flag in IMPORTS[kind].fields]
    for name, choices in choice_columns(kind).items():
        out.append((name, ", ".join(f"{value} ({label})" for value, label in choices)
                    + "; the value or its name, in any case"))
    if kind == "items":
        out.append(("default_vendor", "the number of a vendor that exists"))
    return out


def template_csv(kind: str, columns: list[str]) -> str:
    """A CSV with the header the import expects and one example row, to fill in."""
    examples = {"number": "C1001", "name": "Example Ltd", "code": "ITEM-1", "description": "Example item",
                "uom": "EA", "unit_cost": "2.50", "list_price": "4.00", "supply_method": "stock",
                "email": "orders@example.com", "terms_days": "30", "credit_limit": "1000.00"}
    header = list(columns) + (["default_vendor"] if kind == "items" else [])
    flags = {"is_customer": "yes", "is_vendor": "no", "stocked": "yes", "active": "yes"}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow([flags.get(c, examples.get(c, "")) for c in header])
    return out.getvalue()


@dataclass(frozen=True)
class ImportKind:
    form: type[SafeForm]
    model: Any
    key_field: str
    fields: list[str]
    hook: str

    @property
    def key_column(self) -> Any:
        return getattr(self.model, self.key_field)


IMPORTS = {
    "partners": ImportKind(PartnerForm, Partner, "number", PARTNER_FIELDS, "on_partner_saved"),
    "items": ImportKind(ItemForm, Item, "code", ITEM_FIELDS, "on_item_saved"),
}


def rows_of(stream: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, dict[str, str | None]]]]:
    """Header and a lazy iterator of (first line number, row); quoted cells may span lines."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header

    def iterate() -> Iterator[tuple[int, dict[str, str | None]]]:
        last = reader.line_num
        for row in reader:
            yield last + 1, row
            last = reader.line_num

    return header, iterate()


class _Importer:
    def __init__(self, kind: str, header: list[str], admin: bool):
        self.kind, self.spec, self.header, self.admin = kind, IMPORTS[kind], header, admin
        self.errors: list[str] = []
        self.error_count = 0
        self.seen: dict[str, int] = {}
        self.vendors = {n: i for n, i in db.session.execute(
            sa.select(Partner.number, Partner.id).where(Partner.is_vendor))}
        self.pending: list[tuple[str, dict[str, Any]]] = []
        self.count = 0
        # one form, re-processed for every row: binding 16 fields per row costs more than the rest
        self.form = self.spec.form(formdata=None, meta={"csrf": False})
        if kind == "items":
            self.form.default_vendor_id.choices = [("", "")]
        self.choices = {name: {_squash(k): k for pair in pairs for k in (pair[0],)} | {
            _squash(label): value for value, label in pairs} for name, pairs in choice_columns(kind).items()}

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)

    def check_header(self) -> bool:
        spec = self.spec
        if not self.header or spec.key_field not in self.header:
            self.error(f"Line 1: the header must name the column '{spec.key_field}'")
            return False
        extra = {"default_vendor"} if self.kind == "items" else set()
        unknown = [h for h in self.header if h not in spec.fields and h not in extra]
        if unknown:
            self.error(f"Line 1: unknown column(s): {', '.join(unknown)}")
        credit = [h for h in self.header if h in CREDIT_FIELDS]
        if credit and not self.admin:
            self.error(f"Line 1: only an administrator can import credit fields: {', '.join(credit)}")
        return True

    def present(self, created: bool) -> list[str]:
        # only the columns the file has; a new record is active unless the file says otherwise
        return [f for f in self.spec.fields if f in self.header or (f == "active" and created)
                or (f == "default_vendor_id" and "default_vendor" in self.header)]

    def row(self, lineno: int, row: dict[str, Any]) -> None:
        if None in row:
            self.error(f"Line {lineno}: more values than columns in the header.")
            return
        data = MultiDict({k: (v or "").strip() for k, v in row.items() if k in self.spec.fields})
        for flag in FLAGS:
            if flag not in data:
                continue
            word = data[flag].lower()
            if word not in YES + NO:
                self.error(f"Line {lineno}: {flag}: {data[flag]!r} is not yes or no.")
                return
            if word in NO:
                data.pop(flag)
        for name, known in self.choices.items():
            if data.get(name):  # a label or a value, in any case
                data[name] = known.get(_squash(data[name]), data[name])
        if self.kind == "items" and row.get("default_vendor"):
            vid = self.vendors.get(row["default_vendor"].strip())
            if vid is None:
                self.error(f"Line {lineno}: default_vendor: no vendor numbered {row['default_vendor']!r}.")
                return
            data["default_vendor_id"] = str(vid)
        if "active" not in row:
            data["active"] = "y"
        key = data.get(self.spec.key_field, "")
        if key in self.seen:
            self.error(f"Line {lineno}: {self.spec.key_field}: {key!r} repeats line {self.seen[key]}.")
        self.seen[key] = lineno
        form = self.form
        form.process(formdata=data)
        if not form.validate():
            for field, msgs in form.errors.items():  # one error per mistake: a field's first message
                message = msgs[0] if isinstance(msgs, list) and msgs else msgs
                if field in self.choices:
                    message = f"{data.get(field)!r} is not one of " + ", ".join(sorted(set(self.choices[field].values())))
                self.error(f"Line {lineno}: {field}: {message}")
            return
        values = {}
        for name, field in form._fields.items():
            value = field.data
            if value is None and field.default is not None and name != "oldest_unpaid_invoice_date":
                value = field.default
            values[name] = value.strip() if isinstance(value, str) and name == self.spec.key_field else value
        self.pending.append((key, values))
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write the pending rows, then fire the saved hooks; nothing once an error is known.

        New records go in with one bulk ``INSERT … RETURNING`` per chunk (the unit of work
        costs several times more for thousands of rows); changed ones through the session.
        """
        pending, self.pending = self.pending, []
        if self.error_count or not pending:
            return
        spec = self.spec
        existing = {getattr(o, spec.key_field): o for o in db.session.scalars(
            sa.select(spec.model).where(spec.key_column.in_([k for k, _ in pending])))}
        updated, inserts = [], []
        for key, values in pending:
            obj = existing.get(key)
            row = {name: values[name] for name in self.present(obj is None)}
            if not self.rules_hold(key, obj, row):
                continue
            if obj is None:
                inserts.append((row, values))
                continue
            for name, value in row.items():
                setattr(obj, name, value)
            updated.append((obj, False, values))
        if self.error_count:
            return
        db.session.flush()
        created = []
        if inserts:
            # rows come back in any order (asking for the order costs a statement per row on
            # PostgreSQL): pair them up by their unique key
            # 50 rows a statement: psycopg's cost of preparing one statement grows faster than its length
            insert = sa.insert(spec.model).returning(spec.model).execution_options(insertmanyvalues_page_size=50)
            objs = db.session.scalars(insert, [r for r, _ in inserts]).all()
            by_key = {getattr(obj, spec.key_field): obj for obj in objs}
            created = [(by_key[row[spec.key_field]], True, values) for row, values in inserts]
        written = updated + created
        for obj, is_new, values in written:
            fire_saved(obj, spec.hook, is_new, values)
        db.session.flush()
        for obj, _new, _values in written:
            db.session.expunge(obj)  # keep the identity map (and memory) bounded
        self.count += len(written)

    def rules_hold(self, key: str, obj: Any, row: dict[str, Any]) -> bool:
        if self.kind != "items":
            return True
        merged = {n: row.get(n, getattr(obj, n, None)) for n in ("supply_method", "stocked", "default_vendor_id")}
        # a new item without the column gets the column's default (stocked)
        stocked = True if obj is None and "stocked" not in row else bool(merged["stocked"])
        problems = item_rule_errors(merged["supply_method"] or "stock", stocked, merged["default_vendor_id"])
        for field, message in problems:
            self.error(f"{self.spec.key_field} {key}: {field}: {message}")
        return not problems


def import_csv(kind: str, stream: IO[bytes], *, admin: bool) -> tuple[int, list[str]]:
    """Validate every row with the record's own form; import all rows or none.

    Returns (rows imported, errors as "line N: field: message"). Writes through the
    session; the caller's request lifecycle commits or rolls back. A plugin hook that
    refuses a record raises :class:`~core.errors.ValidationError` (``HookError``).
    """
    importer = None
    try:
        header, rows = rows_of(stream)
        importer = _Importer(kind, header, admin)
        if not importer.check_header():
            return 0, importer.errors
        lines = 0
        for lineno, row in rows:
            lines += 1
            importer.row(lineno, row)
        importer.flush()
    except csv.Error as exc:
        return 0, [f"The file is not valid CSV: {exc}"]
    except UnicodeDecodeError:
        return 0, ["The file is not UTF-8 text (save it as CSV UTF-8)."]
    if not lines:
        importer.error("The file has no data rows.")
    if importer.error_count:
        more = importer.error_count - len(importer.errors)
        return 0, importer.errors + ([f"… and {more} more."] if more > 0 else [])
    return importer.count, []


__all__ = ["IMPORTS", "ValidationError", "accepted_values", "import_csv", "template_csv"]
