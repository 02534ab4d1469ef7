"""The platform hooks: what any plugin may contribute to the host.

A contract belongs to its owner. This module declares only the hooks the host itself
fires (pages, options, menus, forms, commands, migrations, demo data, enable/disable,
options changed, partner/item saved, page panels and actions). A business plugin
declares its own events in its own ``hookspecs.py`` (``plugins/sales_order/hookspecs.py``
declares ``on_sales_order_saved``, ``plugins/purchase_order/hookspecs.py`` declares
``on_receipt``), and a third-party plugin publishes hooks the same way.

Publishing hooks from a plugin
    Put the specs in a module of the plugin, marked with :data:`hookspec`, and expose
    that module as ``hookspecs`` on the plugin module (``from . import hookspecs`` in
    ``plugin.py`` is enough). The host adds every loaded plugin's ``hookspecs`` with
    ``pm.add_hookspecs`` before any plugin registers its implementations, so the
    specs are there when a dependant registers. A plugin may implement only the hooks
    of core, its own, and those of the plugins in its ``depends`` (directly or not);
    anything else (a hook nobody declares, a hook of a plugin that failed to load or
    that it does not depend on) fails that plugin with the reason, and the site runs.

Adding a hook (to core or to a plugin's ``hookspecs.py``)
    1. Declare a function with :data:`hookspec`, typed keyword arguments (string
       annotations; types of other modules imported under ``TYPE_CHECKING`` so core
       imports no plugin) and a docstring saying when it fires, inside or outside the
       transaction, what it may change, what an exception does, ending with an
       ``Example::`` block.
    2. Fire it through the host (``host_of(app).hook.<name>(...)``), never by calling
       implementations yourself.
    3. Write ``test_hook_<name>`` (it must fail when the hook stops firing) and run
       ``orderbridge plugins docs --write``. Tests fail when either is missing.

Calling rules:

* Hooks are called with keyword arguments only; an implementation may accept any
  subset of the declared arguments (pluggy's rule).
* Every call goes through pluggy's callers: ``host.hook.<name>(...)`` is
  ``pm.subset_hook_caller`` for the enabled plugins, cached per enabled set, so
  ``hookwrapper``/``wrapper`` implementations, ``firstresult`` specs and the
  ``tryfirst``/``trylast`` markers work. Only enabled plugins' implementations run.
* **Order (one rule):** pluggy calls implementations last-registered-first, and the
  host registers plugins in reverse dependency order, so implementations run in
  dependency order: core first, then each plugin after the plugins it depends on
  (ties by name). ``tryfirst``/``trylast`` move an implementation to the front or the
  back; wrappers surround all of them.
* Per-plugin contributions collected at start-up or per page (blueprints, options,
  commands, migrations, demo data, menu items, form fields, page panels and actions)
  are called plugin by plugin, in the same dependency order, each through a pluggy
  subset caller holding that one plugin, so a failure names exactly one plugin and
  hides nothing of the others.
* "Inside the transaction" means the implementation shares the caller's
  ``db.session``: it may add or change rows, it must not commit, and anything that
  leaves the process (mail, supplier calls) goes to an outbox table instead.
* An exception raised by an implementation of a hook that runs inside a save aborts
  the save: everything is rolled back and the user sees an error naming the plugin
  (the host raises :class:`core.errors.HookError`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint
    from sqlalchemy.orm import Session

    from .api import Blueprint as ApiBlueprint
    from .jobs import Job
    from .models import Item, Partner
    from .options import Option
    from .plugins import Action, Chart, Figure, MenuItem, Panel

PROJECT = "orderbridge"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------------------
# What a plugin contributes to the host (collected plugin by plugin)
# ---------------------------------------------------------------------------


@hookspec
def register_blueprints() -> list[Blueprint]:
    """Return a list of Flask blueprints this plugin serves.

    Fires once, in ``create_app``, for every installed plugin (enabled or not): Flask
    forbids adding routes later. Requests to a disabled plugin's blueprints answer 404.
    Every view must carry :func:`core.auth.require` or :func:`core.auth.public`.
    An exception marks the plugin as failed on the Modules page; the site still starts.
    Fixed blueprints need no hook: the manifest's ``blueprints`` (default
    ``("views:bp",)``) names them; this hook is for computed ones.

    Example::

        @hookimpl
        def register_blueprints():
            from .views import bp  # Blueprint("my_plugin", __name__, template_folder="templates")
            return [bp]
    """


@hookspec
def api_blueprints() -> list[ApiBlueprint]:
    """Return the plugin's ``/api/v1`` resources as :class:`core.api.Blueprint` (flask-smorest) objects.

    Fires once, in ``create_app``, for every installed plugin (enabled or not), after the
    page blueprints. The host registers each in the OpenAPI document, exempts it from
    CSRF (API keys, no cookies), rate limits it per key, and answers 404 while the plugin
    is disabled (its operations also leave ``/api/v1/openapi.json``). Every view must
    carry :func:`core.auth.require` (the key acts as its user) or :func:`core.auth.public`,
    and call the plugin's service functions, never write rows itself. An exception marks
    the plugin as failed on the Modules page; the site still starts.

    Example::

        @hookimpl
        def api_blueprints():
            from .api import bp  # Blueprint("api_my_plugin", __name__, url_prefix="/api/v1/my-things")
            return [bp]
    """


@hookspec
def setup_options() -> list[Option]:
    """Return the plugin's setup options as a list of :class:`core.options.Option`.

    Fires once, in ``create_app``. The host renders the tabbed options page, validates
    input, audits changes and exports/imports them from this one declaration. Option
    keys are unique within the plugin. An exception marks the plugin as failed. A fixed
    list needs no hook: the manifest's ``options`` (default ``"options:OPTIONS"``) names it.

    Example::

        @hookimpl
        def setup_options():
            return [Option("max_lines", "int", 50, "Maximum lines", tab="Main", min=1, max=500)]
    """


@hookspec
def menu_items() -> list[MenuItem]:
    """Return a list of :class:`core.plugins.MenuItem` for the navigation bar.

    Fires when a page is rendered, outside any transaction, for enabled plugins only;
    items whose roles the user lacks are hidden. The menu has one drop-down per area:
    ``group`` places the item in ``"Sales"``, ``"Purchasing"``, ``"Inventory"`` or
    ``"Settings"`` (another name makes a new area after those). An item without a group
    (written before areas existed) goes in Settings when its ``section`` is ``"admin"``
    and in *More* otherwise. The breadcrumbs of a page come from the same items. An
    exception is logged and the plugin's items are left out of that page. Fixed entries
    need no hook: the manifest's ``menu`` (a tuple of ``MenuItem``) declares them, shown
    the same way and before this hook's; the hook is for computed entries.

    Example::

        @hookimpl
        def menu_items():
            return [MenuItem("My pages", "my_plugin.index", order=50, group="Purchasing"),
                    MenuItem("My setup", "my_plugin.setup", section="admin", roles=("admin",))]
    """


@hookspec
def extend_form(form_name: str, obj: Any | None) -> dict[str, Any]:
    """Return a dict of extra WTForms fields (name -> unbound field) for a host form.

    Fires each time the host builds the form called ``form_name`` (for example
    ``"partner"``, ``"item"``); ``obj`` is the record being edited or ``None``. The
    host adds the fields to a per-request subclass, never to the shared class, so a
    disabled plugin's fields simply disappear. Read them back in a ``*_saved`` hook
    through its ``form_data`` argument. An exception is shown as an error naming
    the plugin and the form is rendered without that plugin's fields.

    Example::

        @hookimpl
        def extend_form(form_name, obj):
            if form_name == "partner":
                return {"my_code": StringField("My code", validators=[Length(max=10)])}
            return {}
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands or groups to ``cli``, the ``orderbridge`` command group.

    Fires once, in ``create_app``, for every installed plugin. Use
    :func:`core.cli.subgroup` to share a group (``orderbridge purchasing ...``) with
    other plugins. Commands of a disabled plugin refuse to run
    (:meth:`core.plugins.PluginHost.require_enabled`). An exception marks the plugin
    as failed. The manifest's ``commands`` (default ``"cli:register"``) names such a function without a hook.

    Example::

        @hookimpl
        def register_commands(cli):
            from .cli import close_period  # a click command calling require_enabled("my_plugin")

            subgroup(cli, "purchasing", "Purchasing commands.").add_command(close_period)
    """


@hookspec
def migrations_dir() -> str | None:
    """Return the path of the plugin's Alembic script directory, or ``None``.

    Fires in ``orderbridge db upgrade`` and at start-up checks. Each plugin keeps its
    own independent history (own version table ``alembic_version_<plugin>``) and only
    creates tables carrying its own prefix. An exception stops the upgrade with the
    plugin's name. A folder beside the plugin module needs no hook: the
    manifest's ``migrations`` (default ``"migrations"``) names it.

    Example::

        @hookimpl
        def migrations_dir():
            return str(Path(__file__).parent / "migrations")
    """


@hookspec
def demo_data(session: Session) -> None:
    """Add demonstration records for this plugin to ``session``.

    Fires in ``orderbridge demo`` after core's demo master data, inside one
    transaction that is committed at the end; an exception rolls all demo data back
    and names the plugin.

    Example::

        @hookimpl
        def demo_data(session):
            session.add(Warehouse(code="DEMO", name="Demo warehouse"))
    """


@hookspec
def background_jobs() -> list[Job]:
    """Return a list of :class:`core.jobs.Job`: the plugin's background jobs and periodic jobs.

    Fires once per process, the first time the job queue is used (the web process on its
    first enqueue, ``orderbridge worker`` at start), for every installed plugin, outside any
    transaction. Each job is registered on the Huey queue as ``<plugin>.<name>``; it runs in
    its own application context and database session (it commits its own work), and only
    while the plugin is enabled. Enqueue with :func:`core.jobs.enqueue_after_commit` so that
    a rolled-back save enqueues nothing; keep the work itself in an outbox table and give a
    periodic job (``every_minutes``) that re-enqueues what a lost hint left behind. An
    exception stops the queue from starting and names the plugin.

    Example::

        @hookimpl
        def background_jobs():
            return [Job("send", send_pending, retries=2, retry_delay=30),
                    Job("sweep", sweep_outbox, every_minutes=1)]
    """


@hookspec
def page_panels(page: str, obj: Any) -> list[Panel]:
    """Return a list of :class:`core.plugins.Panel` to show on another plugin's page.

    Fires when the page ``page`` (for example ``"sales_order.view"``,
    ``"purchase_order.view"``) renders ``obj``, outside any write transaction. This is
    how a bridge plugin shows its links (the POs serving a sales order) without the
    page's owner knowing it. Must not change data. An exception is logged and the
    panel is replaced by a notice naming the plugin.

    Example::

        @hookimpl
        def page_panels(page, obj):
            if page != "sales_order.view":
                return []
            html = render_template("my_plugin/_panel.html", order=obj)
            return [Panel("My links", Markup(html), order=50)]
    """


@hookspec
def page_actions(page: str, obj: Any) -> list[Action]:
    """Return a list of :class:`core.plugins.Action` (buttons) for another plugin's page.

    Same timing as :func:`page_panels`; used for *Generate POs* and *Reset Purchase
    Orders* on the sales order page. The action's endpoint enforces its own
    permission; the button is only a link or a form. An exception is logged and that
    plugin's buttons are left out of the page; the page itself still renders.

    Example::

        @hookimpl
        def page_actions(page, obj):
            if page != "sales_order.view":
                return []
            return [Action("Do it", url_for("my_plugin.do", order_id=obj.id), method="post",
                           roles=("sales",), confirm="Really?")]
    """


@hookspec
def dashboard_figures() -> list[Figure | Chart]:
    """Return what the home page shows: :class:`core.plugins.Figure` and :class:`core.plugins.Chart`.

    Fires when the home page renders, in the request, outside any write transaction, for
    enabled plugins only; figures and charts whose roles the user lacks are hidden. Each
    figure says what needs doing (POs not yet sent, emails that failed) and links to the
    list filtered to exactly those records. Keep each one a single aggregate query, so
    the home page takes the same number of queries however much data there is. Must not
    change data. An exception is logged and replaced by a notice naming the plugin; the
    other plugins' figures still show.

    Example::

        @hookimpl
        def dashboard_figures():
            late = db.session.scalar(sa.select(sa.func.count()).select_from(MyDoc)
                                     .where(MyDoc.due < date.today()))
            return [Figure("Late documents", late, url_for("my_plugin.index", late=1),
                           group="Purchasing", roles=("purchasing",)),
                    Chart("Documents by age", (ChartBar("This week", 3), ChartBar("Older", 1)))]
    """


# ---------------------------------------------------------------------------
# Platform events (fired by the host for the enabled plugins)
# ---------------------------------------------------------------------------


@hookspec
def on_plugin_enabled(name: str) -> None:
    """A plugin called ``name`` was just enabled (alone or as a dependency).

    Fires after the new state is committed, in the process that made the change, for
    every plugin enabled afterwards (including ``name`` itself). An exception is
    reported next to the change and does not undo it.

    Example::

        @hookimpl
        def on_plugin_enabled(name):
            if name == "my_plugin":
                log.info("my_plugin is on")
    """


@hookspec
def on_plugin_disabled(name: str) -> None:
    """A plugin called ``name`` was just disabled.

    Fires after the new state is committed, for the plugins still enabled and for
    ``name`` itself. Its data is kept. An exception is reported and does not undo the
    change.

    Example::

        @hookimpl
        def on_plugin_disabled(name):
            if name == "my_plugin":
                log.info("my_plugin is off; its data is kept")
    """


@hookspec
def on_options_changed(plugin: str, changes: dict[str, tuple[Any, Any]]) -> None:
    """Setup options of ``plugin`` changed: ``changes`` maps key -> (old, new).

    Fires inside the transaction that stores the options (page, import or CLI); an
    exception rolls the whole change back and is shown naming the plugin.

    Example::

        @hookimpl
        def on_options_changed(plugin, changes):
            if plugin == "my_plugin" and "max_lines" in changes:
                old, new = changes["max_lines"]
                if new < old:
                    raise ValueError("lower the limit after archiving long orders")
    """


@hookspec
def on_partner_saved(partner: Partner, created: bool, form_data: dict[str, Any]) -> None:
    """A customer/vendor record was saved from its form or import.

    Fires inside the save's transaction after the row is flushed. ``form_data`` holds
    the submitted values, including fields added by :func:`extend_form`. An exception
    aborts the save and names the plugin.

    Example::

        @hookimpl
        def on_partner_saved(partner, created, form_data):
            db.session.add(MyPartnerCode(partner_id=partner.id, code=form_data.get("my_code", "")))
    """


@hookspec
def on_item_saved(item: Item, created: bool, form_data: dict[str, Any]) -> None:
    """An item record was saved; same rules as :func:`on_partner_saved`.

    Example::

        @hookimpl
        def on_item_saved(item, created, form_data):
            if created:
                db.session.add(MyItemInfo(item_id=item.id))
    """
