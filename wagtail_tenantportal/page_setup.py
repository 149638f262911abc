"""Create the portal's pages in a site's page tree (``manage.py tenantportal_setup_pages``).

One page of each portal page type whose sub-app is installed (overview, login, registration, my
account, report damage, my requests, my documents, my contracts, notice board, consumption,
savings), as children of the default site's root page or of ``--parent``. Page types that
already have a page in that site are left alone, so running it again changes nothing; a second
site (a second cooperative on the same portal) gets its own pages when its home page is the
parent. Editors move, rename and edit the pages afterwards like any other page.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Site

#: (app label, model name, title); the slug is made from the title in the active language.
PORTAL_PAGES = (
    ("tenantportal_dashboard", "DashboardPage", _("Overview")),
    ("tenantportal_accounts", "PortalLoginPage", _("Log in")),
    ("tenantportal_accounts", "RegistrationPage", _("Register")),
    ("tenantportal_accounts", "AccountPage", _("My account")),
    ("tenantportal_tickets", "DamageReportPage", _("Report damage")),
    ("tenantportal_tickets", "RequestListPage", _("My requests")),
    ("tenantportal_documents", "DocumentsPage", _("My documents")),
    ("tenantportal_tenancy", "ContractsPage", _("My contracts")),
    ("tenantportal_notices", "NoticesPage", _("Notice board")),
    ("tenantportal_consumption", "ConsumptionPage", _("My consumption")),
    ("tenantportal_savings", "SavingsPage", _("My savings")),
)


@dataclass
class PageSetupResult:
    """One portal page type: its ``page`` (the existing or new page; None in a dry run) and
    whether it was ``created`` by this call (in a dry run: would be created)."""

    model: type
    page: Page | None
    created: bool


def portal_page_types():
    """``[(model, title)]`` of the portal page types whose app is installed, in menu order."""
    types = []
    for app_label, model_name, title in PORTAL_PAGES:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:  # the sub-app is not installed or has no such page type (yet)
            continue
        types.append((model, title))
    return types


def default_parent():
    """The root page of the default site (the home page), or None when no site is set up."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page if site else None


#: German letters written out the way Germans do in addresses ("Verträge" → "vertraege").
_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def _slug(title):
    return slugify(str(title).translate(_TRANSLITERATION))


def _free_slug(parent, slug):
    taken = set(parent.get_children().values_list("slug", flat=True))
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    return candidate


def _scope(parent):
    """Where existing portal pages count: the tree of the site ``parent`` belongs to, else
    the whole tree (a parent outside every site)."""
    site = parent.get_site()
    return site.root_page if site is not None else None


@transaction.atomic
def setup_portal_pages(parent=None, *, company=None, dry_run=False):
    """Add the missing portal pages as published children of ``parent`` (default: the root
    page of the default site) and return one ``PageSetupResult`` per portal page type.

    A page type counts as present when it has a page in the site of ``parent`` (anywhere
    below that site's root page), so each site of a multi-site installation gets its own.
    Titles are translated into the active language; slugs come from the titles and get a
    number when a sibling has the slug already. The login page links to the registration page;
    with ``company`` (a tenancy Company) a new registration page registers that company's
    tenants only. Raises ``ValueError`` when there is no parent (no default site). Nothing is
    saved with ``dry_run``.
    """
    parent = parent or default_parent()
    if parent is None:
        raise ValueError("No default site: create one in the Wagtail admin under Settings → Sites.")
    scope = _scope(parent)
    results = []
    for model, title in portal_page_types():
        pages = model.objects.all()
        if scope is not None:
            pages = pages.descendant_of(scope, inclusive=True)
        existing = pages.order_by("path").first()
        if existing is not None or dry_run:
            results.append(PageSetupResult(model, existing, created=existing is None))
            continue
        if not model.can_create_at(parent):
            raise ValueError(f"A {model._meta.verbose_name} cannot be created below “{parent.title}”.")
        page = model(title=str(title), slug=_free_slug(parent, _slug(title)))
        if company is not None and hasattr(page, "company_id"):
            page.company = company
        parent.add_child(instance=page)
        page.save_revision().publish()
        results.append(PageSetupResult(model, page, created=True))
    if not dry_run:
        _link_login_to_registration(results)
    return results


def _link_login_to_registration(results):
    """A new login page links to the registration page (existing pages are the editors')."""
    by_name = {result.model.__name__: result for result in results if result.page is not None}
    login, registration = by_name.get("PortalLoginPage"), by_name.get("RegistrationPage")
    if login is None or registration is None or not login.created:
        return
    if hasattr(login.page, "registration_page_id"):
        login.page.registration_page = registration.page
        login.page.save_revision().publish()
