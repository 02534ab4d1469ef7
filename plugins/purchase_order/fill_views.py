"""The Back Order Fill Report page (and its CSV download and printable form)."""

from __future__ import annotations

from flask import Response, render_template, request

from core.auth import require
from core.errors import ValidationError
from core.parsing import has_nul, parse_date

from . import fill_report as report
from .views import bp


def _text(args, name: str, errors: list) -> str:
    value = (args.get(name) or "").strip()
    if has_nul(value):
        errors.append((name, "Remove the character that cannot be stored."))
        return ""
    return value[:20]  # document numbers are at most 20 characters


def _filter(args, errors: list) -> report.ReportFilter:
    f = report.ReportFilter(receipt=_text(args, "receipt", errors), po=_text(args, "po", errors),
                            so=_text(args, "so", errors),
                            sort=args.get("sort") if args.get("sort") in dict(report.SORTS) else "so",
                            only_received=args.get("only_received") == "1", include_all=args.get("include_all") == "1")
    for name in ("date_from", "date_to"):
        raw = (args.get(name) or "").strip()
        setattr(f, name, parse_date(raw))
        if raw and getattr(f, name) is None:  # parse_date answers None for text that is no date
            errors.append((name, "Enter a date as YYYY-MM-DD."))
    return f


@bp.route("/receipts/fill-report")
@require()
def fill_report():
    errors: list[tuple[str | None, str]] = []
    f = _filter(request.args, errors)
    rows: list[report.FillRow] = []
    if not errors:
        try:
            rows = report.fill_report(f)
        except ValidationError as exc:
            errors = list(exc.errors)
    if request.args.get("format") == "csv" and not errors:
        return Response(report.to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=back-order-fill-report.csv"})
    template = "purchase_order/fill_print.html" if request.args.get("print") == "1" else "purchase_order/fill.html"
    return render_template(template, rows=rows, f=f, sorts=report.SORTS, args=request.args,
                           field_errors={k: m for k, m in errors if k}), (422 if errors else 200)
