"""A throwaway plugin for the two-process test: a page that says it is on, and a job that logs each run.

``mark(n)`` inserts one row per execution into ``perf_probe_runs`` (made by the test, no
unique constraint): a job done twice shows as two rows, not as a swallowed error.
"""

from __future__ import annotations

import os
import time

import sqlalchemy as sa
from flask import Blueprint

from core.auth import require
from core.db import db
from core.hookspecs import hookimpl
from core.jobs import Job
from core.plugins import Manifest

manifest = Manifest(name="perf_probe", title="Perf probe", version="0")
bp = Blueprint("perf_probe", __name__, url_prefix="/perf-probe")


@bp.route("/ping")
@require()
def ping():
    return "on"


def mark(n: int) -> None:
    time.sleep(0.005)  # a little work, so that both workers take part
    db.session.execute(sa.text("INSERT INTO perf_probe_runs (job_no, pid) VALUES (:n, :pid)"),
                       {"n": n, "pid": os.getpid()})
    db.session.commit()


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def background_jobs():
    return [Job("mark", mark)]
