"""Uses pluggy's markers on ``publisher``'s hooks: ``trylast``, a new-style ``wrapper`` and an
old-style ``hookwrapper`` (``specname`` lets one module hold two implementations of a hook)."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="hook_user", title="Hook user probe", version="1.0", depends=("publisher",))

SEEN: list[object] = []


@hookimpl(trylast=True)  # by dependency order it would come second
def probe_collect(word):
    return f"hook_user:{word}"


@hookimpl(wrapper=True, specname="probe_collect")
def wrap_collect(word):
    results = yield  # every other implementation's result, in call order
    return [*results, f"wrapped {len(results)}"]


@hookimpl(hookwrapper=True, specname="probe_pick")
def watch_pick(choices):
    outcome = yield
    SEEN.append(outcome.get_result())
