"""Entry points of the two-process test's real processes, with the probe plugin registered.

    gunicorn 'tests.perf.procs:web_app()'          a web process
    python -m tests.perf.procs worker --workers 1  ``orderbridge worker`` (the same CLI command)

The queue's name comes from ``PERF_QUEUE_NAME`` (the URL from ``ORDERBRIDGE_QUEUE_URL``).
"""

from __future__ import annotations

import os
import sys

import core.plugins

core.plugins.BUILTIN_PLUGINS.setdefault("perf_probe", "tests.perf.perf_probe")


def config() -> dict:
    return {"QUEUE_NAME": os.environ["PERF_QUEUE_NAME"], "QUEUE_IMMEDIATE": False}


def web_app():
    from core import create_app

    return create_app(config())


if __name__ == "__main__":
    from flask.cli import FlaskGroup

    from core import create_app

    FlaskGroup(create_app=lambda: create_app(config())).main(args=sys.argv[1:], prog_name="orderbridge")
