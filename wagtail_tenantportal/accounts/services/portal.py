"""What the tenant-facing pages, blocks and views of the accounts app read.

Views, blocks and page types call these instead of querying themselves. Functions taking
``companies`` narrow a queryset of companies the caller already has (usually the adapter's
``registration_companies``); the others take the tenant's user or ``PortalAccount``, and
what a user may see of tenancy data comes from its ``visible_to(user)``. A lookup that
finds nothing returns None: the caller decides whether that is a 404.
"""

from ...core.adapter import get_adapter
from ...tenancy.models import Company, Contract, Party
from ..models import Consent

# -- companies open for registration --------------------------------------------------------------


def registration_companies(request, company=None):
    """The companies open for registration (``adapter.registration_companies``); only
    ``company`` (if it is among them) when given."""
    companies = get_adapter().registration_companies(request)
    return companies if company is None else companies.filter(pk=company.pk)


def company_by_slug(companies, slug):
    """The company of ``companies`` with ``slug``, or None."""
    return companies.filter(slug=slug).first()


def code_first_companies(companies):
    """Those of ``companies`` whose tenants register with the code of a letter."""
    return companies.filter(registration_flow=Company.RegistrationFlow.CODE_FIRST)


def offers_code_registration(companies):
    """True if a tenant of one of ``companies`` registers with the code of a letter."""
    return code_first_companies(companies).exists()


# -- the tenant's account -----------------------------------------------------------------------


def account_claims(account):
    """All "verify later" registrations of ``account``, newest first, with their company."""
    return account.claims.select_related("company").order_by("-created_at")


def open_claims(account):
    """The registrations of ``account`` not activated yet (waiting, matched or rejected),
    with their company."""
    return account.claims.select_related("company").exclude(activated_at__isnull=False)


def current_consents(account):
    """The consents ``account`` has given and not withdrawn, by kind, newest first."""
    return account.consents.current().order_by("kind", "-given_at")


def consent_history(account):
    """Every consent ``account`` gave, withdrawn ones too, the newest first (one query): what
    the tenant agreed to, in which version, when, and when they withdrew it."""
    return list(account.consents.order_by("-given_at", "-pk"))


def account_overview(user, account):
    """What the account page ("Konto") shows beyond the login: ``contact`` (the general
    contact persons of the tenant's current contracts and the companies standing in where a
    contract has none, see ``tenancy.services.contact_context``), ``consent_history`` and
    ``consent_links`` (``{kind: address}`` of the texts of the tenant's company; each consent
    of the history carries its ``text_url``).
    Four queries however many contracts and consents there are."""
    from ...core import companies
    from ...tenancy.models import Topic
    from ...tenancy.services import contact_context
    from ..consent_texts import consent_urls

    links = consent_urls(companies.for_user(user))
    history = consent_history(account) if account is not None else []
    for consent in history:
        consent.text_url = links.get(consent.kind, "")
    return {
        "contact": contact_context(user, Topic.GENERAL),
        "consent_history": history,
        "consent_links": links,
    }


def gives_e_delivery(account):
    """True if ``account`` currently consents to the electronic delivery of documents."""
    return account.consents.current().filter(kind=Consent.Kind.E_DELIVERY).exists()


def tenant_parties(user):
    """The parties ``user`` acts for, with their company."""
    return Party.objects.visible_to(user).select_related("company")


def account_contracts(user):
    """The contracts ``user`` may see, by company name and number, with company, unit and
    property (the account overview lists them)."""
    return (
        Contract.objects.visible_to(user)
        .select_related("company", "unit", "unit__property")
        .order_by("company__name", "number")
    )


# -- page tree ----------------------------------------------------------------------------------


def _site_root(parent):
    """The root page of the site ``parent`` belongs to (its top page outside any site)."""
    site = parent.get_site()
    if site is not None:
        return site.root_page
    if parent.depth <= 2:
        return parent
    return parent.get_ancestors().filter(depth=2).first()


def site_has_page_of_type(page_class, parent):
    """True if the site a new child of ``parent`` would belong to has a page of ``page_class``
    already. Under the tree's root (a new site root) the other top pages count instead."""
    if parent.depth == 1:
        return page_class.objects.child_of(parent).exists()
    return page_class.objects.descendant_of(_site_root(parent), inclusive=True).exists()
