"""The generation rules as pure functions: sales order lines and the Generate-tab options
go in, purchase order drafts come out. Nothing here reads or writes the database or
knows Flask; :mod:`.inputs` builds the ``OrderIn``/``LineIn`` values and
:mod:`.generation` writes the resulting :class:`Plan` through :mod:`.purchasing`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .choices import PROMPT

ZERO = Decimal("0")


class PromptNeeded(Exception):
    """A required-date option says *Prompt* and no date was given."""

    def __init__(self, which: tuple[str, ...]):
        self.which = which
        super().__init__("a required date must be given for: " + ", ".join(which))


@dataclass(frozen=True)
class GenOptions:
    """The Generate-tab options the rules read (unavailable options already read as defaults)."""

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
    alias_item_number: bool = False

    @classmethod
    def from_options(cls, opts) -> GenOptions:
        return cls(**{f: opts[f] for f in cls.__dataclass_fields__})


@dataclass(slots=True)
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
    status: str = "1"


@dataclass(slots=True)  # one per line of a batch: slots make them smaller and quicker
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
    qty_free: Decimal = ZERO  # free stock a forward order's stocked line can count on (not yet allocated)
    on_order: Decimal = ZERO  # quantity on linked PO lines of the same item
    promise_date: date | None = None
    unit_cost: Decimal = ZERO
    vendor_item_code: str = ""
    warehouse_id: int | None = None
    alias_item_code: str = ""  # the customer's or an alternate item number, from the SO line

    @property
    def is_drop_ship(self) -> bool:
        return bool(self.drop_ship) or self.supply_method == "drop_ship"

    @property
    def resolved_vendor_id(self) -> int | None:
        """Vendor choice: the line's vendor, else the item's default vendor."""
        return self.vendor_id or self.default_vendor_id

    @property
    def is_purchased(self) -> bool:
        """Bought for the order (not from stock): buy to order, drop ship, or flagged drop ship."""
        return self.is_drop_ship or self.supply_method == "buy_to_order"

    def quantity_needed(self) -> Decimal:
        """What the line needs from its POs in all, before what is on order: a purchased
        line all of it; a stocked line what neither its stock allocation nor free stock
        (forward orders, allocated later) covers."""
        ordered = self.qty_ordered or ZERO
        if self.is_purchased:
            return max(ZERO, ordered)
        return max(ZERO, ordered - (self.qty_shipped or ZERO) - (self.qty_allocated or ZERO) - (self.qty_free or ZERO))

    def quantity_to_order(self) -> Decimal:
        """What purchasing still has to order for the line.

        A purchased line: its quantity less what was shipped or is on order, whichever
        covers more (shipped goods came off its POs, and a PO purged at period end must
        not make shipped demand look unmet). A stocked line: what it needs less what is
        on order.
        """
        on_order = self.on_order or ZERO
        if self.is_purchased:
            return max(ZERO, self.quantity_needed() - max(self.qty_shipped or ZERO, on_order))
        return max(ZERO, self.quantity_needed() - on_order)


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


@dataclass(slots=True)
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
    alias_item_code: str = ""

    @property
    def origin_label(self) -> str:
        return f"SO {self.so_number} line {self.so_line_no}"


@dataclass(slots=True)
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


@dataclass(frozen=True)
class Dates:
    """The dates a plan is made with: today, the PO module date, and the date the user gave."""

    today: date
    po_date: date
    prompt_date: date | None = None


# -- required dates ----------------------------------------------------------------------------


def needs_prompt(opts: GenOptions) -> tuple[str, ...]:
    """Which required dates the options ask the user for ("header", "lines")."""
    return tuple(which for which, basis in (("header", opts.header_date), ("lines", opts.line_date))
                 if basis == PROMPT)


def header_required_date(order: OrderIn, opts: GenOptions, dates: Dates) -> date | None:
    basis = opts.header_date
    if basis == "so_ship_date":
        return order.ship_date or order.order_date
    if basis == "so_order_date":
        return order.order_date
    if basis == "po_date":
        return dates.po_date
    if basis == "system_date":
        return dates.today
    if dates.prompt_date is None:
        raise PromptNeeded(("header",))
    return dates.prompt_date


def line_required_date(line: LineIn, order: OrderIn, opts: GenOptions, dates: Dates) -> date | None:
    basis = opts.line_date
    if basis == "so_promise_date":
        return line.promise_date or order.ship_date or order.order_date
    if basis == "po_date":
        return dates.po_date
    if basis == "system_date":
        return dates.today
    if dates.prompt_date is None:
        raise PromptNeeded(("lines",))
    return dates.prompt_date


# -- grouping ----------------------------------------------------------------------------------


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


def draft_key(line: LineIn, order: OrderIn, vendor_id: int, combining: bool) -> tuple:
    """Which PO a line goes on. Drop-ship POs never mix customers or delivery addresses;
    standard POs are per order and vendor (and warehouse), or per vendor when combining."""
    if line.is_drop_ship:
        return ("D", order.id, vendor_id, order.customer_id, (order.ship_to_address or "").strip())
    warehouse_id = line.warehouse_id or order.warehouse_id
    return ("S", None if combining else order.id, vendor_id, warehouse_id)


def new_draft(line: LineIn, order: OrderIn, vendor_id: int, opts: GenOptions, *, vendor_number: str,
              po_date: date, warehouse_addresses: dict[int, str],
              open_pos: dict[tuple[int, int | None], OpenPO]) -> PODraft:
    """A draft PO for the first line of its group, with the header copied per the options."""
    is_drop, combining = line.is_drop_ship, opts.combine_by_vendor
    warehouse_id = line.warehouse_id or order.warehouse_id
    draft = PODraft(vendor_id=vendor_id, vendor_number=vendor_number, order_type="D" if is_drop else "S",
                    order_ids=[], so_numbers=[], warehouse_id=warehouse_id, order_date=po_date)
    default_ship_to = warehouse_addresses.get(warehouse_id or 0, "")
    if is_drop:
        draft.customer_id, draft.customer_number = order.customer_id, order.customer_number
    if not combining or is_drop:
        draft.ship_to_address = order.ship_to_address if _copies(opts.ship_to, is_drop) else default_ship_to
        draft.ship_via = order.ship_via if _copies(opts.ship_via, is_drop) else ""
        draft.fob = order.fob if _copies(opts.fob, is_drop) else ""
        draft.confirm_to = order.confirm_to if _copies_yes_no(opts.confirm_to, is_drop, combining) else ""
        draft.email = order.email if _copies_yes_no(opts.email, is_drop, combining) else ""
        return draft
    # a combined PO serves several orders: only what the options allow when combining
    draft.ship_to_address = default_ship_to
    if _copies_yes_no(opts.confirm_to, False, True):
        draft.confirm_to = order.confirm_to
    if _copies_yes_no(opts.email, False, True):
        draft.email = order.email
    existing = open_pos.get((vendor_id, warehouse_id))
    if existing is not None:
        draft.existing_po_id, draft.number = existing.id, existing.number
        draft.number_source, draft.existing_last_line_no = "existing", existing.last_line_no
    return draft


def add_order(draft: PODraft, order: OrderIn, opts: GenOptions, dates: Dates) -> None:
    """Note that ``draft`` serves ``order``; a combined PO is required by its earliest order."""
    if order.id in draft.order_ids:
        return
    draft.order_ids.append(order.id)
    draft.so_numbers.append(order.number)
    hdr = header_required_date(order, opts, dates)
    if hdr is not None and (draft.required_date is None or hdr < draft.required_date):
        draft.required_date = hdr


def no_vendor_problem(line: LineIn, order: OrderIn) -> Problem:
    return Problem(order.id, order.number, line.line_no, line.item_code,
                   f"Item {line.item_code} has no vendor (line {line.line_no} of SO {order.number}): "
                   "no purchase order was generated for it")


def draft_line(line: LineIn, order: OrderIn, qty: Decimal, required: date | None, *,
               alias: bool = False) -> DraftLine:
    """One PO line for ``line``; ``alias``: *Carry the alias item number* is on."""
    return DraftLine(so_line_id=line.id, order_id=order.id, so_number=order.number, so_line_no=line.line_no,
                     item_id=line.item_id, item_code=line.item_code, description=line.description, qty=qty,
                     unit_cost=line.unit_cost or ZERO, required_date=required,
                     vendor_item_code=line.vendor_item_code or "",
                     alias_item_code=(line.alias_item_code or "") if alias else "")


# -- the plan ----------------------------------------------------------------------------------


def plan_generation(orders: Iterable[OrderIn], lines: Iterable[LineIn], opts: GenOptions, *,
                    vendor_numbers: dict[int, str], today: date, po_date: date | None = None,
                    prompt_date: date | None = None, open_links: dict[int, OpenLink] | None = None,
                    open_pos: dict[tuple[int, int | None], OpenPO] | None = None,
                    warehouse_addresses: dict[int, str] | None = None) -> Plan:
    """Decide which POs and lines to create. Pure: nothing is read or written.

    * Lines needing purchase and how much: :meth:`LineIn.quantity_to_order` (never more
      than the line needs given what is already on order).
    * An increase on a line already linked to an unsent PO line goes to that PO line.
    * Grouping: :func:`draft_key`; with *Combine Sales Orders by Vendor* standard lines go
      on an open unsent PO of that vendor when there is one (``open_pos``).
    * A line without a vendor is reported by item and left out.
    * A required date the options say to ask for, and which was not given, raises
      :class:`PromptNeeded` naming every date missing.
    """
    dates = Dates(today=today, po_date=po_date or today, prompt_date=prompt_date)
    open_links, open_pos = open_links or {}, open_pos or {}
    order_map = {o.id: o for o in orders}
    plan = Plan()
    groups: dict[tuple, PODraft] = {}
    missing_prompt: set[str] = set()
    for line in sorted(lines, key=lambda ln: (order_map[ln.order_id].number, ln.line_no)):
        order = order_map[line.order_id]
        qty = line.quantity_to_order()
        if qty <= 0:
            continue
        vendor_id = line.resolved_vendor_id
        if vendor_id is None:
            plan.problems.append(no_vendor_problem(line, order))
            continue
        link = open_links.get(line.id)
        if link is not None:
            plan.increases.append(Increase(link, qty, order.number, line.line_no, line.item_code))
            continue
        try:
            required = line_required_date(line, order, opts, dates)
        except PromptNeeded as exc:
            missing_prompt.update(exc.which)
            required = None
        key = draft_key(line, order, vendor_id, opts.combine_by_vendor)
        draft = groups.get(key)
        if draft is None:
            draft = groups[key] = new_draft(line, order, vendor_id, opts, vendor_number=vendor_numbers.get(vendor_id, ""),
                                            po_date=dates.po_date, warehouse_addresses=warehouse_addresses or {},
                                            open_pos=open_pos)
        try:
            add_order(draft, order, opts, dates)
        except PromptNeeded as exc:
            missing_prompt.update(exc.which)
        draft.lines.append(draft_line(line, order, qty, required, alias=opts.alias_item_number))
    if missing_prompt:
        raise PromptNeeded(tuple(sorted(missing_prompt)))
    plan.drafts = sorted(groups.values(), key=numbering_order)
    for draft in plan.drafts:
        sort_lines(draft, opts)
    return plan


def numbering_order(draft: PODraft) -> tuple:
    """Per sales order: drop-ship POs first, then standard POs by vendor number."""
    return (draft.so_numbers[0], draft.order_type != "D", draft.vendor_number, draft.customer_number)


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
