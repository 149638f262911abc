"""The package's structure rules (docs/architecture.md), read from the source.

- Tenant-facing views, blocks and pages hold no ORM queries of their own: every read is a
  function in the app's ``services.py`` or a queryset method (one road for the pages, the admin,
  the API and the ERP link).
- No module over 800 lines (migrations aside) unless its docstring says why.
- Layers are checked by import-linter (``.importlinter``, run by ``make lint``); the test here
  makes sure the contracts name every sub-app, so a new app cannot slip past them.
"""

import ast
import configparser
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "wagtail_tenantportal"
ROOT = PACKAGE.parent

#: Queryset methods that only a query would call (``get``, ``count``, ``first`` etc. have other
#: meanings too and are caught through ``.objects`` or a visible queryset chain).
QUERY_METHODS = {
    "filter",
    "exclude",
    "select_related",
    "prefetch_related",
    "annotate",
    "aggregate",
    "order_by",
    "values_list",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "in_bulk",
    "distinct",
    "only",
    "defer",
    "raw",
    "exists",
    "earliest",
    "latest",
}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}
TENANT_FACING = {"views.py", "blocks.py", "pages.py"}
MAX_LINES = 800
LONG_MODULE_REASON = "Longer than 800 lines because"


def orm_calls(path):
    """``[(line, what)]`` of ORM use in the module at ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append((node.lineno, ".objects"))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in SHORTCUTS:
                found.append((node.lineno, func.id))
            elif isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS:
                found.append((node.lineno, f".{func.attr}()"))
    return found


def tenant_facing_modules():
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if (
            path.name in TENANT_FACING
            or (path.name.endswith("_views.py") and not path.name.startswith("admin"))
            # the REST API's views and serializers (api/views/, api/serializers/)
            or (path.parent.parent.name == "api" and path.parent.name in ("views", "serializers"))
        )
        and "migrations" not in path.parts
        and path.parent != PACKAGE
    )


def test_the_scanner_finds_queries(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text(
        "from django.shortcuts import get_object_or_404\n"
        "def view(request):\n"
        "    t = Ticket.objects.all()\n"
        "    u = get_object_or_404(Ticket, pk=1)\n"
        "    return request.user.tickets.filter(x=1).exists()\n"
    )
    assert sorted(what for _line, what in orm_calls(sample)) == [
        ".exists()",
        ".filter()",
        ".objects",
        "get_object_or_404",
    ]


@pytest.mark.parametrize("path", tenant_facing_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_tenant_facing_modules_hold_no_queries(path):
    calls = orm_calls(path)
    assert not calls, f"{path.relative_to(ROOT)}: move these reads into services.py: {calls}"


def test_no_module_is_over_800_lines_without_a_reason():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        lines = text.count("\n")
        if lines > MAX_LINES:
            docstring = ast.get_docstring(ast.parse(text)) or ""
            if LONG_MODULE_REASON not in docstring:
                too_long.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert not too_long, "split these modules along their seams: " + ", ".join(too_long)


def test_the_layers_contract_names_every_sub_app():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:layers"]["layers"]
    named = {
        module.strip()
        for line in layers.splitlines()
        for module in line.replace(":", "|").split("|")
        if module.strip()
    }
    sub_packages = {
        f"wagtail_tenantportal.{path.parent.name}"
        for path in PACKAGE.glob("*/__init__.py")
        if path.parent.name not in {"templatetags", "management", "help"}
    } | {"wagtail_tenantportal.templatetags", "wagtail_tenantportal.management", "wagtail_tenantportal.help"}
    root_modules = {
        f"wagtail_tenantportal.{path.stem}" for path in PACKAGE.glob("*.py") if path.stem != "__init__"
    }
    missing = sorted((sub_packages | root_modules) - named)
    assert not missing, f"add these to a layer in .importlinter: {missing}"
    features = set(config["importlinter:contract:features"]["modules"].split())
    assert features == {
        "wagtail_tenantportal.tickets",
        "wagtail_tenantportal.documents",
        "wagtail_tenantportal.notices",
        "wagtail_tenantportal.consumption",
        "wagtail_tenantportal.savings",
    }
