"""Background jobs on Huey: an embedded SQLite queue under ``instance/`` by default, Redis when
``ORDERBRIDGE_QUEUE_URL=redis://…`` is set.

Plugins declare their jobs as data through the ``background_jobs`` hook (a list of
:class:`Job`); the host registers every installed plugin's jobs on one Huey instance per
app, named ``<plugin>.<job>``. A job runs in its own application context (its own database
session) and only while its plugin is enabled.

The queue is a hint, the database is the truth: work that must not be lost is written to an
outbox table in the business transaction, and :func:`enqueue_after_commit` sends the hint only
once that transaction commits. A periodic job of the owning plugin sweeps the outbox and
re-enqueues what a lost hint left behind.

Configuration (app config, or the environment for the URL):

* ``ORDERBRIDGE_QUEUE_URL`` / ``QUEUE_URL``: ``redis://host:port/db`` selects Redis;
* ``QUEUE_PATH``: the SQLite queue file (default ``instance/queue.db``);
* ``QUEUE_NAME``: the queue's name (default ``orderbridge``);
* ``QUEUE_IMMEDIATE``: run jobs at once in the calling process (Huey's immediate mode);
  defaults to ``TESTING`` so unit tests need no consumer.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper

from .db import db
from .lifecycle import after_commit

log = logging.getLogger(__name__)
_LOCK = threading.Lock()
EXTENSION = "orderbridge_jobs"


@dataclass(frozen=True)
class Job:
    """One background job a plugin offers.

    ``func`` is called with the arguments given at enqueue time, inside an application
    context with its own database session (commit what it does). ``every_minutes`` makes
    it periodic (run by the worker's scheduler; periodic jobs take no arguments).
    ``retries``/``retry_delay`` (seconds) are Huey's: a raising job is tried again.
    """

    name: str
    func: Callable[..., Any]
    every_minutes: int | None = None
    retries: int = 0
    retry_delay: int = 0


def queue_url(app: Flask) -> str:
    return os.environ.get("ORDERBRIDGE_QUEUE_URL") or app.config.get("QUEUE_URL") or ""


def make_huey(app: Flask) -> Huey:
    """The Huey instance the app's configuration asks for (Redis, or SQLite under instance/)."""
    name = app.config.get("QUEUE_NAME", "orderbridge")
    immediate = bool(app.config.get("QUEUE_IMMEDIATE", app.config.get("TESTING", False)))
    url = queue_url(app)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, immediate=immediate, results=False)
    if url:
        raise click.ClickException(f"ORDERBRIDGE_QUEUE_URL must be a redis:// URL, not {url!r}")
    path = app.config.get("QUEUE_PATH") or str(Path(app.instance_path) / "queue.db")
    return SqliteHuey(name, filename=path, immediate=immediate, results=False, timeout=30)


class Jobs:
    """The app's queue and its registered jobs: ``jobs.enqueue("email_templates.send", 3)``."""

    def __init__(self, app: Flask) -> None:
        from .plugins import host_of

        self.app = app
        self.huey = make_huey(app)
        self.tasks: dict[str, TaskWrapper] = {}
        host = host_of(app)
        for plugin, jobs in host.call_each("background_jobs"):
            for job in jobs or []:
                self._register(plugin, job)

    def _register(self, plugin: str, job: Job) -> None:
        if not isinstance(job, Job):
            raise TypeError(f"background_jobs of {plugin} must return Job objects, got {type(job).__name__}")
        name = f"{plugin}.{job.name}"
        if name in self.tasks:
            raise ValueError(f"job {name} declared twice")
        run = _bound(self.app, plugin, name, job.func)
        if job.every_minutes:
            schedule = crontab(minute=f"*/{job.every_minutes}")
            task = self.huey.periodic_task(schedule, name=name, retries=job.retries,
                                           retry_delay=job.retry_delay)(run)
        else:
            task = self.huey.task(name=name, retries=job.retries, retry_delay=job.retry_delay)(run)
        self.tasks[name] = task

    def task(self, name: str) -> TaskWrapper:
        try:
            return self.tasks[name]
        except KeyError:
            raise KeyError(f"no background job called {name!r} (known: {', '.join(sorted(self.tasks))})") from None

    def enqueue(self, name: str, *args: Any) -> None:
        """Put a hint on the queue now (in immediate mode: run it now)."""
        self.task(name)(*args)

    def consumer(self, workers: int = 1, periodic: bool = True):
        """Huey's consumer for this queue; thread workers (jobs wait on the network, not the CPU)."""
        self.huey.immediate = False
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic,
                                         initial_delay=0.05, max_delay=1.0, check_worker_health=True)


def _bound(app: Flask, plugin: str, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` run in a fresh app context (own session), skipped while ``plugin`` is disabled."""

    def run(*args: Any, **kwargs: Any) -> Any:
        from .plugins import host_of

        with app.app_context():
            try:
                if plugin not in host_of(app).enabled():
                    log.info("job %s skipped: plugin %s is disabled", name, plugin)
                    return None
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    run.__name__ = run.__qualname__ = name.replace(".", "_")
    return run


def jobs_of(app: Flask | None = None) -> Jobs:
    """The app's :class:`Jobs`, built on first use (web processes that never enqueue pay nothing)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    jobs = app.extensions.get(EXTENSION)
    if jobs is None:
        with _LOCK:
            jobs = app.extensions.get(EXTENSION)
            if jobs is None:
                jobs = app.extensions[EXTENSION] = Jobs(app)
    return jobs


def enqueue_after_commit(task: str | TaskWrapper, *args: Any) -> None:
    """Enqueue ``task`` (a job name or a registered task) once the current transaction commits.

    A rolled-back transaction enqueues nothing. The same (task, args) asked for twice in one
    transaction is enqueued once. If the enqueue itself fails (queue down), the commit stands
    and the owning plugin's periodic sweep picks the work up from its outbox.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    name = task if isinstance(task, str) else task.name
    key = (name, args)
    asked: set = db.session.info.setdefault("ob_jobs_asked", set())
    if key in asked:
        return
    asked.add(key)

    def send() -> None:
        jobs_of(app).enqueue(name, *args)

    after_commit(send)


def _forget_asked(session, *_args) -> None:
    if not session.in_nested_transaction():
        session.info.pop("ob_jobs_asked", None)


def _forget_asked_on_rollback(session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop("ob_jobs_asked", None)


def _install_listeners() -> None:
    import sqlalchemy as sa

    for event, listener in (("after_commit", _forget_asked), ("after_soft_rollback", _forget_asked_on_rollback)):
        if not sa.event.contains(sa.orm.Session, event, listener):
            sa.event.listen(sa.orm.Session, event, listener)


_install_listeners()


def register_commands(cli: click.Group) -> None:
    """``orderbridge worker``: run the queue's consumer with the app's context."""

    @cli.command("worker")
    @click.option("--workers", "-w", default=1, show_default=True, type=click.IntRange(1, 64),
                  help="Worker threads in this process.")
    @click.option("--no-periodic", is_flag=True, help="Do not run periodic jobs (sweeps) in this process.")
    def worker(workers: int, no_periodic: bool) -> None:
        """Run background jobs (mail sending, sweeps) until stopped with Ctrl-C or SIGTERM."""
        jobs = jobs_of()
        url = queue_url(jobs.app)
        where = url or jobs.huey.storage.filename  # type: ignore[attr-defined]
        click.echo(f"OrderBridge worker: {workers} thread(s) on {where}; jobs: {', '.join(sorted(jobs.tasks))}")
        db.session.remove()  # jobs use their own sessions; hold no transaction (SQLite: no write lock)
        jobs.consumer(workers=workers, periodic=not no_periodic).run()
