"""Property-based fuzzing of every page and form in the URL map: no answer is ever a 5xx.

With every built-in plugin enabled and demo data loaded, an administrator:

* GETs every page (its URL arguments filled with ids that exist and with hostile ones),
  with hostile values in ``page`` and in every field of the page's filter forms;
* POSTs to every form found on those pages (field names and defaults read from the
  HTML), each field keeping its shown value or taking a hostile one, and to every
  POST-only rule with hostile values in the fields its forms carry.

Hostile values: NUL, 20-digit and 64-bit-edge numbers, Unicode digits ("²"),
"Infinity", "NaN", "1e308", "-1", very long and non-ASCII text, empty strings.
Hypothesis draws them (``derandomize=True``: the same run every time); a 5xx is
recorded with its URL, values and exception, and the test fails listing them all.

Every endpoint of every built-in plugin is fuzzed; there is no allow-list of known 5xx.
"""

from __future__ import annotations

import logging
import time
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from core.db import db
from core.models import User
from tests.conftest import PASSWORD, Client, clean_tables, make_app

HOSTILE = ["\x00", "a\x00b", "99999999999999999999", "9223372036854775807", "9223372036854775808", "²",
           "2147483648", "-2147483649",
           "١٢", "Infinity", "-Infinity", "NaN", "1e308", "-1e308", "-1", "0", "1.0000000001", "x" * 5000,
           "é漢字🙂", "", " ", "2026-13-45", "0001-01-01", "<script>alert(1)</script>", "' OR 1=1 --", "%", "_"]
HOSTILE_IDS = ["0", "2147483647", "2147483648", "9223372036854775807", "99999999999999999999"]
SKIP_ENDPOINTS = {
    "static",  # files, no input
    "auth.logout",  # takes no input but the token; it would end the fuzzing session
}
# endpoint -> the exception it raised; plugin pages being reworked on other branches (issue 9)
PER_ENDPOINT = settings(max_examples=6, deadline=None, derandomize=True, database=None,
                        suppress_health_check=list(HealthCheck))


class _Forms(HTMLParser):
    """Forms on a page: (method, action, {field name: shown value})."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(((a.get("method") or "get").lower(), a.get("action") or "", {}))
        if not self.forms:
            return
        fields = self.forms[-1][2]
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(name, "")
            else:
                fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in a or not self.forms[-1][2][self._select]:
                fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][2][self._textarea] += data


@pytest.fixture(scope="module")
def fuzz(migrated_db):
    """An app with every built-in plugin and its demo data, and an administrator's client."""
    from core.demo import load_demo
    from core.plugins import host_of

    app = make_app()
    with app.app_context():
        clean_tables(db.engine)
        host = host_of(app)
        host.forget_cache()
        app.extensions["orderbridge_options"].forget_cache()
        admin = User(username="admin", role="admin")
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
        load_demo(host, if_empty=False)
        assert set(host.enabled()) >= {"sales_order", "purchase_order", "po_generation"}
        ids = _existing_ids()
    app.test_client_class = Client
    client = app.test_client()
    client.login("admin")
    yield app, client, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _existing_ids() -> list[str]:
    """A few ids that exist, from every table with an integer id."""
    found: set[int] = set()
    for table in db.metadata.sorted_tables:
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
            try:
                found.update(db.session.scalars(sa.select(table.c.id).order_by(table.c.id).limit(3)))
            except sa.exc.DBAPIError:  # a table a disabled migration did not make
                db.session.rollback()
    return [str(i) for i in sorted(found)[:12]] or ["1"]


def _rules(app, method: str):
    for rule in app.url_map.iter_rules():
        if method in rule.methods and rule.endpoint not in SKIP_ENDPOINTS:
            yield rule


def _url(app, rule, values: dict[str, str]) -> str | None:
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        try:
            return adapter.build(rule.endpoint, values, force_external=False)
        except Exception:  # a value the rule's converter cannot take (e.g. "" for <name>)
            return None


def _endpoint_of(app, url: str, method: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(url).path, method=method)[0]
    except HTTPException:
        return None


class Recorder:
    def __init__(self, app, client):
        self.app, self.client = app, client
        self.failures: dict[tuple[str, str], str] = {}
        self.requests = 0

    def send(self, endpoint: str, method: str, url: str, data: dict[str, str] | None = None) -> None:
        self.requests += 1
        try:
            if method == "GET":
                resp = self.client.get(url)
            else:
                resp = self.client.post(url, data=data or {})
            code = resp.status_code
            text = f"HTTP {code}"
        except Exception as exc:  # TESTING propagates what would be a 500
            code, text = 500, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        if code >= 500:
            shown = {k: (v if len(v) < 30 else v[:12] + f"...({len(v)} chars)") for k, v in (data or {}).items()}
            self.failures.setdefault((endpoint, method), f"{text} <- {url[:200]} {shown or ''}"[:1200])
        if method == "POST" and url != "/login" and resp_signed_out(self.client):
            self.client.login("admin")


def resp_signed_out(client) -> bool:
    with client.session_transaction() as sess:
        return "_user_id" not in sess


def _crawl(app, client, ids) -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, dict[str, str]]]]]:
    """Every GET page with existing ids; the forms they show, by the endpoint they post to."""
    pages, forms = [], {}
    for rule in _rules(app, "GET"):
        candidates = [{arg: i for arg in rule.arguments} for i in ids] if rule.arguments else [{}]
        every = "kind" in rule.arguments or "plugin" in rule.arguments  # each import kind, each options page
        if "kind" in rule.arguments:
            candidates = [{"kind": "partners"}, {"kind": "items"}]
        if "plugin" in rule.arguments:
            candidates = [{"plugin": p} for p in ("sales_order", "purchase_order", "po_generation")]
        for values in candidates:
            url = _url(app, rule, values)
            if url is None:
                continue
            resp = client.get(url)
            if resp.status_code != 200 or not resp.mimetype == "text/html":
                continue
            pages.append((rule.endpoint, url))
            parser = _Forms()
            parser.feed(resp.get_data(as_text=True))
            for method, action, fields in parser.forms:
                target = action or url
                method = method.upper()
                endpoint = _endpoint_of(app, target, method)
                if endpoint and endpoint not in SKIP_ENDPOINTS:
                    fields.pop("csrf_token", None)
                    forms.setdefault(f"{method} {endpoint}", []).append((target, fields))
            if not every:
                break
    return pages, forms


class _Net(logging.Handler):
    """Pages whose unparsed values only the host's out-of-range net (400) stopped."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("unparsed value"):
            self.lines.append(record.getMessage()[len("unparsed value reached the database at "):][:160])


def test_no_page_or_form_answers_5xx_for_hostile_input(fuzz):
    app, client, ids = fuzz
    started = time.monotonic()
    net = _Net()
    logging.getLogger("core.web").addHandler(net)
    rec = Recorder(app, client)
    pages, forms = _crawl(app, client, ids)
    assert len(pages) >= 30, pages

    # GET: hostile page numbers and filter values, hostile ids in the URL
    for rule in list(_rules(app, "GET")):
        get_forms = forms.get(f"GET {rule.endpoint}", [])
        names = sorted({n for _u, f in get_forms for n in f} | {"page", "q"})
        base = next((u for e, u in pages if e == rule.endpoint), None)
        _get_probe(app, rec, ids, rule, base, names)()
    # POST: every form found, each field kept or made hostile; POST rules with hostile URL ids
    for rule in list(_rules(app, "POST")):
        found = forms.get(f"POST {rule.endpoint}", [])
        names = sorted({n for _u, f in found for n in f}) or ["confirm", "qty", "cascade", "reason"]
        _post_probe(app, rec, ids, rule, found, names)()

    elapsed = time.monotonic() - started
    print(f"\nfuzz: {rec.requests} requests in {elapsed:.1f} s, {len(rec.failures)} endpoint(s) with 5xx")
    for line in sorted(set(net.lines)):
        print(f"  caught by the out-of-range net (400): {line}")
    for (endpoint, method), text in sorted(rec.failures.items()):
        print(f"  {method} {endpoint}: {text}")
    logging.getLogger("core.web").removeHandler(net)
    assert not rec.failures, "\n".join(f"{m} {e}: {t}" for (e, m), t in sorted(rec.failures.items()))
    assert rec.requests > 500


HOSTILE_VALUE = st.sampled_from(HOSTILE)


def _url_values(data, rule, ids: list[str], words: list[str]) -> dict[str, str]:
    return {a: data.draw(st.sampled_from(HOSTILE_IDS + ids)) if _is_int(rule, a)
            else data.draw(st.sampled_from(words)) for a in rule.arguments}


def _get_probe(app, rec: Recorder, ids: list[str], rule, base: str | None, names: list[str]):
    @PER_ENDPOINT
    @given(st.data())
    def probe(data):
        if rule.arguments and (base is None or data.draw(st.booleans())):
            url = _url(app, rule, _url_values(data, rule, ids, HOSTILE))
        else:
            url = base or _url(app, rule, {})
        if url is None:
            return
        query = {n: data.draw(HOSTILE_VALUE) for n in data.draw(st.lists(st.sampled_from(names), max_size=3))}
        rec.send(rule.endpoint, "GET", url + ("?" + urlencode(query) if query else ""))

    return probe


def _post_probe(app, rec: Recorder, ids: list[str], rule, found: list[tuple[str, dict[str, str]]],
                names: list[str]):
    @PER_ENDPOINT
    @given(st.data())
    def probe(data):
        if found and data.draw(st.integers(0, 3)):
            url, shown = data.draw(st.sampled_from(found))
            fields = {n: (data.draw(HOSTILE_VALUE) if data.draw(st.booleans()) else v) for n, v in shown.items()}
        else:
            words = ["enable", "disable", "sales_order", "partners", *HOSTILE]
            url = _url(app, rule, _url_values(data, rule, ids, words))
            fields = {n: data.draw(HOSTILE_VALUE) for n in names}
        if url is not None:
            rec.send(rule.endpoint, "POST", url, fields)

    return probe


def _is_int(rule, arg: str) -> bool:
    return type(rule._converters[arg]).__name__ in ("IntegerConverter", "IdConverter")


def test_the_form_reader_finds_fields_and_shown_values():
    parser = _Forms()
    parser.feed('<form method="post" action="/x"><input name="a" value="1"><input type="checkbox" name="b">'
                '<select name="s"><option value="1">one</option><option value="2" selected>two</option></select>'
                '<textarea name="t">hi</textarea><input type="submit" name="go"></form>')
    assert parser.forms == [("post", "/x", {"a": "1", "b": "", "s": "2", "t": "hi"})]


def test_a_5xx_is_caught_and_recorded(fuzz):
    app, client, _ids = fuzz
    rec = Recorder(app, client)
    rec.send("masterdata.partners", "GET", "/partners?page=1")
    assert rec.failures == {}
    import core.masterdata

    original = core.masterdata.paginate
    try:
        core.masterdata.paginate = lambda stmt: 1 / 0
        rec.send("masterdata.partners", "GET", "/partners")
    finally:
        core.masterdata.paginate = original
    assert "ZeroDivisionError" in rec.failures[("masterdata.partners", "GET")]

