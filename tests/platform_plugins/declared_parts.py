"""What ``declared``'s manifest points at."""

from __future__ import annotations

import click
from flask import Blueprint

from core.auth import require
from core.options import Option

bp = Blueprint("declared", __name__, url_prefix="/declared")
OPTIONS = [Option("greeting", "text", "hello", "Greeting", tab="General")]


@bp.route("/")
@require()
def index():
    return "declared page"


def register(cli: click.Group) -> None:
    @cli.command("declared-hello")
    def hello() -> None:
        click.echo("hello from a declared command")
