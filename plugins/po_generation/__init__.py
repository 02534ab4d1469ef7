"""PO generation: purchase orders from sales orders (a bridge of sales_order and purchase_order).

How the modules fit, from the inside out:

* :mod:`.choices` -- the option choice lists; :mod:`.options` (the Generate-tab
  declaration) and the rules both read them.
* :mod:`.rules` -- pure rules: which lines need purchasing and how much, the vendor
  choice, grouping lines into drafts, required dates. Lines and options in, a
  :class:`~.rules.Plan` out; no database.
* :mod:`.numbering` -- pure: PO numbers made from the SO number, and giving each
  draft its number (asking, through callbacks, which numbers are taken).
* :mod:`.inputs` -- loading the rules' inputs in a fixed number of bulk selects, and
  locking the sales orders being generated for.
* :mod:`.purchasing` -- the ONE place that calls purchase_order: creating POs in bulk,
  adding, changing and deleting lines, deleting POs to history, buyer exceptions.
* :mod:`.links` -- the SO line <-> PO line links (this plugin's own table) and
  what is on order per line.
* :mod:`.generation` -- load, plan, number and write (through purchasing), link.
* :mod:`.changes` -- a saved, cancelled or completed sales order reaches its POs.
* :mod:`.reset` -- *Reset Purchase Orders*; :mod:`.missing` -- the missing-PO check;
  :mod:`.drop_ship` -- a drop-ship PO made by hand.
* :mod:`.notices` -- what the sales order page should ask after a save (generate
  now? a required date?), kept in the user's session.
* :mod:`.plugin` (hooks), :mod:`.views` and :mod:`.panels` (pages; thin),
  :mod:`.cli` (``orderbridge purchasing generate``).

Options are read through :data:`settings`, bound once here (``settings.generate_on_save``;
``settings.current()`` for all of them). The module :mod:`.options` declares them.
"""

from __future__ import annotations

from core.options import PluginOptions

PLUGIN = "po_generation"
settings = PluginOptions(PLUGIN)
