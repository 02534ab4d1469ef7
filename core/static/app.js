// Small progressive enhancements; every page works without them.
// No inline script anywhere (the Content-Security-Policy forbids it): pages mark behaviour
// with data- attributes and this file wires it up.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  // The menu: one area open at a time; a click elsewhere or Escape closes it; on a phone the
  // Menu button shows and hides the whole menu.
  const groups = document.querySelectorAll("details.navgroup");
  groups.forEach((d) => d.addEventListener("toggle", () => {
    if (d.open) groups.forEach((other) => { if (other !== d) other.open = false; });
  }));
  const closeGroups = () => groups.forEach((d) => { d.open = false; });
  document.addEventListener("click", (e) => { if (!e.target.closest("details.navgroup")) closeGroups(); });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeGroups(); });
  const toggle = document.querySelector("[data-nav-toggle]");
  const nav = document.getElementById("mainnav");
  if (toggle && nav) toggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
  // a printable page that opens the print dialog by itself
  // quick printing from a list: once printed, go where the page says (the document or the list)
  const afterPrint = document.body.dataset.afterPrint;
  if (afterPrint) window.addEventListener("afterprint", () => window.location.assign(afterPrint));
  if (document.body.hasAttribute("data-print-on-load")) window.print();
  // data-confirm on a form (asked on submit) or on a submit button (asked on click)
  document.addEventListener("submit", (e) => {
    const text = e.target.dataset && e.target.dataset.confirm;
    if (text && !window.confirm(text)) e.preventDefault();
  });
  document.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-confirm], input[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) e.preventDefault();
    if (e.target.closest("[data-print]")) { e.preventDefault(); window.print(); }
  });
  // Tabs: show one section at a time; without JS all sections are visible.
  document.querySelectorAll("[data-tabs]").forEach((root) => {
    const buttons = root.querySelectorAll(".tabs button[data-tab]");
    const sections = root.querySelectorAll("section[data-tab]");
    const hidden = root.querySelector("input[name=_tab]");
    const show = (name) => {
      buttons.forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === name)));
      sections.forEach((s) => { s.hidden = s.dataset.tab !== name; });
      if (hidden) hidden.value = name;
    };
    buttons.forEach((b) => b.addEventListener("click", (e) => { e.preventDefault(); show(b.dataset.tab); }));
    const firstError = root.querySelector(".tabs button.has-error");
    show((firstError && firstError.dataset.tab) || root.dataset.active || (buttons[0] && buttons[0].dataset.tab));
  });
  // "Available only if": enable or disable option fields as their controllers change.
  const conditional = document.querySelectorAll("[data-available-if]");
  const valueOf = (name) => {
    const el = document.querySelector(`[name="${name}"]`);
    if (!el) return undefined;
    if (el.type === "checkbox") return el.checked;
    return el.value;
  };
  const refresh = () => conditional.forEach((wrap) => {
    const cond = JSON.parse(wrap.dataset.availableIf);
    const ok = Object.entries(cond).every(([k, want]) => {
      const wants = Array.isArray(want) ? want : [want];
      return wants.some((w) => String(w) === String(valueOf(k)));
    });
    wrap.classList.toggle("unavailable", !ok);
    wrap.querySelectorAll("input, select, textarea").forEach((el) => { el.disabled = !ok; });
  });
  if (conditional.length) {
    document.querySelectorAll("input, select").forEach((el) => el.addEventListener("change", refresh));
    refresh();
  }
  // Editable document lines: add a line from the template row, remove a line.
  document.querySelectorAll("[data-lines]").forEach((table) => {
    const body = table.querySelector("tbody");
    const tpl = document.getElementById(table.dataset.lines);
    const add = document.querySelector(`[data-add-line="${table.id}"]`);
    const renumber = () => {
      body.querySelectorAll("tr").forEach((row, i) => {
        row.querySelectorAll("[name]").forEach((el) => { el.name = el.name.replace(/-\d+-/, `-${i}-`); el.id = el.name; });
      });
    };
    if (add && tpl) add.addEventListener("click", (e) => {
      e.preventDefault();
      body.insertAdjacentHTML("beforeend", tpl.innerHTML);
      renumber();
    });
    body.addEventListener("click", (e) => {
      if (e.target.matches("[data-remove-line]")) {
        e.preventDefault();
        if (body.querySelectorAll("tr").length > 1) { e.target.closest("tr").remove(); renumber(); }
        else { e.target.closest("tr").querySelectorAll("input").forEach((el) => { el.value = ""; }); }
      }
    });
  });
  // Suggestions for a typed code: an input with data-suggest and list="<datalist>" gets the
  // first matches of the datalist's data-url (core.lookup: ?q=, index range scans) as it is typed,
  // so no page carries a list of every item or partner. Without JavaScript the code is typed whole.
  document.addEventListener("input", (e) => {
    const input = e.target;
    if (!input.matches || !input.matches("input[data-suggest][list]")) return;
    const list = document.getElementById(input.getAttribute("list"));
    if (!list || !list.dataset.url) return;
    clearTimeout(input.suggestTimer);
    input.suggestTimer = setTimeout(() => {
      const q = input.value.trim();
      if (!q) return;
      const url = new URL(list.dataset.url, window.location.href);
      url.searchParams.set("q", q);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : { results: [] }))
        .then(({ results }) => {
          if (input.value.trim() !== q) return; // typed on meanwhile: a newer answer follows
          list.replaceChildren(...results.map((row) => {
            const option = document.createElement("option");
            option.value = row.code;
            option.textContent = row.name;
            return option;
          }));
        })
        .catch(() => {});
    }, 150);
  });
});
