"""Documents as PDF: the one path from a printable page to a PDF (WeasyPrint).

The PO attached to the vendor's email and the PDF buttons on the printable pages (purchase
order, order confirmation, invoice) all go through :func:`html_to_pdf`; the HTML is always
the owning plugin's own printable page, so a PDF never differs from what prints.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, url_for

from core.auth import require

# kind in the URL -> (the owner's printable page, its argument, a file name prefix)
PRINTABLE = {
    "purchase-order": ("purchase_order.print_po", "po_id", "purchase-order"),
    "sales-order": ("sales_order.print_order", "order_id", "order-confirmation"),
    "invoice": ("sales_order.print_invoice", "invoice_id", "invoice"),
}
# the page each printable document's PDF button appears on (page_actions)
PAGES = {"purchase_order.print": "purchase-order", "purchase_order.view": "purchase-order",
         "sales_order.print": "sales-order", "sales_order.invoice_print": "invoice"}


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()


@require()
def document_pdf(kind: str, doc_id: int):
    if kind not in PRINTABLE:
        abort(404)
    endpoint, arg, prefix = PRINTABLE[kind]
    view = current_app.view_functions.get(endpoint)
    if view is None:
        abort(404)
    html = view(**{arg: doc_id})  # the owner's page: its own access check and its own 404
    try:
        data = html_to_pdf(html if isinstance(html, str) else html[0])
    except (ImportError, OSError):  # WeasyPrint's system libraries missing: `make pdf-deps`
        flash("A PDF cannot be made on this server (WeasyPrint's libraries are missing); print the page instead.",
              "warning")
        return redirect(url_for(endpoint, **{arg: doc_id}))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{prefix}-{doc_id}.pdf"'})


def pdf_actions(page: str, obj) -> list:
    from core.plugins import Action

    kind = PAGES.get(page)
    if kind is None or obj is None:
        return []
    return [Action("Download PDF", url_for("email_templates.document_pdf", kind=kind, doc_id=obj.id))]
