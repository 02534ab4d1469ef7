"""Purchase orders from sales orders.

First part -- the generation rules as plain functions over plain dataclasses (no
database, no Flask): sales order lines and the Generate-tab options go in, purchase
order drafts come out. The on-save path, the batch path (page and ``orderbridge
purchasing generate``) and the preview all call :func:`plan_generation` and
:func:`assign_numbers`.

Second part -- loading those inputs with a fixed number of bulk selects and writing
the drafts with bulk inserts (the statement count does not grow with the lines), the
change propagation, reset and the missing-PO check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from core.db import db
from core.models import Item, Partner, Sequence, Warehouse, utcnow
from core.numbering import format_number
from core.options import options_for
from plugins.purchase_order import services as po_services
from plugins.purchase_order.models import PurchaseOrder, PurchaseOrderLine
from plugins.sales_order.models import OPEN_STATUSES as SO_OPEN
from plugins.sales_order.models import SalesOrder, SalesOrderLine

from .models import PoGenEvent, PoGenLink
from .numbering import po_number_candidates

ZERO = Decimal("0")

HEADER_DATE_CHOICES = (("so_ship_date", "SO Ship Date"), ("so_order_date", "SO Order Date"),
                       ("po_date", "P/O Date"), ("system_date", "System Date"), ("prompt", "Prompt"))
LINE_DATE_CHOICES = (("so_promise_date", "SO Promise Date"), ("po_date", "P/O Date"),
                     ("system_date", "System Date"), ("prompt", "Prompt"))
SORT_CHOICES = (("so_line", "Sales Order Line Order"), ("item", "Item Code"), ("required_date", "Required Date"))
SCOPE_CHOICES = (("drop_ship", "Drop Ship Only"), ("all", "All Purchase Orders"))
YES_NO_DS_CHOICES = (("yes", "Yes"), ("no", "No"), ("drop_ship", "Drop Ship Only"))


class PromptNeeded(Exception):
    """A required-date option says *Prompt* and no date was given."""

    def __init__(self, which: tuple[str, ...]):
        self.which = which
        super().__init__("a required date must be given for: " + ", ".join(which))


@dataclass(frozen=True)
class GenOptions:
    combine_by_vendor: bool = False
    use_so_number: bool = True
    increment_at: str = "beginning"
    header_date: str = "so_ship_date"
    line_date: str = "so_promise_date"
    sort_lines: str = "so_line"
    ship_to: str = "drop_ship"
    ship_via: str = "drop_ship"
    fob: str = "drop_ship"
    confirm_to: str = "drop_ship"
    email: str = "drop_ship"

    @classmethod
    def from_options(cls, opts) -> GenOptions:
        """From the plugin's typed options (unavailable options already read as defaults)."""
        return cls(**{f: opts[f] for f in cls.__dataclass_fields__})


@dataclass
class OrderIn:
    id: int
    number: str
    customer_id: int | None
    customer_number: str = ""
    order_date: date | None = None
    ship_date: date | None = None
    ship_to_address: str = ""
    ship_via: str = ""
    fob: str = ""
    confirm_to: str = ""
    email: str = ""
    warehouse_id: int | None = None


@dataclass
class LineIn:
    id: int
    order_id: int
    line_no: int
    item_id: int
    item_code: str
    supply_method: str  # stock | buy_to_order | drop_ship
    qty_ordered: Decimal
    drop_ship: bool = False
    vendor_id: int | None = None  # the line's vendor
    default_vendor_id: int | None = None  # the item's default vendor
    description: str = ""
    qty_shipped: Decimal = ZERO
    qty_allocated: Decimal = ZERO  # stock reserved for the line
    on_order: Decimal = ZERO  # quantity on linked PO lines
    promise_date: date | None = None
    unit_cost: Decimal = ZERO
    vendor_item_code: str = ""
    warehouse_id: int | None = None

    @property
    def is_drop_ship(self) -> bool:
        return bool(self.drop_ship) or self.supply_method == "drop_ship"

    @property
    def resolved_vendor_id(self) -> int | None:
        return self.vendor_id or self.default_vendor_id

    def quantity_needed(self) -> Decimal:
        """What the line needs from purchasing, before what is already on order."""
        if self.is_drop_ship or self.supply_method == "buy_to_order":
            return self.qty_ordered or ZERO
        # a stocked line: only what stock does not cover
        return max(ZERO, (self.qty_ordered or ZERO) - (self.qty_shipped or ZERO) - (self.qty_allocated or ZERO))

    def quantity_to_order(self) -> Decimal:
        return max(ZERO, self.quantity_needed() - (self.on_order or ZERO))


@dataclass
class OpenLink:
    """An SO line already linked to a line of an unsent PO (increases go there)."""

    link_id: int
    so_line_id: int
    po_line_id: int
    po_id: int
    po_number: str
    link_qty: Decimal
    po_line_qty: Decimal


@dataclass
class OpenPO:
    """An open, unsent standard PO a combined generation may add lines to."""

    id: int
    number: str
    vendor_id: int
    warehouse_id: int | None
    last_line_no: int = 0


@dataclass
class DraftLine:
    so_line_id: int
    order_id: int
    so_number: str
    so_line_no: int
    item_id: int
    item_code: str
    description: str
    qty: Decimal
    unit_cost: Decimal
    required_date: date | None
    vendor_item_code: str = ""
    line_no: int = 0

    @property
    def origin_label(self) -> str:
        return f"SO {self.so_number} line {self.so_line_no}"


@dataclass
class PODraft:
    vendor_id: int
    vendor_number: str
    order_type: str  # "S" or "D"
    order_ids: list[int]
    so_numbers: list[str]
    customer_id: int | None = None
    customer_number: str = ""
    warehouse_id: int | None = None
    ship_to_address: str = ""
    ship_via: str = ""
    fob: str = ""
    confirm_to: str = ""
    email: str = ""
    required_date: date | None = None
    order_date: date | None = None
    lines: list[DraftLine] = field(default_factory=list)
    number: str | None = None
    number_source: str = ""  # "sales order" | "automatic" | "existing"
    existing_po_id: int | None = None
    existing_last_line_no: int = 0

    @property
    def total(self) -> Decimal:
        return sum((ln.qty * ln.unit_cost for ln in self.lines), ZERO).quantize(Decimal("0.01"))


@dataclass
class Increase:
    """Order more on an existing unsent PO line instead of a new PO."""

    link: OpenLink
    qty: Decimal
    so_number: str
    so_line_no: int
    item_code: str


@dataclass
class Problem:
    order_id: int
    so_number: str
    line_no: int
    item_code: str
    message: str


@dataclass
class Plan:
    drafts: list[PODraft] = field(default_factory=list)
    increases: list[Increase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def line_count(self) -> int:
        return sum(len(d.lines) for d in self.drafts) + len(self.increases)

    @property
    def is_empty(self) -> bool:
        return not self.drafts and not self.increases


def needs_prompt(opts: GenOptions) -> tuple[str, ...]:
    out = []
    if opts.header_date == "prompt":
        out.append("header")
    if opts.line_date == "prompt":
        out.append("lines")
    return tuple(out)


def header_required_date(order: OrderIn, opts: GenOptions, *, today: date, po_date: date,
                         prompt_date: date | None) -> date | None:
    basis = opts.header_date
    if basis == "so_ship_date":
        return order.ship_date or order.order_date
    if basis == "so_order_date":
        return order.order_date
    if basis == "po_date":
        return po_date
    if basis == "system_date":
        return today
    if prompt_date is None:
        raise PromptNeeded(("header",))
    return prompt_date


def line_required_date(line: LineIn, order: OrderIn, opts: GenOptions, *, today: date, po_date: date,
                       prompt_date: date | None) -> date | None:
    basis = opts.line_date
    if basis == "so_promise_date":
        return line.promise_date or order.ship_date or order.order_date
    if basis == "po_date":
        return po_date
    if basis == "system_date":
        return today
    if prompt_date is None:
        raise PromptNeeded(("lines",))
    return prompt_date


def _copies(setting: str, is_drop: bool) -> bool:
    """Ship-to / ship via / FOB: 'drop_ship' (drop-ship POs only) or 'all'."""
    return is_drop or setting == "all"


def _copies_yes_no(setting: str, is_drop: bool, combining: bool) -> bool:
    """Confirm to / e-mail: yes (not when combining) / no / drop ship only."""
    if setting == "no":
        return False
    if setting == "yes" and not combining:
        return True
    return is_drop


def plan_generation(orders: Iterable[OrderIn], lines: Iterable[LineIn], opts: GenOptions, *,
                    vendor_numbers: dict[int, str], today: date, po_date: date | None = None,
                    prompt_date: date | None = None, open_links: dict[int, OpenLink] | None = None,
                    open_pos: dict[tuple[int, int | None], OpenPO] | None = None,
                    warehouse_addresses: dict[int, str] | None = None) -> Plan:
    """Decide which POs and lines to create. Pure: nothing is read or written.

    * Lines needing purchase: buy-to-order or drop-ship items and lines flagged drop ship;
      a stocked line only for what its stock allocation does not cover.
    * Never more than the line needs given what is already on order (``LineIn.on_order``).
    * An increase on a line already linked to an unsent PO line goes to that PO line.
    * Drop-ship lines: type D POs, one per sales order, vendor, customer and ship-to.
      Other lines: type S POs, one per sales order and vendor (and warehouse), or, with
      *Combine Sales Orders by Vendor*, one per vendor (and warehouse) over all orders,
      added to an open unsent PO of that vendor when there is one (``open_pos``).
    * A line without a vendor is reported by item and left out.
    """
    po_date = po_date or today
    open_links = open_links or {}
    open_pos = open_pos or {}
    warehouse_addresses = warehouse_addresses or {}
    combining = opts.combine_by_vendor
    order_map = {o.id: o for o in orders}
    plan = Plan()
    groups: dict[tuple, PODraft] = {}
    missing_prompt: set[str] = set()

    def vendor_sort(vid: int) -> str:
        return vendor_numbers.get(vid, "")

    ordered_lines = sorted(lines, key=lambda ln: (order_map[ln.order_id].number, ln.line_no))
    for line in ordered_lines:
        order = order_map[line.order_id]
        qty = line.quantity_to_order()
        if qty <= 0:
            continue
        vendor_id = line.resolved_vendor_id
        if vendor_id is None:
            plan.problems.append(Problem(order.id, order.number, line.line_no, line.item_code,
                                         f"Item {line.item_code} has no vendor (line {line.line_no} of SO "
                                         f"{order.number}): no purchase order was generated for it"))
            continue
        link = open_links.get(line.id)
        if link is not None:
            plan.increases.append(Increase(link, qty, order.number, line.line_no, line.item_code))
            continue
        try:
            req = line_required_date(line, order, opts, today=today, po_date=po_date, prompt_date=prompt_date)
        except PromptNeeded:
            missing_prompt.add("lines")
            req = None
        is_drop = line.is_drop_ship
        warehouse_id = line.warehouse_id or order.warehouse_id
        if is_drop:
            key: tuple = ("D", order.id, vendor_id, order.customer_id, (order.ship_to_address or "").strip())
        elif combining:
            key = ("S", None, vendor_id, warehouse_id)
        else:
            key = ("S", order.id, vendor_id, warehouse_id)
        draft = groups.get(key)
        if draft is None:
            draft = PODraft(vendor_id=vendor_id, vendor_number=vendor_sort(vendor_id), order_type="D" if is_drop else "S",
                            order_ids=[], so_numbers=[], warehouse_id=warehouse_id, order_date=po_date)
            if is_drop:
                draft.customer_id, draft.customer_number = order.customer_id, order.customer_number
            copy_header = not combining or is_drop  # a combined PO serves several orders
            if copy_header:
                default_ship_to = warehouse_addresses.get(warehouse_id or 0, "")
                draft.ship_to_address = order.ship_to_address if _copies(opts.ship_to, is_drop) else default_ship_to
                draft.ship_via = order.ship_via if _copies(opts.ship_via, is_drop) else ""
                draft.fob = order.fob if _copies(opts.fob, is_drop) else ""
                draft.confirm_to = order.confirm_to if _copies_yes_no(opts.confirm_to, is_drop, combining) else ""
                draft.email = order.email if _copies_yes_no(opts.email, is_drop, combining) else ""
            else:
                draft.ship_to_address = warehouse_addresses.get(warehouse_id or 0, "")
                if _copies_yes_no(opts.confirm_to, False, True):
                    draft.confirm_to = order.confirm_to
                if _copies_yes_no(opts.email, False, True):
                    draft.email = order.email
                existing = open_pos.get((vendor_id, warehouse_id))
                if existing is not None:
                    draft.existing_po_id, draft.number = existing.id, existing.number
                    draft.number_source, draft.existing_last_line_no = "existing", existing.last_line_no
            groups[key] = draft
        if order.id not in draft.order_ids:
            draft.order_ids.append(order.id)
            draft.so_numbers.append(order.number)
            try:
                hdr = header_required_date(order, opts, today=today, po_date=po_date, prompt_date=prompt_date)
            except PromptNeeded:
                missing_prompt.add("header")
                hdr = None
            if hdr is not None and (draft.required_date is None or hdr < draft.required_date):
                draft.required_date = hdr  # a combined PO is required by its earliest order
        draft.lines.append(DraftLine(
            so_line_id=line.id, order_id=order.id, so_number=order.number, so_line_no=line.line_no,
            item_id=line.item_id, item_code=line.item_code, description=line.description, qty=qty,
            unit_cost=line.unit_cost or ZERO, required_date=req, vendor_item_code=line.vendor_item_code or "",
        ))
    if missing_prompt:
        raise PromptNeeded(tuple(sorted(missing_prompt)))

    drafts = list(groups.values())
    for draft in drafts:
        sort_lines(draft, opts)
    # drop-ship POs first, then standard POs by vendor number (the numbering order)
    drafts.sort(key=lambda d: (d.so_numbers[0], d.order_type != "D", d.vendor_number, d.customer_number))
    plan.drafts = drafts
    return plan


def sort_lines(draft: PODraft, opts: GenOptions) -> None:
    """*Sort Purchase Order Lines By* (only when not combining), then number them."""
    how = "so_line" if opts.combine_by_vendor else opts.sort_lines
    if how == "item":
        draft.lines.sort(key=lambda ln: (ln.item_code, ln.so_number, ln.so_line_no))
    elif how == "required_date":
        draft.lines.sort(key=lambda ln: (ln.required_date or date.max, ln.so_number, ln.so_line_no))
    else:
        draft.lines.sort(key=lambda ln: (ln.so_number, ln.so_line_no))
    for i, ln in enumerate(draft.lines, start=draft.existing_last_line_no + 1):
        ln.line_no = i


def assign_numbers(plan: Plan, opts: GenOptions, *, in_use: Callable[[set[str]], set[str]],
                   draw_automatic: Callable[[int, set[str]], list[str]]) -> None:
    """Give every new draft its number.

    With *Use Sales Order Number as Purchase Order Number* (not when combining) each
    order's POs take, in order (drop ship first, then standard by vendor number), the
    first candidate of :func:`po_number_candidates` not used by any PO nor earlier in this
    run; when they run out, the next automatic number. ``in_use`` answers which of a set
    of numbers are taken (called a bounded number of times, not per line or per PO);
    ``draw_automatic(n, avoid)`` returns ``n`` fresh automatic numbers not in ``avoid``.
    """
    new = [d for d in plan.drafts if d.existing_po_id is None]
    auto: list[PODraft] = []
    used: set[str] = set()
    if opts.use_so_number and not opts.combine_by_vendor:
        by_order: dict[str, list[PODraft]] = {}
        for d in new:
            by_order.setdefault(d.so_numbers[0], []).append(d)
        candidates = {so: list(po_number_candidates(so, opts.increment_at)) for so in by_order}
        # first round: as many candidates as POs plus a margin; second round: all of them
        window = {so: min(len(candidates[so]), len(ds) + 2) for so, ds in by_order.items()}
        checked: set[str] = set()
        taken: set[str] = set()
        for final in (False, True):
            ask = {c for so in by_order for c in candidates[so][: (len(candidates[so]) if final else window[so])]}
            ask -= checked
            if ask:
                taken |= in_use(ask)
                checked |= ask
            used: set[str] = set()
            short = False
            result: dict[int, str | None] = {}
            for so in sorted(by_order):
                pool = [c for c in candidates[so] if c in checked]
                free = iter(c for c in pool if c not in taken and c not in used)
                for d in by_order[so]:
                    number = next(free, None)
                    if number is None and len(pool) < len(candidates[so]):
                        short = True
                    if number is not None:
                        used.add(number)
                    result[id(d)] = number
            if not short:
                break
        for d in new:
            number = result[id(d)]
            if number is None:
                auto.append(d)
            else:
                d.number, d.number_source = number, "sales order"
    else:
        auto = new
    if auto:
        numbers = draw_automatic(len(auto), used)
        for d, number in zip(auto, numbers, strict=True):
            d.number, d.number_source = number, "automatic"


# =====================================================================================
# Database side: bulk loads, bulk writes, change propagation, reset, missing-PO check.
# =====================================================================================


PLUGIN = "po_generation"
CHUNK = 5000
GENERATABLE = tuple(s for s in SO_OPEN if s != "S")  # not while on credit hold (suspense)


class GenerationError(ValueError):
    pass


def gen_options() -> GenOptions:
    return GenOptions.from_options(options_for(PLUGIN))


def opts():
    return options_for(PLUGIN)


def _chunks(values, size: int = CHUNK):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


@dataclass
class Selection:
    """Which open sales orders a batch generation takes."""

    order_ids: list[int] | None = None
    date_from: date | None = None
    date_to: date | None = None
    customer_id: int | None = None
    vendor_id: int | None = None
    include_held: bool = False

    def order_select(self) -> sa.Select:
        stmt = sa.select(SalesOrder.id).where(SalesOrder.order_type == "O")
        if self.order_ids is not None:
            stmt = stmt.where(SalesOrder.id.in_(self.order_ids))
        if not self.include_held:
            stmt = stmt.where(SalesOrder.status.in_(GENERATABLE))
        if self.date_from:
            stmt = stmt.where(SalesOrder.order_date >= self.date_from)
        if self.date_to:
            stmt = stmt.where(SalesOrder.order_date <= self.date_to)
        if self.customer_id:
            stmt = stmt.where(SalesOrder.customer_id == self.customer_id)
        return stmt


@dataclass
class Inputs:
    orders: list[OrderIn]
    lines: list[LineIn]
    vendor_numbers: dict[int, str]
    open_links: dict[int, OpenLink]
    warehouse_addresses: dict[int, str]
    open_pos: dict[tuple[int, int | None], OpenPO]


def load_inputs(selection: Selection, *, combine: bool = False, only_line_ids: set[int] | None = None,
                exclude_line_ids: set[int] | None = None) -> Inputs:
    """Everything the rules need, in a fixed number of queries however many lines."""
    order_ids = selection.order_select().scalar_subquery()
    cust = sa.orm.aliased(Partner)
    orders = [
        OrderIn(id=r.id, number=r.number, customer_id=r.customer_id, customer_number=r.cnum or "",
                order_date=r.order_date, ship_date=r.requested_ship_date, ship_to_address=r.ship_to_address or "",
                ship_via=r.ship_via or "", fob=r.fob or "", confirm_to=r.confirm_to or "", email=r.email or "",
                warehouse_id=r.warehouse_id)
        for r in db.session.execute(
            sa.select(SalesOrder.id, SalesOrder.number, SalesOrder.customer_id, cust.number.label("cnum"),
                      SalesOrder.order_date, SalesOrder.requested_ship_date, SalesOrder.ship_to_address,
                      SalesOrder.ship_via, SalesOrder.fob, SalesOrder.confirm_to, SalesOrder.email,
                      SalesOrder.warehouse_id)
            .join(cust, cust.id == SalesOrder.customer_id).where(SalesOrder.id.in_(order_ids)))
    ]
    on_order: dict[int, Decimal] = dict(db.session.execute(
        sa.select(PoGenLink.so_line_id, sa.func.sum(PoGenLink.qty))
        .join(PurchaseOrder, PurchaseOrder.id == PoGenLink.po_id)
        .where(PoGenLink.so_id.in_(order_ids), PurchaseOrder.status != "cancelled")
        .group_by(PoGenLink.so_line_id)).all())
    L = SalesOrderLine
    lines = []
    for r in db.session.execute(
        sa.select(L.id, L.order_id, L.line_no, L.item_id, L.description, L.qty_ordered, L.qty_shipped,
                  L.qty_allocated, L.promise_date, L.warehouse_id, L.drop_ship, L.vendor_id, L.unit_cost,
                  Item.code, Item.supply_method, Item.default_vendor_id, Item.vendor_item_code,
                  Item.description.label("idesc"), Item.unit_cost.label("icost"))
        .join(Item, Item.id == L.item_id).where(L.order_id.in_(order_ids))
    ):
        if (only_line_ids is not None and r.id not in only_line_ids) or (exclude_line_ids and r.id in exclude_line_ids):
            continue
        ln = LineIn(id=r.id, order_id=r.order_id, line_no=r.line_no, item_id=r.item_id, item_code=r.code,
                    supply_method=r.supply_method, qty_ordered=Decimal(r.qty_ordered or 0), drop_ship=bool(r.drop_ship),
                    vendor_id=r.vendor_id, default_vendor_id=r.default_vendor_id,
                    description=r.description or r.idesc or "", qty_shipped=Decimal(r.qty_shipped or 0),
                    qty_allocated=Decimal(r.qty_allocated or 0), on_order=Decimal(on_order.get(r.id) or 0),
                    promise_date=r.promise_date, unit_cost=Decimal(r.unit_cost or r.icost or 0),
                    vendor_item_code=r.vendor_item_code or "", warehouse_id=r.warehouse_id)
        if selection.vendor_id and ln.resolved_vendor_id != selection.vendor_id:
            continue
        lines.append(ln)
    vendor_ids = {ln.resolved_vendor_id for ln in lines if ln.resolved_vendor_id}
    vendor_numbers: dict[int, str] = {}
    for chunk in _chunks(vendor_ids):
        vendor_numbers.update(db.session.execute(
            sa.select(Partner.id, Partner.number).where(Partner.id.in_(chunk))).all())
    open_links: dict[int, OpenLink] = {}
    for r in db.session.execute(
        sa.select(PoGenLink.id, PoGenLink.so_line_id, PoGenLink.po_line_id, PoGenLink.po_id, PoGenLink.qty,
                  PurchaseOrder.number, PurchaseOrderLine.qty_ordered)
        .join(PurchaseOrder, PurchaseOrder.id == PoGenLink.po_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PoGenLink.po_line_id)
        .where(PoGenLink.so_id.in_(order_ids), PurchaseOrder.status == "new", PurchaseOrder.sent_at.is_(None))
        .order_by(PoGenLink.id)
    ):
        open_links[r.so_line_id] = OpenLink(r.id, r.so_line_id, r.po_line_id, r.po_id, r.number,
                                            Decimal(r.qty), Decimal(r.qty_ordered))
    warehouses = dict(db.session.execute(sa.select(Warehouse.id, Warehouse.address)).all())
    open_pos: dict[tuple[int, int | None], OpenPO] = {}
    if combine and vendor_ids:
        for r in db.session.execute(
            sa.select(PurchaseOrder.id, PurchaseOrder.number, PurchaseOrder.vendor_id, PurchaseOrder.warehouse_id,
                      sa.func.coalesce(sa.func.max(PurchaseOrderLine.line_no), 0).label("last"))
            .outerjoin(PurchaseOrderLine, PurchaseOrderLine.po_id == PurchaseOrder.id)
            .where(PurchaseOrder.status == "new", PurchaseOrder.sent_at.is_(None), PurchaseOrder.order_type == "S",
                   PurchaseOrder.customer_id.is_(None))
            .group_by(PurchaseOrder.id, PurchaseOrder.number, PurchaseOrder.vendor_id, PurchaseOrder.warehouse_id)
            .order_by(PurchaseOrder.id)
        ):
            open_pos.setdefault((r.vendor_id, r.warehouse_id), OpenPO(r.id, r.number, r.vendor_id, r.warehouse_id,
                                                                      int(r.last)))
    return Inputs(orders, lines, vendor_numbers, open_links, warehouses, open_pos)


def make_plan(selection: Selection, *, prompt_date: date | None = None, only_line_ids: set[int] | None = None,
              options: GenOptions | None = None, exclude_line_ids: set[int] | None = None) -> Plan:
    options = options or gen_options()
    inputs = load_inputs(selection, combine=options.combine_by_vendor, only_line_ids=only_line_ids,
                         exclude_line_ids=exclude_line_ids)
    today = date.today()
    return plan_generation(inputs.orders, inputs.lines, options, vendor_numbers=inputs.vendor_numbers, today=today,
                           po_date=today, prompt_date=prompt_date, open_links=inputs.open_links,
                           open_pos=inputs.open_pos, warehouse_addresses=inputs.warehouse_addresses)


# -- numbers ------------------------------------------------------------------------------


def lock_po_numbers() -> None:
    """Serialise PO number assignment: lock the *po_number* counter row until commit.

    Two concurrent generations for different orders could otherwise both find the same
    SO-number candidate free. (SQLite's BEGIN IMMEDIATE already serialises writers.)
    """
    db.session.execute(sa.update(Sequence).where(Sequence.name == "po_number")
                       .values(next_value=Sequence.next_value).execution_options(synchronize_session=False))


def numbers_in_use(numbers: set[str]) -> set[str]:
    out: set[str] = set()
    for chunk in _chunks(numbers):
        out |= po_services.po_numbers_in_use(chunk)
    return out


def draw_automatic(n: int, avoid: set[str]) -> list[str]:
    """``n`` next automatic PO numbers in (at most a few) statements, skipping numbers in use."""
    out: list[str] = []
    while len(out) < n:
        want = n - len(out)
        first = po_services.next_po_number()  # creates the counter with the PO plugin's settings
        drawn = [first]
        if want > 1:
            row = db.session.execute(
                sa.update(Sequence).where(Sequence.name == "po_number")
                .values(next_value=Sequence.next_value + (want - 1))
                .returning(Sequence.next_value, Sequence.width, Sequence.prefix)
                .execution_options(synchronize_session=False)).one()
            start = row.next_value - (want - 1)
            drawn += [format_number(v, row.width, row.prefix) for v in range(start, row.next_value)]
        taken = numbers_in_use(set(drawn)) | (set(drawn) & avoid)
        out += [d for d in drawn if d not in taken]
    return out[:n]


# -- writing a plan ----------------------------------------------------------------------


@dataclass
class Result:
    plan: Plan
    po_ids: list[int] = field(default_factory=list)  # created or added to, in plan order
    created: int = 0
    lines: int = 0

    @property
    def problems(self) -> list[Problem]:
        return self.plan.problems


def write_plan(plan: Plan, options: GenOptions) -> Result:
    """Number and insert the drafts, their lines and links, and apply increases. Flushes only."""
    result = Result(plan)
    if plan.is_empty:
        return result
    db.session.flush()
    lock_po_numbers()
    assign_numbers(plan, options, in_use=numbers_in_use, draw_automatic=draw_automatic)
    new = [d for d in plan.drafts if d.existing_po_id is None]
    vendor_defaults: dict[int, tuple[str, str]] = {}
    vids = {d.vendor_id for d in new}
    for chunk in _chunks(vids):
        for r in db.session.execute(sa.select(Partner.id, Partner.ship_via, Partner.fob).where(Partner.id.in_(chunk))):
            vendor_defaults[r.id] = (r.ship_via or "", r.fob or "")
    default_wh = po_services.default_warehouse_id() if any(d.warehouse_id is None for d in new) else None
    now = utcnow()
    po_rows = [
        dict(number=d.number, vendor_id=d.vendor_id, order_type=d.order_type, order_date=d.order_date or date.today(),
             required_date=d.required_date, ship_to_address=d.ship_to_address,
             ship_via=d.ship_via or vendor_defaults.get(d.vendor_id, ("", ""))[0],
             fob=d.fob or vendor_defaults.get(d.vendor_id, ("", ""))[1], confirm_to=(d.confirm_to or "")[:80],
             email=d.email or "", warehouse_id=d.warehouse_id or default_wh, customer_id=d.customer_id,
             status="new", comment="Generated from SO " + ", ".join(d.so_numbers[:5])
             + (" …" if len(d.so_numbers) > 5 else ""), cancel_reason="", created_at=now, updated_at=now)
        for d in new
    ]
    if po_rows:
        # plain executemany (batched), then the ids back by the unique numbers: a few statements
        db.session.execute(sa.insert(PurchaseOrder.__table__), po_rows)
        by_number: dict[str, int] = {}
        for chunk in _chunks([d.number for d in new]):
            by_number.update(db.session.execute(sa.select(PurchaseOrder.number, PurchaseOrder.id)
                                                .where(PurchaseOrder.number.in_(chunk))).all())
        for d in new:
            d.existing_po_id = by_number[d.number]
        result.created = len(new)
    line_rows, line_drafts = [], []
    for d in plan.drafts:
        for ln in d.lines:
            line_rows.append(dict(po_id=d.existing_po_id, line_no=ln.line_no, item_id=ln.item_id,
                                  vendor_item_code=ln.vendor_item_code, description=ln.description[:200],
                                  qty_ordered=ln.qty, qty_received=ZERO, qty_returned=ZERO, unit_cost=ln.unit_cost,
                                  required_date=ln.required_date or d.required_date, closed=False,
                                  origin_label=ln.origin_label))
            line_drafts.append((d, ln))
    if line_rows:
        db.session.execute(sa.insert(PurchaseOrderLine.__table__), line_rows)
        key_to_id: dict[tuple[int, int], int] = {}
        for chunk in _chunks({r["po_id"] for r in line_rows}):
            for r in db.session.execute(sa.select(PurchaseOrderLine.po_id, PurchaseOrderLine.line_no,
                                                  PurchaseOrderLine.id).where(PurchaseOrderLine.po_id.in_(chunk))):
                key_to_id[(r.po_id, r.line_no)] = r.id
        line_ids = [key_to_id[(r["po_id"], r["line_no"])] for r in line_rows]
        db.session.execute(sa.insert(PoGenLink.__table__), [
            dict(so_line_id=ln.so_line_id, po_line_id=lid, so_id=ln.order_id, po_id=d.existing_po_id, qty=ln.qty,
                 created_at=now)
            for (d, ln), lid in zip(line_drafts, line_ids, strict=True)])
    if plan.increases:
        db.session.execute(sa.update(PurchaseOrderLine), [
            dict(id=inc.link.po_line_id, qty_ordered=inc.link.po_line_qty + inc.qty) for inc in plan.increases])
        db.session.execute(sa.update(PoGenLink), [
            dict(id=inc.link.link_id, qty=inc.link.link_qty + inc.qty) for inc in plan.increases])
    result.lines = len(line_rows) + len(plan.increases)
    seen: set[int] = set()
    for pid in [d.existing_po_id for d in plan.drafts] + [inc.link.po_id for inc in plan.increases]:
        if pid not in seen:
            seen.add(pid)
            result.po_ids.append(pid)
    db.session.expire_all()
    return result


def generate(selection: Selection, *, prompt_date: date | None = None, only_line_ids: set[int] | None = None,
             options: GenOptions | None = None, exclude_line_ids: set[int] | None = None) -> Result:
    """Plan and write POs for ``selection`` (the batch path, the button and on-save). Flushes only."""
    options = options or gen_options()
    plan = make_plan(selection, prompt_date=prompt_date, only_line_ids=only_line_ids, options=options,
                     exclude_line_ids=exclude_line_ids)
    return write_plan(plan, options)


def generate_for_order(order_id: int, **kw) -> Result:
    return generate(Selection(order_ids=[order_id], include_held=True), **kw)


# -- links --------------------------------------------------------------------------------


@dataclass
class LinkRow:
    link_id: int
    so_id: int
    so_number: str
    so_line_id: int
    so_line_no: int
    po_id: int
    po_number: str
    po_status: str
    po_sent: bool
    po_type: str
    po_line_id: int
    po_line_no: int
    po_line_qty: Decimal
    qty_received: Decimal
    qty: Decimal
    item_code: str


def links(*, so_id: int | None = None, po_id: int | None = None, so_line_ids=None) -> list[LinkRow]:
    """The links of one sales order or one PO (one query)."""
    stmt = (
        sa.select(PoGenLink.id, PoGenLink.so_id, SalesOrder.number.label("so_number"), PoGenLink.so_line_id,
                  SalesOrderLine.line_no.label("so_line_no"), PoGenLink.po_id, PurchaseOrder.number.label("po_number"),
                  PurchaseOrder.status, PurchaseOrder.sent_at, PurchaseOrder.order_type, PoGenLink.po_line_id,
                  PurchaseOrderLine.line_no.label("po_line_no"), PurchaseOrderLine.qty_ordered,
                  PurchaseOrderLine.qty_received, PoGenLink.qty, Item.code)
        .join(SalesOrder, SalesOrder.id == PoGenLink.so_id)
        .join(SalesOrderLine, SalesOrderLine.id == PoGenLink.so_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PoGenLink.po_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PoGenLink.po_line_id)
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .order_by(SalesOrder.number, SalesOrderLine.line_no, PurchaseOrder.number)
    )
    if so_id is not None:
        stmt = stmt.where(PoGenLink.so_id == so_id)
    if po_id is not None:
        stmt = stmt.where(PoGenLink.po_id == po_id)
    if so_line_ids is not None:
        stmt = stmt.where(PoGenLink.so_line_id.in_(list(so_line_ids)))
    return [LinkRow(r.id, r.so_id, r.so_number, r.so_line_id, r.so_line_no, r.po_id, r.po_number, r.status,
                    r.sent_at is not None or r.status != "new", r.order_type, r.po_line_id, r.po_line_no,
                    Decimal(r.qty_ordered), Decimal(r.qty_received or 0), Decimal(r.qty), r.code)
            for r in db.session.execute(stmt)]


def pos_of_order(so_id: int) -> list[PurchaseOrder]:
    ids = {lk.po_id for lk in links(so_id=so_id)}
    if not ids:
        return []
    return list(db.session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.id.in_(ids))
                                   .options(sa.orm.selectinload(PurchaseOrder.lines))
                                   .order_by(PurchaseOrder.number)))


# -- change propagation ------------------------------------------------------------------


def _q(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _reduce(so: SalesOrder, so_line_id: int, excess: Decimal, what: str, *, user_id: int | None = None) -> None:
    """Take ``excess`` off the PO lines linked to one SO line: unsent lines are reduced
    (emptied lines removed, emptied POs deleted to history); what is left on sent POs is
    reported to the buyer as an exception naming the sales order and the change."""
    rows = [r for r in links(so_line_ids=[so_line_id]) if r.po_status != "cancelled"]
    unsent = [r for r in rows if not r.po_sent]
    sent = [r for r in rows if r.po_sent]
    touched: set[int] = set()
    for r in reversed(unsent):
        if excess <= 0:
            break
        take = min(excess, r.qty)
        excess -= take
        po_line = db.session.get(PurchaseOrderLine, r.po_line_id)
        link = db.session.get(PoGenLink, r.link_id)
        po_line.qty_ordered = (po_line.qty_ordered or ZERO) - take
        link.qty = (link.qty or ZERO) - take
        if link.qty <= 0:
            db.session.delete(link)
        if po_line.qty_ordered <= 0:
            db.session.delete(po_line)
        touched.add(r.po_id)
    db.session.flush()
    for po_id in touched:
        po = db.session.get(PurchaseOrder, po_id)
        db.session.refresh(po)
        if not po.lines:
            po_services.delete_purchase_order(po, user_id=user_id)
    if excess > 0 and sent:
        for po_id in dict.fromkeys(r.po_id for r in sent):
            po = db.session.get(PurchaseOrder, po_id)
            po_services.add_exception(po, f"Sales order {so.number}: {what}; {_q(excess)} ordered on this "
                                          "purchase order is no longer needed. The PO was already sent and "
                                          "was left unchanged.")


def propagate_changes(order: SalesOrder, changes) -> None:
    """Decreases and removed lines of a saved sales order reach its POs (DESIGN.md)."""
    affected: dict[int, tuple[Decimal, str]] = {}
    for ch in getattr(changes, "changed", None) or []:
        old, new = Decimal(ch.old_qty or 0), Decimal(ch.new_qty or 0)
        if new < old:
            affected[ch.line.id] = (new, f"line {ch.line.line_no} ({ch.line.item.code if ch.line.item else ''}) "
                                         f"quantity reduced from {_q(old)} to {_q(new)}")
    for rm in getattr(changes, "removed", None) or []:
        code = db.session.scalar(sa.select(Item.code).where(Item.id == rm.item_id)) or ""
        affected[rm.line_id] = (ZERO, f"line {rm.line_no} ({code}) removed (quantity {_q(rm.qty_ordered)})")
    if not affected:
        return
    on_order = dict(db.session.execute(
        sa.select(PoGenLink.so_line_id, sa.func.sum(PoGenLink.qty))
        .join(PurchaseOrder, PurchaseOrder.id == PoGenLink.po_id)
        .where(PoGenLink.so_line_id.in_(list(affected)), PurchaseOrder.status != "cancelled")
        .group_by(PoGenLink.so_line_id)).all())
    lines = {ln.id: ln for ln in order.lines}
    for line_id, (new_qty, what) in affected.items():
        have = Decimal(on_order.get(line_id) or 0)
        if have <= 0:
            continue
        ln = lines.get(line_id)
        needed = ZERO
        if ln is not None and new_qty > 0:
            item = ln.item
            probe = LineIn(id=ln.id, order_id=order.id, line_no=ln.line_no, item_id=ln.item_id,
                           item_code=item.code if item else "", supply_method=item.supply_method if item else "stock",
                           qty_ordered=new_qty, drop_ship=bool(ln.drop_ship), qty_shipped=ln.qty_shipped or ZERO,
                           qty_allocated=ln.qty_allocated or ZERO)
            needed = probe.quantity_needed()
        if have > needed:
            _reduce(order, line_id, have - needed, what)


def increased_linked_lines(changes) -> set[int]:
    return {ch.line.id for ch in (getattr(changes, "changed", None) or [])
            if Decimal(ch.new_qty or 0) > Decimal(ch.old_qty or 0)}


def on_order_saved(order: SalesOrder, created: bool, changes) -> Result | None:
    """The ``on_sales_order_saved`` path: propagate changes, then generate (per option)."""
    propagate_changes(order, changes)
    if order.status in ("*", "9"):
        return None
    removed = {rm.line_id for rm in (getattr(changes, "removed", None) or [])}
    if opts()["generate_on_save"]:
        try:
            return generate_for_order(order.id, exclude_line_ids=removed)
        except PromptNeeded:
            return None  # a required date must be asked for: left to Generate POs
    # generation is not automatic, but an order that already has POs keeps them in step
    increased = increased_linked_lines(changes)
    if increased:
        have = set(db.session.scalars(sa.select(PoGenLink.so_line_id).where(PoGenLink.so_line_id.in_(increased))))
        if have:
            try:
                return generate_for_order(order.id, only_line_ids=have)
            except PromptNeeded:
                return None
    return None


def on_order_cancelled(order: SalesOrder, *, user_id: int | None = None) -> None:
    """Unsent POs serving only this order are deleted (to history); its lines come off
    shared unsent POs; sent POs get an exception for the buyer."""
    rows = links(so_id=order.id)
    by_po: dict[int, list[LinkRow]] = {}
    for r in rows:
        if r.po_status != "cancelled":
            by_po.setdefault(r.po_id, []).append(r)
    for po_id, rs in by_po.items():
        po = db.session.get(PurchaseOrder, po_id)
        if rs[0].po_sent:
            po_services.add_exception(po, f"Sales order {order.number} was cancelled: "
                                          + "; ".join(f"PO line {r.po_line_no} ({r.item_code}) qty {_q(r.qty)} "
                                                      f"served its line {r.so_line_no}" for r in rs)
                                          + ". The PO was already sent and was left unchanged.")
            continue
        others = db.session.scalar(sa.select(sa.func.count()).select_from(PoGenLink)
                                   .where(PoGenLink.po_id == po_id, PoGenLink.so_id != order.id))
        if not others:
            po_services.delete_purchase_order(po, user_id=user_id)
        else:
            for r in rs:
                _reduce(order, r.so_line_id, r.qty, f"cancelled (line {r.so_line_no})", user_id=user_id)
    db.session.flush()


def record_po_deleted(po: PurchaseOrder) -> None:
    """``on_purchase_order_cancelled``: remember, per sales order, that its PO went away."""
    so_ids = set(db.session.scalars(sa.select(PoGenLink.so_id).where(PoGenLink.po_id == po.id)))
    for so_id in so_ids:
        db.session.add(PoGenEvent(so_id=so_id, kind="po_deleted", detail=f"PO {po.number} deleted or cancelled"))
    if so_ids:
        db.session.execute(sa.delete(PoGenLink).where(PoGenLink.po_id == po.id))
    db.session.flush()


# -- reset ------------------------------------------------------------------------------------


@dataclass
class ResetCheck:
    pos: list[PurchaseOrder]
    received: list[PurchaseOrder]
    sent: list[PurchaseOrder]

    @property
    def allowed(self) -> bool:
        return not self.received


def reset_check(order: SalesOrder) -> ResetCheck:
    pos = pos_of_order(order.id)
    received = [p for p in pos if po_services.has_receipts(p)]
    sent = [p for p in pos if po_services.is_sent(p) and p not in received]
    return ResetCheck(pos, received, sent)


def reset_purchase_orders(order: SalesOrder, *, confirm_sent: bool = False, reason_code: str | None = None,
                          user_id: int | None = None) -> list[str]:
    """*Reset Purchase Orders* (SalesPRO): delete the attached POs so the next save or
    *Generate POs* creates them again. Refused when any has received quantity; POs
    already sent need ``confirm_sent``. Returns the deleted PO numbers. Flushes only."""
    check = reset_check(order)
    if check.received:
        raise GenerationError("Purchase orders with received goods cannot be reset: "
                              + ", ".join(p.number for p in check.received))
    if check.sent and not confirm_sent:
        raise GenerationError("These purchase orders were already sent to the vendor; confirm to delete them: "
                              + ", ".join(p.number for p in check.sent))
    if po_services.deleted_reason_required("order") and not (reason_code or "").strip():
        raise GenerationError("A cancel/reason code is required (Retain Deleted Orders is Prompt).")
    code = po_services.check_reason_code(reason_code, required=False) if reason_code else None
    deleted = []
    for po in check.pos:
        others = db.session.scalar(sa.select(sa.func.count()).select_from(PoGenLink)
                                   .where(PoGenLink.po_id == po.id, PoGenLink.so_id != order.id))
        if others:
            for r in [r for r in links(so_id=order.id) if r.po_id == po.id]:
                line = db.session.get(PurchaseOrderLine, r.po_line_id)
                line.qty_ordered = (line.qty_ordered or ZERO) - r.qty
                db.session.execute(sa.delete(PoGenLink).where(PoGenLink.id == r.link_id))
                if line.qty_ordered <= 0:
                    db.session.delete(line)
            deleted.append(f"{po.number} (this order's lines only)")
        else:
            deleted.append(po.number)
            po_services.delete_purchase_order(po, reason_code=code, user_id=user_id)
    db.session.add(PoGenEvent(so_id=order.id, kind="reset", user_id=user_id,
                              detail="Reset purchase orders: " + (", ".join(deleted) or "none attached")))
    db.session.flush()
    return deleted


# -- the missing-PO check ---------------------------------------------------------------------


@dataclass
class MissingRow:
    order: OrderIn
    lines: list[LineIn]
    reasons: list[str]


def missing_purchase_orders(selection: Selection | None = None) -> list[MissingRow]:
    """Open sales orders with lines needing purchase that no PO covers, with the reason."""
    selection = selection or Selection()
    inputs = load_inputs(selection)
    o = opts()
    by_order: dict[int, list[LineIn]] = {}
    for ln in inputs.lines:
        if ln.quantity_to_order() > 0:
            by_order.setdefault(ln.order_id, []).append(ln)
    if not by_order:
        return []
    events: dict[int, list[str]] = {}
    for chunk in _chunks(by_order):
        for r in db.session.execute(sa.select(PoGenEvent.so_id, PoGenEvent.kind, PoGenEvent.detail)
                                    .where(PoGenEvent.so_id.in_(chunk)).order_by(PoGenEvent.id)):
            events.setdefault(r.so_id, []).append(r.detail)
    order_map = {x.id: x for x in inputs.orders}
    rows = []
    for oid, lns in by_order.items():
        reasons = [f"no vendor for item {ln.item_code} (line {ln.line_no})" for ln in lns
                   if ln.resolved_vendor_id is None]
        if oid in events:
            reasons.append("POs deleted: " + events[oid][-1])
        if len(reasons) < len(lns) + (1 if oid in events else 0) and not o["generate_on_save"]:
            reasons.append("generation off: POs are not generated on save"
                           + (" (use Generate POs)" if o["enable_in_entry"] else ""))
        if not reasons:
            reasons.append("not generated yet")
        rows.append(MissingRow(order_map[oid], lns, reasons))
    rows.sort(key=lambda r: r.order.number)
    return rows


def links_for_pos(po_ids: list[int]) -> list[dict]:
    """Rows of the Auto Generate Listing for the given POs (one query)."""
    if not po_ids:
        return []
    cust = sa.orm.aliased(Partner)
    vend = sa.orm.aliased(Partner)
    stmt = (
        sa.select(SalesOrder.number.label("so_number"), cust.number.label("customer"), cust.name.label("cname"),
                  vend.number.label("vendor"), vend.name.label("vname"), PurchaseOrder.number.label("po_number"),
                  PurchaseOrder.order_type, PurchaseOrderLine.line_no, SalesOrderLine.line_no.label("so_line_no"),
                  Item.code, PoGenLink.qty, PurchaseOrderLine.required_date, PurchaseOrderLine.unit_cost)
        .join(SalesOrder, SalesOrder.id == PoGenLink.so_id)
        .join(SalesOrderLine, SalesOrderLine.id == PoGenLink.so_line_id)
        .join(cust, cust.id == SalesOrder.customer_id)
        .join(PurchaseOrder, PurchaseOrder.id == PoGenLink.po_id)
        .join(vend, vend.id == PurchaseOrder.vendor_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PoGenLink.po_line_id)
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .where(PoGenLink.po_id.in_(po_ids))
    )
    return [dict(so_number=r.so_number, customer=r.customer, customer_name=r.cname, vendor=r.vendor,
                 vendor_name=r.vname, po_number=r.po_number, order_type=r.order_type, po_line_no=r.line_no,
                 so_line_no=r.so_line_no, item=r.code, qty=r.qty, required_date=r.required_date,
                 unit_cost=r.unit_cost) for r in db.session.execute(stmt)]


# -- a drop-ship PO added by hand (*Include All Drop Ship Line Items*) ---------------------


INCLUDE_VENDOR, INCLUDE_ALL, INCLUDE_PROMPT = "vendor", "yes", "prompt"


def drop_ship_lines(order_id: int, vendor_id: int, *, include_all: bool) -> list[LineIn]:
    """The sales order's drop-ship lines still to be ordered that a hand-made drop-ship PO
    for ``vendor_id`` takes: only the lines whose vendor is that vendor (*Only for PO
    Vendor*), or every drop-ship line whatever its vendor (*Yes*)."""
    inputs = load_inputs(Selection(order_ids=[order_id], include_held=True))
    return sorted((ln for ln in inputs.lines
                   if ln.is_drop_ship and ln.quantity_to_order() > 0
                   and (include_all or ln.resolved_vendor_id == vendor_id)), key=lambda ln: ln.line_no)


def create_drop_ship_po(order_id: int, vendor_id: int, *, include_all: bool) -> PurchaseOrder:
    """A type D PO for ``vendor_id`` with the order's drop-ship lines (see :func:`drop_ship_lines`),
    the order's customer, ship-to, ship via, FOB, confirm to and e-mail, the next automatic PO
    number, and the links. Flushes only."""
    order = db.session.get(SalesOrder, order_id)
    if order is None:
        raise GenerationError("No such sales order.")
    lines = drop_ship_lines(order_id, vendor_id, include_all=include_all)
    if not lines:
        vendor = db.session.get(Partner, vendor_id)
        raise GenerationError(f"Sales order {order.number} has no drop-ship lines left to order"
                              + ("" if include_all else f" for vendor {vendor.number if vendor else vendor_id}")
                              + ".")
    lock_po_numbers()
    po = po_services.create_purchase_order(
        vendor_id=vendor_id, order_type="D",
        lines=[dict(item_id=ln.item_id, qty_ordered=ln.quantity_to_order(), unit_cost=ln.unit_cost,
                    description=ln.description, required_date=ln.promise_date,
                    vendor_item_code=ln.vendor_item_code if ln.resolved_vendor_id == vendor_id else "",
                    origin_label=f"SO {order.number} line {ln.line_no}") for ln in lines],
        customer_id=order.customer_id, ship_to_address=order.ship_to_address or "", ship_via=order.ship_via or "",
        fob=order.fob or "", confirm_to=(order.confirm_to or "")[:80], email=order.email or "",
        warehouse_id=order.warehouse_id, required_date=order.requested_ship_date or order.order_date,
        comment=f"Drop ship for SO {order.number}")
    for ln, po_line in zip(lines, po.lines, strict=True):
        db.session.add(PoGenLink(so_line_id=ln.id, po_line_id=po_line.id, so_id=order.id, po_id=po.id,
                                 qty=po_line.qty_ordered))
    db.session.flush()
    return po
