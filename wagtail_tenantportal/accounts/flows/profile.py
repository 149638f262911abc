"""The tenant's own data: consents (with the version of the text in force) and contact data."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from ...core.conf import portal_settings
from ...core.phones import clean_phone
from ..models import Consent


def consent_versions():
    """``{kind: version}`` of the consent texts in force (setting ``CONSENT_VERSIONS``)."""
    versions = portal_settings.CONSENT_VERSIONS or {}
    return {kind: str(versions.get(kind) or "1") for kind in Consent.Kind.values}


def record_consents(account, kinds, *, now=None):
    """Store one ``Consent`` per kind in ``kinds`` with the version in force and the time."""
    now = now or timezone.now()
    versions = consent_versions()
    Consent.objects.bulk_create(
        [Consent(account=account, kind=kind, version=versions[kind], given_at=now) for kind in kinds]
    )


def set_e_delivery(account, wanted, *, now=None):
    """Give (with the text version in force) or withdraw the e-delivery consent.

    Withdrawing sets ``withdrawn_at`` on the current consent; the record stays. Returns True
    if something changed.
    """
    now = now or timezone.now()
    current = account.consents.current().filter(kind=Consent.Kind.E_DELIVERY)
    if wanted and not current.exists():
        record_consents(account, [Consent.Kind.E_DELIVERY], now=now)
        return True
    if not wanted and current.exists():
        current.update(withdrawn_at=now)
        return True
    return False


def erp_phone_defaults(account, parties):
    """At the first contact check of an account without phone numbers: the numbers the ERP
    has of the tenant's ``parties`` (first party with a number wins per kind), in E.164; the
    form shows them formatted for the tenant to confirm or change. Numbers the ERP holds in
    a form that is no valid phone number are left out. ``{}`` once the check was done."""
    if account.contact_checked_at is not None or account.phone_numbers:
        return {}
    defaults = {}
    for party in parties:
        for name in ("phone", "mobile", "phone_work"):
            if name in defaults:
                continue
            try:
                number = clean_phone(getattr(party, name, ""))
            except ValidationError:
                continue
            if number:
                defaults[name] = number
    return defaults


def save_contact_data(account, *, phone="", mobile="", phone_work="", now=None):
    """Store the tenant's own phone numbers and record that the contact data were checked."""
    account.phone, account.mobile, account.phone_work = phone, mobile, phone_work
    account.contact_checked_at = now or timezone.now()
    account.save(update_fields=["phone", "mobile", "phone_work", "contact_checked_at"])
    return account
