"""A throwaway plugin with one job and one periodic job: each appends a line to a file."""

from __future__ import annotations

from pathlib import Path

from core.hookspecs import hookimpl
from core.jobs import Job
from core.plugins import Manifest

manifest = Manifest(name="jobs_probe", title="Jobs probe", version="0")


def record(path: str, text: str) -> None:
    with Path(path).open("a") as fh:
        fh.write(text + "\n")


def tick() -> None:
    record(str(Path(TICK_FILE[0])), "tick") if TICK_FILE else None


TICK_FILE: list[str] = []


@hookimpl
def background_jobs():
    return [Job("record", record), Job("tick", tick, every_minutes=1)]
