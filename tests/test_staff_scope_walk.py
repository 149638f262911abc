"""The staff scope, walked like an attacker: every admin URL the package registers, requested as
staff of the other cooperative, as staff of no cooperative, as a tenant and anonymously.

The URL patterns come from Django's resolver (every pattern under the admin whose view, viewset
or model is the package's), not from a list: a new admin URL is walked as soon as it exists,
and the walk fails if it cannot tell which object an id in the URL stands for.

For each URL carrying an object id, staff of each company try the other company's object (GET
and POST: 404, and nothing changes) and their own (never a 404: the URL really takes that
kind of object). Every other URL (listings, their CSV and XLSX exports, choosers, forms,
uploads, the two-factor pages) must not show a word of the other company, and every model
choice of every form on the way must exclude the other company's objects and staff.
Anonymous visitors and tenants are sent to the admin login.
"""

import io
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.db.models import Model
from django.forms import BaseForm, ModelChoiceField
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django_filters import FilterSet
from wagtail.admin.viewsets import viewsets as viewset_registry

from tests.factories import UserFactory
from wagtail_tenantportal.tickets.models import TicketMessage, TicketStatusChange

from .scope_world import ELSTERAUE, LINDENHOF, isolated_world

pytestmark = pytest.mark.django_db

ADMIN_PREFIX = "admin/"


# -- the URL patterns of the package's admin, from the resolver ---------------------------------


def _view_module(callback):
    view_class = getattr(callback, "view_class", None)
    return (view_class or callback).__module__


def _package_viewsets():
    """{url namespace: viewset} of the registered viewsets that belong to the package."""
    found = {}
    for viewset in viewset_registry.viewsets:
        model = getattr(viewset, "model", None)
        ours = type(viewset).__module__.startswith("wagtail_tenantportal") or (
            isinstance(model, type) and model._meta.app_label.startswith("tenantportal_")
        )
        if ours and hasattr(viewset, "get_url_name"):  # not a menu link without URLs
            found[viewset.url_namespace] = viewset
            chooser = getattr(viewset, "chooser_viewset", None)  # a snippet's chooser
            if chooser is not None:
                found[chooser.url_namespace] = chooser
    return found


def package_admin_patterns():
    """``(route, namespace, pattern)`` of every admin URL pattern the package registers."""
    resolver = get_resolver()
    assert resolver.url_patterns  # loading the admin's URLs registers the viewsets
    viewsets = _package_viewsets()

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry, route, entry.namespace or namespace)
            elif route.startswith(ADMIN_PREFIX):
                ours = (
                    namespace in viewsets
                    or _view_module(entry.callback).startswith("wagtail_tenantportal")
                    or "tenantportal" in route
                )
                if ours:
                    yield route, namespace, entry

    return list(walk(resolver, "", None)), viewsets


def url_name(namespace, pattern):
    return f"{namespace}:{pattern.name}" if namespace else pattern.name


def object_model(viewset, pattern, user):
    """The model whose id the URL ``pattern`` of ``viewset`` takes (None: cannot tell)."""
    if viewset is None:
        return None
    method = getattr(viewset, "object_querysets", {}).get(pattern.name)
    if method:
        return getattr(viewset, method)(_request(user)).model
    return getattr(viewset, "model", None)


def _company_data(model):
    """False for the models a queryset declares shared by all companies (``staff_scope = None``:
    workflow statuses, document categories)."""
    return getattr(model._default_manager.all(), "staff_scope", "undeclared") is not None


def is_guarded(callback):
    """The admin toolkit marks views that check their URL's object id against the staff scope."""
    return bool(getattr(callback, "tenantportal_scope_guard", False))


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


# -- reading responses ----------------------------------------------------------------------------


def body(response):
    """The response's text (bytes of files and streams, the cells of an XLSX), lower case."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None)
            for row in sheet.iter_rows(values_only=True)
        ).lower()
    return content.decode("utf-8", "replace").lower()


def forms_in(response):
    """The forms and filter sets a response rendered (from its template context)."""
    found, seen = [], set()

    def visit(value, depth=0):
        if id(value) in seen or depth > 3:
            return
        seen.add(id(value))
        if isinstance(value, BaseForm):
            found.append(value)
        elif isinstance(value, FilterSet):
            found.append(value.form)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item, depth + 1)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item, depth + 1)

    for context in response.context or []:
        for layer in getattr(context, "dicts", [context]):
            if isinstance(layer, dict):
                for value in layer.values():
                    visit(value)
    return found


def foreign_choices(form, foreign):
    """Names of the fields of ``form`` that offer an object of ``foreign`` (a ``CompanyWorld``)."""
    leaks = []
    for name, form_field in form.fields.items():
        if not isinstance(form_field, ModelChoiceField) or form_field.queryset is None:
            continue
        model = form_field.queryset.model
        target = foreign.objects.get(model)
        if model is foreign.staff.__class__:
            target = foreign.staff
        if isinstance(target, Model) and form_field.queryset.filter(pk=target.pk).exists():
            leaks.append(f"{type(form).__name__}.{name}")
    return leaks


def snapshot(world):
    """Every row of every model the admin shows, and the messages and status changes."""
    models = {type(obj) for w in world.values() for obj in w.objects.values()} | {
        TicketMessage,
        TicketStatusChange,
    }
    return {model: list(model._default_manager.order_by("pk").values()) for model in models}


class Walk:
    def __init__(self):
        self.failures = []
        self.counts = Counter()

    def fail(self, message):
        self.failures.append(message)


# -- the walk ---------------------------------------------------------------------------------------


@pytest.fixture
def world(settings, tmp_path):
    return isolated_world(settings, tmp_path)


def test_every_admin_url_pattern_is_walked_and_scoped(world, capsys):
    patterns, viewsets = package_admin_patterns()
    walk = Walk()
    assert len(patterns) > 250  # the whole admin of the package, not a part of it
    lindenhof, elsteraue = world[LINDENHOF], world[ELSTERAUE]
    nobody = UserFactory(username="no-company-staff", is_staff=True)
    nobody.groups.add(Group.objects.create(name="Team without company"))
    nobody.groups.get().permissions.set(lindenhof.staff.groups.get().permissions.all())

    # Which object each id-carrying URL takes; a URL nobody can tell fails the walk.
    plan = []
    for route, namespace, pattern in patterns:
        kwargs = set(pattern.pattern.converters)
        if kwargs - {"pk"}:
            walk.fail(f"{route}: URL arguments {sorted(kwargs)} the walk cannot fill")
            continue
        model = None
        if kwargs:
            model = object_model(viewsets.get(namespace), pattern, lindenhof.staff)
            if model is None:
                walk.fail(f"{route}: cannot tell which object its id stands for")
                continue
            if not is_guarded(pattern.callback):
                walk.fail(f"{route}: takes an object id but is not checked against the staff scope")
            if not _company_data(model):
                model = ("global", model)
            elif model not in lindenhof.objects:
                walk.fail(
                    f"{route}: no object of {model.__name__} in the walk's world; add one to tests/scope_world.py"
                )
                continue
        plan.append((route, namespace, pattern, model))

    client = Client(raise_request_exception=False)  # a 500 is a failure of the walk, not its end

    def url_for(namespace, pattern, obj=None):
        args = [obj.pk] if obj is not None else []
        return reverse(url_name(namespace, pattern), args=args)

    def global_object(model):
        return model._default_manager.order_by("pk").first()

    # Anonymous visitors and tenants: to the admin login, whatever the URL.
    for label, user in (("anonymous", None), ("tenant", lindenhof.tenant)):
        client.logout()
        if user is not None:
            client.force_login(user)
        for route, namespace, pattern, model in plan:
            obj = None
            if isinstance(model, tuple):
                obj = global_object(model[1])
            elif model is not None:
                obj = elsteraue.objects[model]
            if model is not None and obj is None:
                continue
            response = client.get(url_for(namespace, pattern, obj))
            walk.counts[f"{label} requests"] += 1
            if not (response.status_code == 302 and "/admin/login/" in response["Location"]):
                walk.fail(f"{label} {route}: {response.status_code}, not sent to the admin login")

    # Staff of each company against the other's objects; staff of no company against both.
    for own, foreign in ((lindenhof, elsteraue), (elsteraue, lindenhof)):
        client.logout()
        client.force_login(own.staff)
        foreign_token = foreign.token.lower()
        for route, namespace, pattern, model in plan:
            if isinstance(model, tuple):  # shared configuration: just no error
                obj = global_object(model[1])
                if obj is not None:
                    response = client.get(url_for(namespace, pattern, obj))
                    walk.counts["shared configuration URLs"] += 1
                    if response.status_code >= 500:
                        walk.fail(f"{own.token} {route}: {response.status_code}")
                continue
            if model is not None:
                response = client.get(url_for(namespace, pattern, foreign.objects[model]))
                walk.counts["foreign objects tried (GET)"] += 1
                if response.status_code != 404:
                    walk.fail(
                        f"{own.token} GET {route} with {foreign.token}'s {model.__name__}: {response.status_code}"
                    )
                response = client.get(url_for(namespace, pattern, own.objects[model]))
                walk.counts["own objects tried (GET)"] += 1
                if response.status_code == 404 or response.status_code >= 500:
                    walk.fail(
                        f"{own.token} GET {route} with its own {model.__name__}: {response.status_code}"
                    )
                    continue
            else:
                response = client.get(url_for(namespace, pattern))
                walk.counts["pages without an id"] += 1
                if response.status_code >= 500:
                    walk.fail(f"{own.token} GET {route}: {response.status_code}")
                    continue
            if foreign_token in body(response):
                walk.fail(f"{own.token} GET {route}: shows {foreign.token}'s data")
            for form in forms_in(response):
                walk.counts["forms checked"] += 1
                for leak in foreign_choices(form, foreign):
                    walk.fail(f"{own.token} GET {route}: {leak} offers {foreign.token}'s objects")
            viewset = viewsets.get(namespace)
            exported = getattr(viewset, "list_export", None)
            if (
                model is None
                and pattern.name in ("index", "list")
                and isinstance(exported, (list, tuple))
                and exported
            ):
                for export in ("csv", "xlsx"):
                    response = client.get(url_for(namespace, pattern) + f"?export={export}")
                    walk.counts["exports"] += 1
                    text = body(response)
                    if response.status_code != 200 or foreign_token in text:
                        walk.fail(
                            f"{own.token} {route} {export} export: {response.status_code} or {foreign.token}'s data"
                        )
                    elif own.token.lower() not in text and _company_data(viewset.model):
                        walk.fail(
                            f"{own.token} {route} {export} export: not even its own data (an empty walk?)"
                        )
            if model is None and pattern.name in ("choose", "choose_results"):
                # A prefix of the token: the search box repeats it, an object found shows it whole.
                response = client.get(url_for(namespace, pattern) + f"?q={foreign.token[:-1]}")
                walk.counts["chooser searches"] += 1
                if foreign_token in body(response):
                    walk.fail(f"{own.token} {route} search: finds {foreign.token}'s objects")
            if (
                model is None
                and pattern.name == "chosen_multiple"
                and getattr(viewset, "model", None) in own.objects
            ):
                chooser_model = viewset.model
                ids = f"id={foreign.objects[chooser_model].pk}&id={own.objects[chooser_model].pk}"
                response = client.get(url_for(namespace, pattern) + "?" + ids)
                walk.counts["chooser answers"] += 1
                if foreign_token in body(response):
                    walk.fail(f"{own.token} {route}: answers with {foreign.token}'s object")

        # Every change on the other company's objects: 404, and nothing changes anywhere.
        before = snapshot(world)
        for route, namespace, pattern, model in plan:
            if model is None or isinstance(model, tuple):
                continue
            data = {
                "action": "message",
                "message-body": "Eingeschleust",
                "message-internal": "on",
                "confirm": "1",
                "reason": "Eingeschleust",
                "party": foreign.company.parties.get().pk,
                "status-comment": "Eingeschleust",
            }
            response = client.post(url_for(namespace, pattern, foreign.objects[model]), data)
            walk.counts["foreign objects tried (POST)"] += 1
            if response.status_code != 404:
                walk.fail(
                    f"{own.token} POST {route} with {foreign.token}'s {model.__name__}: {response.status_code}"
                )
        if snapshot(world) != before:
            walk.fail(f"{own.token}'s posts to {foreign.token}'s objects changed data")

    client.logout()
    client.force_login(nobody)
    for route, namespace, pattern, model in plan:
        if isinstance(model, tuple):
            continue
        targets = [lindenhof.objects[model], elsteraue.objects[model]] if model is not None else [None]
        for obj in targets:
            response = client.get(url_for(namespace, pattern, obj))
            walk.counts["staff of no company requests"] += 1
            if obj is not None and response.status_code != 404:
                walk.fail(f"no-company GET {route} with {model.__name__}: {response.status_code}")
            elif obj is None and response.status_code < 500:
                text = body(response)
                if LINDENHOF.lower() in text or ELSTERAUE.lower() in text:
                    walk.fail(f"no-company GET {route}: shows company data")

    id_patterns = sum(1 for *_rest, model in plan if model is not None)
    with capsys.disabled():
        print(
            f"\nstaff scope walk: {len(patterns)} admin URL patterns ({id_patterns} with an object id) "
            f"x 5 session states (anonymous, tenant, staff of Lindenhof, staff of Elsteraue, staff of no company); "
            + ", ".join(f"{name}: {count}" for name, count in sorted(walk.counts.items()))
        )
    assert not walk.failures, "\n".join(walk.failures)


def test_every_viewset_shows_its_own_actions_in_the_listing_and_on_the_inspect_page(world, client):
    """``get_object_actions`` (approve, reject, send a letter, ...) reaches the row's menu of the
    listing and the header of the inspect page, for every viewset that has such actions."""
    from wagtail_tenantportal.admin.viewsets import PortalModelViewSet

    own = world[LINDENHOF]
    client.force_login(own.staff)
    _patterns, viewsets = package_admin_patterns()
    checked = 0
    for viewset in viewsets.values():
        if not isinstance(viewset, PortalModelViewSet):
            continue
        if type(viewset).get_object_actions is PortalModelViewSet.get_object_actions:
            continue
        obj = own.objects.get(viewset.model)
        assert obj is not None, f"{viewset.name}: no object in the walk's world"
        urls = [button.url for button in viewset.get_object_actions(own.staff, obj)]
        assert urls, f"{viewset.name}: the world's object has no actions (make it pending/open)"
        listing = client.get(reverse(viewset.get_url_name("index"))).content.decode()
        inspect = client.get(reverse(viewset.get_url_name("inspect"), args=[obj.pk])).content.decode()
        for url in urls:
            assert url in listing, (viewset.name, "listing", url)
            assert url in inspect, (viewset.name, "inspect", url)
        checked += 1
    assert checked >= 4
