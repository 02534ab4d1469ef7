"""Open syncing notifications on the home page (one query)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from core.db import db
from core.plugins import Figure

from .models import SyncNotification


def figures() -> list[Figure]:
    open_count = db.session.scalar(sa.select(sa.func.count()).select_from(SyncNotification)
                                   .where(SyncNotification.resolved.is_(False))) or 0
    return [Figure("Syncing notifications", open_count, url_for("supplier_sync.notifications", state="open"),
                   group="Purchasing", order=60,
                   hint="What supplier sync could not apply by itself (cancelled lines, unknown items, errors).")]
