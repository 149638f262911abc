"""System checks of the accounts app that read the database.

- ``wagtail_tenantportal.W078``: a company whose tenants may register asks a consent (privacy
  notice, terms of use, e-delivery) without a text to read: neither the company's own address
  (Company: Portal options → Texts tenants consent to) nor the portal-wide ``CONSENT_URLS``.
  ``W075`` (``core.golive``) names the gaps of the setting alone; this one names the companies
  whose tenants meet them. Silent before ``migrate``.
"""

from django.apps import apps
from django.core.checks import Tags, Warning, register

from ..core.checks import ID
from ..core.golive import tables_exist


def _companies():
    from ..tenancy.models import Company

    if not tables_exist(Company):
        return None
    try:
        return list(Company.objects.filter(portal_enabled=True).order_by("pk"))
    except Exception:  # a database that cannot answer yet: nothing to check
        return None


@register(Tags.compatibility)
def check_company_consent_texts(app_configs=None, **kwargs):
    """``W078``: every consent a company's registration asks links a text."""
    from .consent_texts import ASKED_KINDS, missing_texts
    from .models import Consent

    companies = _companies()
    if not companies:
        return []
    kinds = [kind for kind in ASKED_KINDS if kind != Consent.Kind.E_DELIVERY]
    if apps.is_installed("wagtail_tenantportal.documents"):
        kinds.append(Consent.Kind.E_DELIVERY)
    messages = []
    for company, missing in missing_texts(companies, kinds):
        messages.append(
            Warning(
                f"The company {company.display_name!r} asks its tenants to consent to texts it gives no "
                f"address for: {', '.join(missing)}. The boxes at registration link nowhere.",
                hint="In the Wagtail admin under Tenant portal → Companies → Portal options → Texts tenants "
                "consent to, enter the addresses of its texts (or set CONSENT_URLS for every company). "
                "See 'Consents' in docs/accounts.md.",
                id=ID.format("W078"),
            )
        )
    return messages
