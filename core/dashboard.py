"""The home page: what needs doing (``dashboard_figures`` from every enabled plugin) and charts.

Figures are grouped by area in a fixed order; charts are drawn here as SVG on the
server (no script, no CDN), so they print and work under the Content-Security-Policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from markupsafe import Markup, escape

from .auth import user_can
from .plugins import Chart, Figure, HookError, host_of

AREAS = ("Sales", "Purchasing", "Inventory", "Settings")
BAR_HEIGHT, GAP, LABEL_WIDTH, WIDTH = 22, 8, 170, 560


@dataclass
class Dashboard:
    groups: list[tuple[str, list[Figure]]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def collect() -> Dashboard:
    """Every enabled plugin's figures and charts the user may see; a failing plugin becomes a notice."""
    figures: list[Figure] = []
    charts: list[Chart] = []
    problems: list[str] = []
    for name, value in host_of(current_app).contributions("dashboard_figures"):
        if isinstance(value, HookError):
            problems.append(f"Module '{name}' could not show its figures: {value.original}")
            continue
        for entry in value or []:
            if not user_can(*entry.roles):
                continue
            (charts if isinstance(entry, Chart) else figures).append(entry)
    by_area: dict[str, list[Figure]] = {}
    for fig in sorted(figures, key=lambda f: (f.order, f.label)):
        by_area.setdefault(fig.group, []).append(fig)
    order = {area: i for i, area in enumerate(AREAS)}
    groups = sorted(by_area.items(), key=lambda kv: (order.get(kv[0], len(AREAS)), kv[0]))
    return Dashboard(groups, sorted(charts, key=lambda c: (c.order, c.title)), problems)


def amount(value: int | Decimal, money: bool) -> str:
    return f"{Decimal(value):,.2f}" if money else f"{int(value):,}"


def bar_chart(chart: Chart) -> Markup:
    """A horizontal bar chart as inline SVG: one bar per entry, its value at the end, each bar a link."""
    if not chart.bars:
        return Markup('<p class="note">Nothing to show.</p>')
    top = max((Decimal(b.value) for b in chart.bars), default=Decimal(0)) or Decimal(1)
    span = WIDTH - LABEL_WIDTH - 90
    height = len(chart.bars) * (BAR_HEIGHT + GAP) + GAP
    rows = []
    for i, bar in enumerate(chart.bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = max(2, int(span * Decimal(bar.value) / top)) if bar.value else 0
        text = amount(bar.value, chart.money)
        shape = (f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" class="chart-label">'
                 f'{escape(bar.label)}</text>'
                 f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" rx="3" class="chart-bar">'
                 f'<title>{escape(bar.label)}: {text}</title></rect>'
                 f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 15}" class="chart-value">{text}</text>')
        if bar.url:
            shape = f'<a href="{escape(bar.url)}">{shape}</a>'
        rows.append(shape)
    return Markup(f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
                  f'aria-label="{escape(chart.title)}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')
