"""The whole plugin contract of OrderBridge.

Every hook a plugin may implement is declared here and nowhere else. Each docstring
says when the hook fires, whether it runs inside the database transaction of the save
that fired it, what the implementation may change, and what an exception does.
``docs/plugins.md`` is generated from this file (``orderbridge plugins docs --write``)
and a test fails when the two disagree or when a hook has no test.

Conventions:

* Hooks are called with keyword arguments only; an implementation may accept any
  subset of the declared arguments (pluggy's rule).
* Only enabled plugins' implementations are called.
* "Inside the transaction" means the implementation shares the caller's
  ``db.session``: it may add or change rows, it must not commit, and anything that
  leaves the process (mail, supplier calls) goes to an outbox table instead.
* An exception raised by an implementation of a hook that runs inside a save aborts
  the save: everything is rolled back and the user sees an error naming the plugin
  (the host raises :class:`core.plugins.HookError`).
"""

from __future__ import annotations

import pluggy

PROJECT = "orderbridge"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------------------
# Platform: what a plugin contributes to the host
# ---------------------------------------------------------------------------


@hookspec
def register_blueprints():
    """Return a list of Flask blueprints this plugin serves.

    Fires once, in ``create_app``, for every installed plugin (enabled or not): Flask
    forbids adding routes later. Requests to a disabled plugin's blueprints answer 404.
    Every view must carry :func:`core.auth.require` or :func:`core.auth.public`.
    An exception marks the plugin as failed on the Modules page; the site still starts.
    """


@hookspec
def setup_options():
    """Return the plugin's setup options as a list of :class:`core.options.Option`.

    Fires once, in ``create_app``. The host renders the tabbed options page, validates
    input, audits changes and exports/imports them from this one declaration. Option
    keys are unique within the plugin. An exception marks the plugin as failed.
    """


@hookspec
def menu_items():
    """Return a list of :class:`core.plugins.MenuItem` for the navigation bar.

    Fires when a page is rendered, outside any transaction, for enabled plugins only;
    items whose roles the user lacks are hidden. An exception is logged and the
    plugin's items are left out of that page.
    """


@hookspec
def extend_form(form_name, obj):
    """Return a dict of extra WTForms fields (name -> unbound field) for a host form.

    Fires each time the host builds the form called ``form_name`` (for example
    ``"partner"``, ``"item"``); ``obj`` is the record being edited or ``None``. The
    host adds the fields to a per-request subclass, never to the shared class, so a
    disabled plugin's fields simply disappear. Read them back in a ``*_saved`` hook
    through its ``form_data`` argument. An exception is shown as an error naming
    the plugin and the form is rendered without that plugin's fields.
    """


@hookspec
def register_commands(cli):
    """Add click commands or groups to ``cli``, the ``orderbridge`` command group.

    Fires once, in ``create_app``, for every installed plugin. Use
    :func:`core.cli.subgroup` to share a group (``orderbridge purchasing ...``) with
    other plugins. Commands of a disabled plugin refuse to run
    (:meth:`core.plugins.PluginHost.require_enabled`). An exception marks the plugin
    as failed.
    """


@hookspec
def migrations_dir():
    """Return the path of the plugin's Alembic script directory, or ``None``.

    Fires in ``orderbridge db upgrade`` and at start-up checks. Each plugin keeps its
    own independent history (own version table ``alembic_version_<plugin>``) and only
    creates tables carrying its own prefix. An exception stops the upgrade with the
    plugin's name.
    """


@hookspec
def demo_data(session):
    """Add demonstration records for this plugin to ``session``.

    Fires in ``orderbridge demo`` after core's demo master data, inside one
    transaction that is committed at the end; an exception rolls all demo data back
    and names the plugin.
    """


@hookspec
def page_panels(page, obj):
    """Return a list of :class:`core.plugins.Panel` to show on another plugin's page.

    Fires when the page ``page`` (for example ``"sales_order.view"``,
    ``"purchase_order.view"``) renders ``obj``, outside any write transaction. This is
    how a bridge plugin shows its links (the POs serving a sales order) without the
    page's owner knowing it. Must not change data. An exception is logged and the
    panel is replaced by a notice naming the plugin.
    """


@hookspec
def page_actions(page, obj):
    """Return a list of :class:`core.plugins.Action` (buttons) for another plugin's page.

    Same timing as :func:`page_panels`; used for *Generate POs* and *Reset Purchase
    Orders* on the sales order page. The action's endpoint enforces its own
    permission; the button is only a link or a form. An exception is logged and that
    plugin's buttons are left out of the page; the page itself still renders.
    """


@hookspec
def on_plugin_enabled(name):
    """A plugin called ``name`` was just enabled (alone or as a dependency).

    Fires after the new state is committed, in the process that made the change, for
    every plugin enabled afterwards (including ``name`` itself). An exception is
    reported next to the change and does not undo it.
    """


@hookspec
def on_plugin_disabled(name):
    """A plugin called ``name`` was just disabled.

    Fires after the new state is committed, for the plugins still enabled and for
    ``name`` itself. Its data is kept. An exception is reported and does not undo the
    change.
    """


@hookspec
def on_options_changed(plugin, changes):
    """Setup options of ``plugin`` changed: ``changes`` maps key -> (old, new).

    Fires inside the transaction that stores the options (page, import or CLI); an
    exception rolls the whole change back and is shown naming the plugin.
    """


@hookspec
def on_partner_saved(partner, created, form_data):
    """A customer/vendor record was saved from its form or import.

    Fires inside the save's transaction after the row is flushed. ``form_data`` holds
    the submitted values, including fields added by :func:`extend_form`. An exception
    aborts the save and names the plugin.
    """


@hookspec
def on_item_saved(item, created, form_data):
    """An item record was saved; same rules as :func:`on_partner_saved`."""


# ---------------------------------------------------------------------------
# Sales orders (fired by the sales_order plugin)
# ---------------------------------------------------------------------------


@hookspec
def validate_sales_order(order):
    """Check a sales order before it is saved; return a list of ``core.plugins.Message``.

    Fires after the form is valid and the order and lines are built but before the
    save's flush, inside the transaction. A message with ``level="error"`` stops the
    save and is shown to the user; ``level="warning"`` is shown and the save goes on.
    Must not change data. An exception aborts the save and names the plugin.
    """


@hookspec
def on_sales_order_saved(order, created, changes):
    """A sales order and its lines were validated and flushed.

    Fires inside the save's transaction; ``created`` is True for a new order;
    ``changes`` is a :class:`plugins.sales_order.services.LineChanges` telling which lines
    were added, changed (with old and new quantity) or removed. Implementations may
    add rows (purchase orders, links). An exception aborts the save: nothing of it is
    kept and the user sees an error naming the plugin.
    """


@hookspec
def on_sales_order_cancelled(order):
    """A sales order was cancelled (status ``*``).

    Fires inside the cancelling transaction; an exception aborts the cancellation and
    names the plugin.
    """


@hookspec
def on_sales_order_shipped(order, shipment):
    """Quantities of a sales order were shipped and invoiced (``shipment``).

    Fires inside the shipping transaction after stock is issued and the invoice
    number drawn; an exception aborts the shipment and names the plugin.
    """


# ---------------------------------------------------------------------------
# Purchase orders (fired by the purchase_order plugin)
# ---------------------------------------------------------------------------


@hookspec
def on_purchase_order_saved(po, created):
    """A purchase order and its lines were flushed from PO entry.

    Fires inside the save's transaction; an exception aborts the save and names the
    plugin. Generation by other plugins does not fire it (they own that save).
    """


@hookspec
def on_purchase_order_sent(po):
    """A purchase order was marked sent to its vendor.

    Fires inside the transaction that marks it; an exception aborts the send and
    names the plugin. Mail or supplier calls go to an outbox, never from here.
    """


@hookspec
def on_purchase_order_cancelled(po):
    """A purchase order was cancelled or deleted (to history when the options say so).

    Fires inside that transaction, before its lines are removed; an exception aborts
    it and names the plugin. Plugins holding links to the PO's lines drop them here.
    """


@hookspec
def on_receipt(receipt):
    """Goods were received against a purchase order.

    Fires inside the receipt's transaction after it is posted (quantities, stock and
    history updated); ``receipt.lines`` carry each line's PO line and quantity. Used
    to release back orders. An exception aborts the receipt and names the plugin.
    """


@hookspec
def on_return(return_):
    """Goods were returned to a vendor; same rules as :func:`on_receipt`."""


# ---------------------------------------------------------------------------
# Supplier sync (fired by supplier_sync)
# ---------------------------------------------------------------------------


@hookspec
def supplier_connectors():
    """Return a list of supplier connectors this plugin offers.

    A connector is an object with ``name`` (stored per vendor by an administrator),
    ``title`` and the methods of :class:`plugins.supplier_sync.connectors.Connector`:
    ``fetch_order(conn, supplier_ref)`` returns one supplier order as a snapshot dict,
    ``orders_changed_since(conn, since)`` returns ``[{"order_ref", "changed_at"}]``,
    and optionally ``submit_order(conn, po)`` returns the supplier's order reference.
    ``conn`` is the vendor's :class:`plugins.supplier_sync.models.SupplierConnection`
    (base URL, API key, timeout set by an administrator); a connector never takes an
    address from a notification. Fires when the vendor form or a sync job needs the
    list, outside any transaction; the methods are called from background jobs,
    never inside a save. They raise
    :class:`plugins.supplier_sync.connectors.ConnectorError` on failure (the job
    records it and retries). An exception in this hook itself marks sync of that
    vendor as failed, with the plugin named. Example::

        @hookimpl
        def supplier_connectors():
            return [AcmeConnector()]  # name = "acme", title = "Acme B2B"
    """


@hookspec(firstresult=True)
def supplier_catalog_lookup(conn, vendor_item_code):
    """Look up an item the buyer does not have in a supplier catalog.

    Fires in a sync job when a supplier order names an item that no local item
    matches (item code or the vendor's item code), before the job's transaction
    (it may call the network); the implementation must not write rows, only answer:
    supplier_sync creates the item through core's item model and ``on_item_saved``. Return a dict with
    ``code``, ``description`` and optionally ``uom``, ``unit_cost``, ``list_price``;
    or ``None`` when not found (the next implementation is asked; the first answer
    wins). The reference implementation asks the vendor's connector catalog
    endpoint. An exception is recorded as a sync failure naming the plugin and the
    job is retried.
    """
