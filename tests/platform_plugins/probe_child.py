"""Depends on ``probe``: for enable/disable dependency handling."""

from flask import Blueprint

from core.auth import require
from core.plugins import Manifest, MenuItem

manifest = Manifest(name="probe_child", title="Probe child", version="1.0", depends=("probe",),
                    blueprints=("probe_child:bp",), menu=(MenuItem("Probe child page", "probe_child.index", order=6),))

bp = Blueprint("probe_child", __name__, url_prefix="/probe-child")


@bp.route("/")
@require()
def index():
    return "child page"
