"""Where the texts tenants consent to are: the company's own address (``Company.privacy_url``,
``terms_url``, ``e_delivery_url``), else the portal-wide ``CONSENT_URLS``. The registration
forms, the account page's consent history and the system check ``W078`` ask here."""

from ..core.conf import portal_settings
from .models import Consent

#: The consents every registration asks (e-delivery is optional, but its box is shown too).
ASKED_KINDS = (Consent.Kind.PRIVACY, Consent.Kind.TERMS, Consent.Kind.E_DELIVERY)


def consent_url(kind, company=None):
    """The address of the text of consent ``kind`` for tenants of ``company`` (None: the
    portal-wide one), or "" when there is none."""
    own = company.consent_url(kind) if company is not None else ""
    urls = portal_settings.CONSENT_URLS
    return own or (urls.get(str(kind)) if isinstance(urls, dict) else "") or ""


def consent_urls(company=None):
    """``{kind: address}`` of every consent kind for ``company`` ("" where none)."""
    return {str(kind): consent_url(kind, company) for kind in ASKED_KINDS}


def missing_texts(companies, kinds=ASKED_KINDS):
    """``[(company, [kind names])]``: the companies among ``companies`` with a consent of
    ``kinds`` they ask for without a text (neither their own address nor the portal-wide one)."""
    missing = []
    for company in companies:
        kinds_missing = [str(kind) for kind in kinds if not consent_url(kind, company)]
        if kinds_missing:
            missing.append((company, kinds_missing))
    return missing
