"""A plugin with one API resource, for ``test_hook_api_blueprints``."""

from __future__ import annotations

import marshmallow as ma

from core.api import Blueprint
from core.auth import require
from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="probe_api", title="API probe", version="1.0", description="API test plugin.")

bp = Blueprint("api_probe", __name__, url_prefix="/api/v1/probe", description="The probe's resource.")


class Echo(ma.Schema):
    said = ma.fields.String(required=True)


@bp.route("")
@require("sales")
@bp.response(200, Echo)
def hello():
    """Say hello."""
    return {"said": "hello from the probe"}


@hookimpl
def api_blueprints():
    return [bp]
