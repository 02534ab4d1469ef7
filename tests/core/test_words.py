"""Words on screen: the options audit in words, the new-user form, no other product's names."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_options_audit_shows_values_in_words_without_json_quotes(probe_app, pc):
    pc.post("/admin/options/probe", data={"max_lines": "50", "mode": "b", "feature": "y", "doc_number": "1000",
                                          "markup_pct": "10.00"})
    audit = pc.get("/admin/options/probe").get_data(as_text=True).split('id="audit"')[1]
    rows = {re.sub(r"<[^>]+>", "|", r) for r in audit.split("<tr>")}
    mode = next(r for r in rows if "Mode" in r)
    assert "|Alpha||Beta|" in mode and "&#34;" not in mode and '"' not in mode
    feature = next(r for r in rows if "Use the feature" in r)
    assert "|No||Yes|" in feature


def test_the_new_user_form_does_not_offer_to_keep_a_password(admin_client, users):
    new = admin_client.get("/admin/users/new").get_data(as_text=True)
    assert "keep the current password" not in new and "At least 8 characters" in new
    edit = admin_client.get(f"/admin/users/{users['sales']}").get_data(as_text=True)
    assert "Leave empty to keep the current password" in edit


def test_no_other_products_names_or_screens_in_pages_or_option_help():
    banned = re.compile(r"\b(SYSPRO|Sage|Odoo|ERPNext)\b|Purchase Order Entry|Sales Invoice Query|"
                        r"Order Purge program|Back Order Release program")
    # the manual's words for screens OrderBridge does not have, and its way of talking
    manual = re.compile(r"of Goods Entry|Invoice Entry|Maintenance|Recap report|Lookup button|"
                        r"Select this check box|Clear this check box")
    found = []
    for path in list(ROOT.glob("core/templates/**/*.html")) + list(ROOT.glob("plugins/*/templates/**/*.html")):
        found += [f"{path.name}: {m.group(0)}" for m in banned.finditer(path.read_text())]
    for path in list(ROOT.glob("plugins/*/options.py")) + list(ROOT.glob("plugins/*/plugin.py")):
        text = path.read_text()
        for call in re.finditer(r'(?:help|description)=((?:"[^"]*"\s*)+)', text):
            found += [f"{path.parent.name}/{path.name}: {m.group(0)}" for m in banned.finditer(call.group(1))]
    for path in list(ROOT.glob("plugins/*/options.py")) + list(ROOT.glob("plugins/*/option_list.py")):
        # every text an option shows (help is often passed by position)
        found += [f"{path.parent.name}/{path.name}: {m.group(0)}" for m in manual.finditer(path.read_text())]
    assert found == []
