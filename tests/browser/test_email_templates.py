"""Email in a real browser: a BACK ORDER template with an error, fixed and previewed, linked to a PO line
status; the status set on a PO line serving a back-ordered sales order; the email pending, sent, and read
in the Mailbox (the local mail sink on loopback)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from core.db import db
from tests.browser.conftest import login


def test_back_order_email_from_template_to_mailbox(live_server, page, tmp_path):
    import sqlalchemy as sa

    from core.demo import add_core_demo
    from core.mailsink import mailbox_path, start
    from plugins.purchase_order.models import PoLineStatus
    from tests.email_templates.conftest import set_email_options
    from tests.email_templates.test_backorder import backordered_po

    live_server.app.instance_path = str(tmp_path)
    sink = start(mailbox_path(str(tmp_path)), port=0)
    try:
        with live_server.app.app_context():
            add_core_demo(db.session)
            db.session.commit()
            set_email_options(smtp_host="", sink_port=sink.port)
            po, so_number = backordered_po()
            po_id = po.id
            db.session.add(PoLineStatus(code="BO", description="Back ordered by vendor"))
            db.session.commit()
            status_id = db.session.scalar(sa.select(PoLineStatus.id).where(PoLineStatus.code == "BO"))
        url = live_server.url
        login(page, live_server, "admin")

        # a template with a syntax error: the message shows beside the field, nothing is lost
        page.goto(f"{url}/email/templates/new")
        page.fill("input[name=name]", "Back order notice")
        page.select_option("select[name=type]", "BACK ORDER")
        page.fill("input[name=subject]", "Your order {{ orders|join(', ') }} is on its way")
        page.fill("textarea[name=body_html]", "<p>Dear {{ customer.name }</p>")
        page.fill("textarea[name=body_text]", "Dear {{ customer.name }}, PO {{ po_number }}: {{ status.description }}.")
        page.click("button[name=save]")
        expect(page.locator("#error-body_html")).to_contain_text("Syntax error on line 1")
        expect(page.locator("textarea[name=body_text]")).to_have_value(re.compile("status.description"))
        expect(page.locator("#variables")).to_contain_text("customer")

        # fixed, previewed on the sample, saved
        page.fill("textarea[name=body_html]", "<p>Dear {{ customer.name }}</p>")
        page.click("button[name=preview]")
        expect(page.locator("#preview-subject")).to_have_text("Your order SO1001 is on its way")
        expect(page.locator("#preview-text")).to_contain_text("Dear Acme Retail")
        page.click("button[name=save]")
        expect(page.locator(".flash.success")).to_contain_text("Template Back order notice saved")

        # linked to the PO line status through the field the email plugin adds to that form
        page.goto(f"{url}/po-line-statuses/{status_id}")
        page.select_option("select[name=em_template_id]", label="Back order notice (BACK ORDER)")
        page.click("form.card button[type=submit]")
        expect(page.locator(".flash.success")).to_contain_text("BO saved")

        # the status set on the PO line that serves the sales order
        page.goto(f"{url}/purchase-orders/{po_id}/edit")
        page.select_option("select[name='lines-0-line_status_id']", value=str(status_id))
        page.click("form.card .actions button[type=submit]")
        expect(page.locator(".flash.success")).to_contain_text("saved")

        # pending, then sent by hand
        page.goto(f"{url}/email/pending")
        row = page.locator("table.pending tbody tr").first
        expect(row).to_contain_text("orders@acme.example")
        expect(row).to_contain_text(f"Your order {so_number} is on its way")
        expect(row).to_contain_text("Pending")
        row.locator("input[type=checkbox]").check()
        page.get_by_role("button", name="Send selected now").click()
        expect(page.locator(".flash.success")).to_contain_text("1 sent")
        expect(page.locator("table.pending tbody tr").first).to_contain_text("Sent")

        # and read in the Mailbox
        page.goto(f"{url}/email/mailbox")
        expect(page.locator("table.mailbox")).to_contain_text(f"Your order {so_number} is on its way")
        expect(page.locator("#message")).to_contain_text("Dear Acme Hardware")
    finally:
        sink.stop()
