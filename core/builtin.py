"""Core's own contributions, made through the same hooks as any plugin (Datasette style)."""

from __future__ import annotations

from .hookspecs import hookimpl
from .plugins import Manifest, MenuItem

manifest = Manifest(
    name="core",
    title="Platform",
    version="0.1.0",
    description="Users and roles, modules, setup options, numbering and master data.",
    table_prefix="core_",
    required=True,
    blueprints=("auth:bp", "admin:home_bp", "admin:bp", "masterdata:bp", "lookup:bp", "api.pages:bp"),
    options=None,  # core's options and commands are computed in the hooks below
    commands=None,
    menu=(
        MenuItem("Customers & vendors", "masterdata.partners", order=80, group="Sales"),
        MenuItem("Items", "masterdata.items", order=81, group="Inventory"),
        MenuItem("Stock", "masterdata.stock", order=82, group="Inventory"),
        MenuItem("API keys", "api_keys.index", section="admin", order=90),
        MenuItem("Modules", "admin.modules", section="admin", roles=("admin",), order=10),
        MenuItem("Setup options", "admin.options_index", section="admin", roles=("admin",), order=20),
        MenuItem("Users", "admin.users", section="admin", roles=("admin",), order=30),
        MenuItem("Warehouses", "masterdata.warehouses", section="admin", roles=("admin",), order=40),
    ),
)


@hookimpl
def api_blueprints():
    from .api.resources import BLUEPRINTS

    return list(BLUEPRINTS)


@hookimpl
def setup_options():
    from .options import Option

    return [
        Option("company_name", "text", "", "Company name", tab="Company",
               help="Printed on purchase orders and available to email templates as company.name."),
        Option("company_address", "text", "", "Company address", tab="Company",
               help="Printed under the company name; separate lines with commas."),
    ]


@hookimpl
def register_commands(cli):
    from .cli import register_core_commands
    from .jobs import register_commands as register_job_commands

    register_core_commands(cli)
    register_job_commands(cli)


@hookimpl
def demo_data(session):
    from .demo import add_core_demo

    add_core_demo(session)
