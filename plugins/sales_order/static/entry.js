// Sales order entry: type-ahead for customer, item and vendor; line values and the order
// total as you type; Enter moves on (and adds a line) instead of submitting.
// Progressive enhancement: without this file the codes are plain text the server resolves.
// The server stays the truth: the values shown here are recomputed by the save.
"use strict";

// -- exact decimals (BigInt, scale), half-up rounding as plugins/sales_order/pricing.py -------
const Dec = {
  parse(text) {
    const t = String(text == null ? "" : text).trim().replace(/,/g, "");
    const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
    if (!m || (m[2] + (m[3] || "")) === "") return null;
    const frac = m[3] || "";
    const n = BigInt((m[2] || "0") + frac) * (m[1] === "-" ? -1n : 1n);
    return { n, s: frac.length };
  },
  scaled(a, s) { return a.n * 10n ** BigInt(s - a.s); },
  add(a, b) { const s = Math.max(a.s, b.s); return { n: Dec.scaled(a, s) + Dec.scaled(b, s), s }; },
  sub(a, b) { return Dec.add(a, { n: -b.n, s: b.s }); },
  mul(a, b) { return { n: a.n * b.n, s: a.s + b.s }; },
  pct(a, p) { return { n: a.n * p.n, s: a.s + p.s + 2 }; }, // a x p / 100
  round(a, places) { // ties away from zero (Python's ROUND_HALF_UP)
    if (a.s <= places) return { n: Dec.scaled(a, places), s: places };
    const d = 10n ** BigInt(a.s - places);
    const abs = a.n < 0n ? -a.n : a.n;
    let q = abs / d;
    if ((abs % d) * 2n >= d) q += 1n;
    return { n: a.n < 0n ? -q : q, s: places };
  },
  format(a, places) { // 1,234.50
    const r = Dec.round(a, places);
    const neg = r.n < 0n;
    const digits = (neg ? -r.n : r.n).toString().padStart(places + 1, "0");
    const whole = digits.slice(0, digits.length - places).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (neg ? "-" : "") + whole + (places ? "." + digits.slice(digits.length - places) : "");
  },
  zero: { n: 0n, s: 0 },
};

// gross and net value of a line, by the options' discount method (pricing.line_value)
function lineValues(price, qty, pct, method, decimals) {
  const gross = Dec.round(Dec.mul(price, qty), 2);
  if (method === "price") {
    const netUnit = Dec.round(Dec.round(Dec.sub(price, Dec.pct(price, pct)), 5), decimals);
    return { gross, net: Dec.round(Dec.mul(netUnit, qty), 2) };
  }
  return { gross, net: Dec.sub(gross, Dec.round(Dec.pct(gross, pct), 2)) };
}

// -- the type-ahead ------------------------------------------------------------------------
function TypeAhead(form, onChoose) {
  const list = document.createElement("ul");
  list.className = "lookup-list";
  list.id = "lookup-list";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  document.body.appendChild(list);
  let input = null, rows = [], active = -1, timer = 0, asked = 0;

  const close = () => {
    list.hidden = true; rows = []; active = -1;
    if (input) { input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
  };
  const highlight = (i) => {
    active = i;
    list.querySelectorAll("li").forEach((li, k) => li.setAttribute("aria-selected", String(k === i)));
    if (i >= 0) input.setAttribute("aria-activedescendant", `lookup-option-${i}`);
  };
  const show = (found) => {
    rows = found;
    list.replaceChildren(...listItems(found, (i) => choose(i)));
    placeUnder(list, input);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(found.length ? 0 : -1);
  };
  const choose = (i) => {
    const row = rows[i], target = input;
    close();
    if (row && target) onChoose(target, row);
  };
  const ask = (el) => {
    const text = el.value.trim();
    if (!text) { close(); return; }
    const kind = el.dataset.lookup;
    const url = new URL(form.dataset[`lookup${kind[0].toUpperCase()}${kind.slice(1)}`], window.location.href);
    url.searchParams.set("q", text.slice(0, 40));
    if (kind === "item") url.searchParams.set("warehouse", warehouseOf(el.closest("tr")));
    const ticket = ++asked;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : { results: [] }))
      .then((data) => { if (ticket === asked && input === el && document.activeElement === el) show(data.results || []); })
      .catch(() => {});
  };

  form.addEventListener("input", (e) => {
    const el = e.target;
    if (!el.matches("[data-lookup]")) return;
    input = el;
    idInput(el).value = ""; // typed, not chosen: the server resolves the code
    noteOf(el).textContent = "";
    clearTimeout(timer);
    timer = setTimeout(() => ask(el), 120);
  });
  form.addEventListener("keydown", (e) => {
    if (!e.target.matches("[data-lookup]") || list.hidden || input !== e.target) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      if (rows.length) highlight((active + step + rows.length) % rows.length);
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      e.stopImmediatePropagation(); // chosen: the field keeps the focus, the next Enter moves on
      choose(active);
    } else if (e.key === "Escape") {
      close();
    }
  }, true);
  form.addEventListener("focusout", (e) => { if (e.target === input) setTimeout(close, 150); });
}

// the rows of the type-ahead's list; a row is chosen on mousedown (before the field loses focus)
function listItems(found, pick) {
  if (!found.length) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = "Nothing starts with that.";
    return [li];
  }
  return found.map((row, i) => {
    const li = document.createElement("li");
    li.id = `lookup-option-${i}`;
    li.setAttribute("role", "option");
    const code = document.createElement("strong");
    code.textContent = row.code;
    li.append(code, " ", row.name || "");
    if (row.available != null) li.append(` · ${row.available} ${row.unit || ""} available`);
    li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(i); });
    return li;
  });
}

function placeUnder(list, input) {
  const box = input.getBoundingClientRect();
  list.style.left = `${box.left + window.scrollX}px`;
  list.style.top = `${box.bottom + window.scrollY}px`;
  list.style.minWidth = `${Math.max(box.width, 220)}px`;
}

const idInput = (el) => el.previousElementSibling; // the hidden id rendered just before the code
const noteOf = (el) => el.parentElement.querySelector(`[data-note-for], .lookup-note`);

function warehouseOf(row) {
  const own = row && row.querySelector("[data-role=warehouse]");
  const order = document.querySelector("[data-role=order-warehouse]");
  return (own && own.value) || (order && order.value) || "";
}

// a field filled by a choice is refilled by the next choice unless the clerk changed it
function fill(el, value) {
  if (!el) return;
  if (el.value === "" || el.value === el.dataset.filled) el.value = value;
  el.dataset.filled = value;
}

// what choosing a customer or an item fills in (fields the clerk changed are left alone)
function applyChoice(form, el, row) {
  el.value = row.code;
  idInput(el).value = row.id;
  const kind = el.dataset.lookup;
  noteOf(el).textContent = row.name + (kind === "customer" && row.terms ? ` · terms ${row.terms}` : "");
  if (kind === "customer") {
    fill(form.querySelector("#ship_to_address"), row.ship_to);
    fill(form.querySelector("#ship_via"), row.ship_via);
    fill(form.querySelector("#fob"), row.fob);
    fill(form.querySelector("#email"), row.email);
  } else if (kind === "item") {
    const line = el.closest("tr");
    const field = (name) => line.querySelector(`[name$="-${name}"]`);
    fill(field("description"), row.name);
    fill(field("unit_price"), row.price);
    line.dataset.listPrice = row.price;
    line.querySelector("[data-unit]").textContent = row.unit || "";
    line.querySelector("[data-stock]").textContent = row.available != null ? `Available: ${row.available}`
      : row.supply_label;
    const vendor = field("vendor_code");
    if (row.vendor && (vendor.value === "" || vendor.value === vendor.dataset.filled)) {
      fill(vendor, row.vendor.code);
      idInput(vendor).value = row.vendor.id;
      noteOf(vendor).textContent = row.vendor.name;
    }
    const drop = line.querySelector("[data-role=drop-ship]");
    if (drop && !field("id").value) drop.checked = row.drop_ship;
  }
}

// Enter moves to the next field; on the last field of the last line it adds a line
function moveOn(form, body, el) {
  const visible = (f) => !f.disabled && f.offsetParent !== null;
  const fields = [...form.querySelectorAll("input:not([type=hidden]), select, textarea")].filter(visible);
  const row = el.closest("tbody tr");
  const last = row && !row.nextElementSibling
    && [...row.querySelectorAll("input:not([type=hidden]), select")].filter(visible).pop() === el;
  const i = fields.indexOf(el);
  if (last) {
    document.getElementById("add-line").click();
    const added = body.lastElementChild.querySelector("[data-lookup]");
    if (added) added.focus();
  } else if (i >= 0 && i + 1 < fields.length) {
    fields[i + 1].focus();
  }
}

// -- the order form --------------------------------------------------------------------------
function OrderEntry(form) {
  const method = form.dataset.discountMethod || "line";
  const decimals = Number(form.dataset.priceDecimals || 3);
  const afterLine = form.dataset.invoiceAfterLine === "1";
  const table = form.querySelector("#so-lines");
  const body = table.querySelector("tbody");
  const totals = form.querySelector("#so-totals");
  const field = (row, name) => row.querySelector(`[name$="-${name}"]`);

  const recalc = () => {
    let gross = Dec.zero, net = Dec.zero;
    body.querySelectorAll("tr").forEach((row) => {
      const out = row.querySelector("[data-line-value]");
      const price = Dec.parse(field(row, "unit_price").value) || Dec.parse(row.dataset.listPrice);
      const qty = Dec.parse(field(row, "qty_ordered").value);
      const pct = Dec.parse(field(row, "discount_pct").value) || Dec.zero;
      if (!price || !qty) { out.textContent = ""; return; }
      const v = lineValues(price, qty, pct, method, decimals);
      out.textContent = Dec.format(v.net, 2);
      gross = Dec.add(gross, v.gross);
      net = Dec.add(net, v.net);
    });
    const pct = Dec.parse(form.querySelector("[data-calc=invoice-discount]").value) || Dec.zero;
    const discount = Dec.round(Dec.pct(afterLine ? net : gross, pct), 2);
    form.querySelector("#so-merchandise").textContent = Dec.format(net, 2);
    form.querySelector("#so-invoice-discount").textContent = Dec.format(discount, 2);
    form.querySelector("#so-total").textContent = Dec.format(Dec.sub(net, discount), 2);
    totals.hidden = false;
  };

  const chosen = (el, row) => { applyChoice(form, el, row); if (el.dataset.lookup === "item") recalc(); };
  form.addEventListener("keydown", (e) => {
    const el = e.target;
    if (e.key !== "Enter" || e.defaultPrevented || !el.matches("input, select")) return;
    if (el.type === "submit" || el.type === "button") return;
    e.preventDefault();
    moveOn(form, body, el);
  });
  form.addEventListener("input", (e) => { if (e.target.matches("[data-calc]")) recalc(); });
  body.addEventListener("click", (e) => { if (e.target.matches("[data-remove-line]")) setTimeout(recalc, 0); });
  TypeAhead(form, chosen);
  recalc();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-order-entry]").forEach(OrderEntry);
});
