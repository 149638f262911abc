"""What the accounts app holds about a user (``core.personal_data``): the portal account with
its contact data, party links, consents, email confirmations, registration claims and
second factors, and the login itself. Erased last: deleting the login is the end of the
account (registration codes the user redeemed stay, without the link to them)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry

from ..core.outbox import FORGET_KEY, OutboxMessage
from ..core.personal_data import ErasureReport, PersonalDataProvider, iso, register
from .models import Consent, DataExport, EmailVerification, PortalAccount, RegistrationClaim, RegistrationCode


def _needles(user, account):
    """The texts that identify the person outside the records linked to the login: the
    address and the phone numbers of the account."""
    email = getattr(user, user.get_email_field_name(), "") or ""
    phones = account.phone_numbers if account is not None else []
    return [value for value in {email, *phones} if value and len(value) >= 5]


def _mentioning(queryset, fields, needles):
    condition = Q()
    for needle in needles:
        for name in fields:
            condition |= Q(**{f"{name}__icontains": needle})
    return queryset.filter(condition) if needles else queryset.none()


def _erase_outbox(needles):
    """Mails and queued work that name the person: delivered or failed ones lose their payload;
    waiting mails are discarded; other waiting work (an event the company's ERP must still get)
    is delivered and forgets its payload then. Returns the number of rows touched."""
    rows = list(_mentioning(OutboxMessage.objects.all(), ["payload"], needles))
    for row in rows:
        if row.state == OutboxMessage.State.PENDING and row.channel != "mail":
            row.payload = {**row.payload, FORGET_KEY: True}
            row.save(update_fields=["payload"])
        else:
            if row.state == OutboxMessage.State.PENDING:
                row.state = OutboxMessage.State.DISCARDED
            row.payload = {}
            row.save(update_fields=["payload", "state"])
    return len(rows)


def _erase_audit_log(needles):
    """Audit entries keep what happened and when; a label or data naming the person goes."""
    return _mentioning(ModelLogEntry.objects.all(), ["label", "data"], needles).update(
        label=gettext("deleted portal account"), data={}
    )


def _delete_exports(user):
    from .leaving import delete_files

    names = [name for name in DataExport.objects.filter(user=user).values_list("file", flat=True) if name]
    count = DataExport.objects.filter(user=user).delete()[0]
    transaction.on_commit(lambda: delete_files(names))
    return count


def _devices(user):
    try:
        from django_otp import devices_for_user
    except ImportError:  # pragma: no cover - django-otp is a dependency
        return []
    return list(devices_for_user(user, confirmed=None))


@register
class AccountsPersonalData(PersonalDataProvider):
    app = "accounts"
    order = 900

    def export(self, user):
        account = PortalAccount.objects.filter(user=user).first()
        data = {
            "user": {
                "username": user.get_username(),
                "email": getattr(user, user.get_email_field_name(), "") or "",
                "first_name": getattr(user, "first_name", ""),
                "last_name": getattr(user, "last_name", ""),
                "date_joined": iso(getattr(user, "date_joined", None)),
                "last_login": iso(getattr(user, "last_login", None)),
            },
            "account": None,
            "second_factors": [
                {"kind": type(device).__name__, "name": device.name, "confirmed": bool(device.confirmed)}
                for device in _devices(user)
            ],
            "data_exports": [
                {"requested_at": iso(export.requested_at), "state": export.state}
                for export in DataExport.objects.filter(user=user).order_by("pk")
            ],
        }
        if account is None:
            return data
        data["account"] = {
            "created_at": iso(account.created_at),
            "email_verified_at": iso(account.email_verified_at),
            "last_login_at": iso(account.last_login_at),
            "contact_checked_at": iso(account.contact_checked_at),
            "phone": account.phone,
            "mobile": account.mobile,
            "phone_work": account.phone_work,
            "parties": [
                {
                    "party": link.party.full_name,
                    "company": link.party.company.name,
                    "linked_at": iso(link.linked_at),
                    "active": link.active,
                }
                for link in account.party_links.select_related("party__company").order_by("pk")
            ],
            "consents": [
                {
                    "kind": consent.kind,
                    "version": consent.version,
                    "given_at": iso(consent.given_at),
                    "withdrawn_at": iso(consent.withdrawn_at),
                }
                for consent in account.consents.order_by("given_at", "pk")
            ],
            "email_confirmations": [
                {
                    "email": verification.email,
                    "purpose": verification.purpose,
                    "sent_at": iso(verification.created_at),
                    "confirmed_at": iso(verification.confirmed_at),
                }
                for verification in account.email_verifications.order_by("created_at", "pk")
            ],
            "registrations": [
                {
                    "company": claim.company.name,
                    "status": claim.status,
                    "first_name": claim.first_name,
                    "last_name": claim.last_name,
                    "street": claim.street,
                    "postal_code": claim.postal_code,
                    "city": claim.city,
                    "phone": claim.phone,
                    "contract_number": claim.contract_number,
                    "registered_at": iso(claim.created_at),
                    "decided_at": iso(claim.decided_at),
                    "activated_at": iso(claim.activated_at),
                }
                for claim in account.claims.select_related("company").order_by("created_at", "pk")
            ],
        }
        return data

    def erase(self, user):
        report = ErasureReport(self.app)
        account = PortalAccount.objects.filter(user=user).first()
        needles = _needles(user, account)
        report.anonymised["outbox"] = _erase_outbox(needles)
        report.anonymised["audit_log"] = _erase_audit_log(needles)
        report.deleted["data_exports"] = _delete_exports(user)
        if account is not None:
            report.deleted["consents"] = account.consents.count()
            report.deleted["email_confirmations"] = account.email_verifications.count()
            report.deleted["registrations"] = account.claims.count()
            report.deleted["party_links"] = account.party_links.count()
        report.anonymised["registration_codes"] = RegistrationCode.objects.filter(used_by=user).update(
            used_by=None
        )
        devices = _devices(user)
        for device in devices:
            device.delete()
        report.deleted["second_factors"] = len(devices)
        report.deleted["accounts"] = (
            PortalAccount.objects.filter(user=user).delete()[1].get(PortalAccount._meta.label, 0)
        )
        # The login itself, unless it is also a staff login (then only the portal account goes).
        if not (user.is_staff or user.is_superuser):
            get_user_model()._default_manager.filter(pk=user.pk).delete()
            report.deleted["logins"] = 1
        return report

    def remaining(self, user):
        return {
            "accounts": PortalAccount.objects.filter(user_id=user.pk).count(),
            "consents": Consent.objects.filter(account__user_id=user.pk).count(),
            "email_confirmations": EmailVerification.objects.filter(account__user_id=user.pk).count(),
            "registrations": RegistrationClaim.objects.filter(account__user_id=user.pk).count(),
            "registration_codes": RegistrationCode.objects.filter(used_by_id=user.pk).count(),
            "second_factors": len(_devices(user)) if user.pk is not None else 0,
            "data_exports": DataExport.objects.filter(user_id=user.pk).count(),
        }
