"""Pending emails (the outbox) under ``/api/v1/pending-emails``: the Pending Emails page's
list, filters and buttons (send now, requeue, cancel), through :mod:`.outbox`."""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy.orm import defer

from core.api import Blueprint
from core.api.endpoints import action, records
from core.api.fields import Id, Lines, Text
from core.api.lists import PageArgs
from core.api.schemas import output, text_of

from . import outbox
from .models import STATES, OutboxEmail
from .views import _filtered as pending_filter

bp = Blueprint("pending_emails", __name__, url_prefix="/api/v1/pending-emails",
               description="Pending emails (the outbox): read them, send now, requeue, cancel.")
CLERKS = ("purchasing", "sales")  # the Pending Emails page's roles
MAX_IDS = 500

PendingEmailOut = output(
    "PendingEmailOut", "id:int type template_id:int? document recipient subject status status_label attempts:int "
    "next_attempt_at:stamp sent_at:stamp last_error attachment_name created_at:stamp")
PendingEmailDetail = output("PendingEmailDetail", "body_text body_html", base=PendingEmailOut)
SendResult = output("SendResult", "sent:int retry:int dead:int failed:int errors:strs",
                    summary=text_of(lambda r: r.summary()))
EmailsChanged = output("EmailsChanged", "changed:int")


class PendingEmailArgs(PageArgs):
    state = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *STATES]))
    type = Text(40, load_default="", metadata={"description": "An email type, e.g. BACK ORDER."})
    document = Text(80, load_default="", metadata={"description": "Document (PO or order number) contains."})
    date_from = Text(10, load_default="", metadata={"description": "Queued from (YYYY-MM-DD)."})
    date_to = Text(10, load_default="")


class EmailIds(ma.Schema):
    ids = Lines(Id(), MAX_IDS, lambda n: f"Select at most {MAX_IDS} emails at once; this has {n}.", required=True,
                validate=ma.validate.Length(min=1, error="Select at least one email."))


def _listed(args: dict) -> object:
    # the page's own filter; the list leaves the bodies and the attachment to the read-one
    return pending_filter(args).options(defer(OutboxEmail.attachment), defer(OutboxEmail.body_html),
                                        defer(OutboxEmail.body_text))


records(bp, "email", PendingEmailOut, query=PendingEmailArgs, load=OutboxEmail, select=_listed, roles=CLERKS,
        detail=PendingEmailDetail,
        docs=("Pending emails, newest first (the filters of the Pending Emails page).",
              "One email with its text and HTML body."))
action(bp, "/send", "send_emails", "Send the chosen emails now (as *Send selected now*): "
       "each is claimed, sent and its outcome kept; what could not be sent says why.",
       lambda data: outbox.send_pending(ids=data["ids"]), roles=CLERKS, body=EmailIds, response=SendResult)
action(bp, "/requeue", "requeue_emails", "Put failed, refused or cancelled emails back in the queue.",
       lambda data: {"changed": outbox.requeue(data["ids"])}, roles=CLERKS, body=EmailIds, response=EmailsChanged)
action(bp, "/cancel", "cancel_emails", "Cancel pending, failed or refused emails (never one sent or being sent).",
       lambda data: {"changed": outbox.cancel(data["ids"])}, roles=CLERKS, body=EmailIds, response=EmailsChanged)
