"""A route with neither @require nor @public: the URL-map test must catch it."""

from flask import Blueprint

from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="unguarded", title="Unguarded", version="1.0")
bp = Blueprint("unguarded", __name__, url_prefix="/unguarded")


@bp.route("/")
def index():
    return "anyone?"


@hookimpl
def register_blueprints():
    return [bp]
