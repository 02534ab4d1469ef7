"""Pending and failed emails on the home page (one grouped query)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from core.db import db
from core.plugins import Figure

from .models import OutboxEmail

READERS = ("purchasing", "sales")  # who may open Pending Emails


def figures() -> list[Figure]:
    counts = dict(db.session.execute(
        sa.select(OutboxEmail.status, sa.func.count()).where(OutboxEmail.status.in_(("pending", "failed", "dead")))
        .group_by(OutboxEmail.status)).all())
    out = [
        Figure("Emails waiting to be sent", counts.get("pending", 0), url_for("email_templates.pending",
                                                                              state="pending"),
               group="Purchasing", order=50, roles=READERS, hint="Pending Emails not sent yet."),
        Figure("Emails that failed", counts.get("failed", 0), url_for("email_templates.pending", state="failed"),
               group="Purchasing", order=51, roles=READERS,
               hint="Emails that could not be sent after every retry: check them and send again."),
    ]
    if counts.get("dead"):
        out.append(Figure("Emails refused by the server", counts["dead"],
                          url_for("email_templates.pending", state="dead"), group="Purchasing", order=52,
                          roles=READERS, hint="The mail server refused these addresses."))
    return out
