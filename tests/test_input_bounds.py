"""No input makes the site answer 500: random and extreme values posted to every form and
endpoint (issue 14: a "Devices affected" of 2^63 crashed ticket creation).

The site is the demo site (`load_demo`). The forms are found the way a visitor finds them: a
crawl from every parameterless URL pattern, following links, as an anonymous visitor, a
paying customer and a support analyst. Every URL pattern of the project's own apps is then
called with extreme path arguments and with every query/form parameter the views read.
"""

import io
import re
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from resourcecenter.models import User

pytestmark = pytest.mark.django_db

APPS = ("resourcecenter", "kb", "forum", "search", "tiers")
SKIP_PREFIXES = ("/admin/", "/django-admin/", "/static/", "/media/", "/documents/")
# Forms that end the crawl's session or only start flows the other tests cover.
SKIP_ACTIONS = ("/accounts/logout/",)
PAGES_PER_ROUTE = 1
MAX_PAGES = 120

EXTREME_NUMBERS = [
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "1" + "0" * 30,
    "-1",
    "0",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "1.5",
    "99999999999999999999.99",
    "0x10",
    "١٢٣",  # Arabic-Indic digits: int() accepts them
    "",
]
# What a person would type into an empty field of that input type.
PLAUSIBLE = {
    "datetime-local": "2026-11-30T10:00",
    "date": "2026-11-30",
    "time": "10:00",
    "email": "someone@example.com",
    "url": "https://example.com/",
    "tel": "+1 800 555 0100",
}
numbers = st.one_of(
    st.sampled_from(EXTREME_NUMBERS),
    st.integers().map(str),
    st.integers(min_value=2**31, max_value=2**260).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
texts = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400)
values = st.one_of(numbers, texts, st.text(max_size=5000, alphabet="x9 "))


READ_PARAMETER = re.compile(r"request\.(?:GET|POST)(?:\.get\(|\.getlist\(|\[)\"(\w+)\"")


def _project_patterns(resolver=None, prefix=""):
    """(route string, pattern) for every URL of the project's own apps."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _project_patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            module = getattr(pattern.callback, "__module__", "") or ""
            if module.split(".")[0] in APPS:
                yield route, pattern


def _parameter_names() -> set[str]:
    """Every GET/POST parameter the project's views read (found in their source)."""
    names = set()
    for app in APPS:
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            source = path.read_text()
            names.update(
                re.findall(r"request\.(?:GET|POST)(?:\.get\(|\.getlist\(|\[)\"(\w+)\"", source)
            )
    return names


def _extreme_url(route: str) -> list[str]:
    """The route with each <int:...> argument set to extreme values (others: plain words)."""
    urls = []
    for number in (str(2**63), "1" + "0" * 30):
        path = re.sub(r"<int:\w+>", number, route)
        path = re.sub(r"<(?:slug|str|path):\w+>|<\w+>", "x", path)
        if "^" in path or "(?P" in path:
            continue  # a regex route (none of ours); no safe way to fill it in
        urls.append("/" + path)
    return urls


class Form:
    def __init__(self, who, page, method, action, fields, files):
        self.who, self.page, self.method, self.action = who, page, method, action
        self.fields, self.files = fields, files

    def __repr__(self):
        return f"<{self.method} form {self.action} on {self.page} as {self.who}>"


def _forms_on(who, url, content) -> list[Form]:
    soup = BeautifulSoup(content, "html.parser")
    found = []
    for form in soup.find_all("form"):
        method = (form.get("method") or "GET").upper()
        action = urljoin(url, form.get("action") or url)
        if urlsplit(action).netloc not in ("", "testserver") or action.endswith(SKIP_ACTIONS):
            continue
        action = urlsplit(action)._replace(scheme="", netloc="").geturl()
        if action.startswith(SKIP_PREFIXES):
            continue
        fields, files = {}, []
        for element in form.find_all(["input", "select", "textarea", "button"]):
            name = element.get("name")
            if not name:
                continue
            kind = (element.get("type") or "").lower()
            if kind == "file":
                files.append(name)
            elif element.name == "select":
                options = [o.get("value", o.get_text()) for o in element.find_all("option")]
                options = [o for o in options if o]
                fields[name] = ("choice", options[0] if options else "")
            elif kind in ("checkbox", "radio"):
                fields.setdefault(name, ("choice", element.get("value", "on")))
            elif kind == "number":
                fields[name] = ("number", element.get("value") or "1")
            elif kind in ("hidden", "submit") or element.name == "button":
                fields.setdefault(name, ("fixed", element.get("value") or ""))
            else:
                current = (element.get("value") or element.get_text()).strip()
                fields[name] = ("text", current or PLAUSIBLE.get(kind, "Test value 1"))
        found.append(Form(who, url, method, action, fields, files))
    return found


def _crawl(clients) -> tuple[list[Form], dict[str, str]]:
    """Visit the site as each client; return the forms found and one real URL per route."""
    seeds = ["/", "/community/", "/search/?q=apn", "/support/", "/support/tickets/"]
    for route, _pattern in _project_patterns():
        if "<" not in route and "(" not in route:
            seeds.append("/" + route)
    forms, real_urls = [], {}
    for who, client in clients.items():
        queue, seen, per_route = list(dict.fromkeys(seeds)), set(), {}
        while queue and len(seen) < MAX_PAGES:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            try:
                match = resolve(urlsplit(url).path)
            except Resolver404:
                continue
            route = match.route
            if per_route.get(route, 0) >= PAGES_PER_ROUTE:
                continue
            per_route[route] = per_route.get(route, 0) + 1
            response = client.get(url)
            assert response.status_code < 500, f"GET {url} as {who}: {response.status_code}"
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            real_urls.setdefault(route, url)
            forms.extend(_forms_on(who, url, response.content))
            soup = BeautifulSoup(response.content, "html.parser")
            for href in (a["href"] for a in soup.find_all("a", href=True)):
                target = urljoin(url, href)
                parts = urlsplit(target)
                if parts.netloc not in ("", "testserver") or parts.path.startswith(SKIP_PREFIXES):
                    continue
                if "logout" in parts.path:
                    continue
                queue.append(parts._replace(scheme="", netloc="", fragment="").geturl())
    # One form per (who, method, action shape): the same reply form on 30 threads is one form.
    unique = {}
    for form in forms:
        shape = (form.who, form.method, re.sub(r"\d+", "N", form.action), tuple(form.fields))
        unique.setdefault(shape, form)
    return list(unique.values()), real_urls


@pytest.fixture
def demo_site(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    clients = {"anonymous": Client(raise_request_exception=False)}
    for who, email in [("customer", "member@example.com"), ("analyst", "staff@example.com")]:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(email=email))
        clients[who] = client
    return clients


def test_no_value_in_any_form_or_parameter_makes_a_500(demo_site):
    forms, real_urls = _crawl(demo_site)
    actions = {form.action for form in forms}
    # The crawl must really reach the forms that matter (else this test would prove nothing).
    assert "/support/tickets/new/" in actions, sorted(actions)
    assert any(re.fullmatch(r"/community/t/\d+/reply/", a) for a in actions), actions
    assert len(forms) >= 15, forms

    # One search per form (a failure shrinks within its form, not across all of them); no
    # shrinking phase: the failing payload is in the assertion message and it keeps this fast.
    quick = hypothesis_settings(
        max_examples=12,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )

    def odd_values_for(form, names):
        @quick
        @given(data=st.data())
        def each_value(data):
            # Mostly one odd field among plausible ones (so the odd value reaches the code
            # that stores it), sometimes every field odd at once.
            target = data.draw(st.sampled_from([*names, "*all*"]), label="odd field")
            if data.draw(st.booleans(), label="prefer a number field"):
                target = next((n for n in names if form.fields[n][0] == "number"), target)
            payload = {}
            for name in names:
                kind, default = form.fields[name]
                odd = target == "*all*" or (target == name and kind != "fixed")
                if odd:
                    payload[name] = data.draw(numbers if kind == "number" else values, label=name)
                else:
                    payload[name] = default
            client = demo_site[form.who]
            if form.method == "GET":
                response = client.get(form.action, payload)
            else:
                response = client.post(form.action, payload)
            assert response.status_code < 500, (form, payload, response.status_code)

        return each_value

    # Every extreme number in every number field, the others plausible; then random values.
    for form in forms:
        plausible = {name: default for name, (_kind, default) in form.fields.items()}
        for name, (kind, _default) in form.fields.items():
            if kind != "number":
                continue
            for value in EXTREME_NUMBERS:
                payload = {**plausible, name: value}
                client = demo_site[form.who]
                response = client.post(form.action, payload)
                assert response.status_code < 500, (form, payload, response.status_code)
    for form in forms:
        names = [name for name in form.fields if name != "csrfmiddlewaretoken"]
        if names:
            odd_values_for(form, names)()

    parameters = sorted(_parameter_names())
    assert {"page", "q", "quote_of"} <= set(parameters), parameters

    # Extreme path arguments, once each (no parameters needed to reach the lookup).
    for route, _pattern in _project_patterns():
        if "<int:" not in route:
            continue
        for url in _extreme_url(route):
            for who in ("anonymous", "customer", "analyst"):
                client = demo_site[who]
                assert client.get(url).status_code < 500, ("GET", url, who)
                assert client.post(url, {}).status_code < 500, ("POST", url, who)

    @hypothesis_settings(
        max_examples=6, deadline=None, database=None, phases=[Phase.explicit, Phase.generate]
    )
    @given(data=st.data())
    def each_route(data):
        for route, url in real_urls.items():
            path = urlsplit(url).path
            chosen = data.draw(st.lists(st.sampled_from(parameters), max_size=4), label=route)
            payload = {name: data.draw(values, label=name) for name in chosen}
            who = data.draw(st.sampled_from(sorted(demo_site)), label="who")
            client = demo_site[who]
            query = urlencode(payload)
            got = client.get(f"{path}?{query}" if query else path)
            assert got.status_code < 500, ("GET", path, payload, who, got.status_code)
            posted = client.post(path, payload)
            assert posted.status_code < 500, ("POST", path, payload, who, posted.status_code)

    each_route()
