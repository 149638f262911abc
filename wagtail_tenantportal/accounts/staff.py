"""Staff actions on portal accounts and "verify later" registrations: the services behind the
admin (``admin_claims.py``, ``admin_accounts.py``). Views stay thin; every action writes an
entry to Wagtail's audit log (actions below, registered in ``cms_hooks.py``).

Matching and rejecting a registration are ``flows.match_claim`` / ``flows.reject_claim``;
this module adds printing the activation letter, deactivating a link to a party, resetting
two-factor and sending the verification mail again, and reads the two-factor devices staff
see (``two_factor_devices``, ``account_devices``; empty without django-otp).
"""

import logging

from django.apps import apps
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..core.adapter import get_adapter
from . import flows, services
from .letters import Letter, LetterRenderer
from .models import (
    AccountParty,
    CompanyLetterSettings,
    EmailVerification,
    RegistrationClaim,
    RegistrationCode,
)

logger = logging.getLogger(__name__)

ACTION_LINK_DEACTIVATED = "tenantportal.party_link_deactivated"
ACTION_TWO_FACTOR_RESET = "tenantportal.two_factor_reset"
ACTION_VERIFICATION_RESENT = "tenantportal.verification_resent"
ACTION_ACTIVATION_LETTER = "tenantportal.activation_letter_printed"

ACTIVATION_SUBJECT = _("Your activation code for the {portal_name}")
ACTIVATION_BODY = _(
    "{salutation}\n\n"
    "thank you for registering with our {portal_name}. We have checked your details and linked your "
    "registration to your contract {contract_number}.\n\n"
    "To finish, please log in at {portal_url} with your email address and your password and enter "
    "the activation code below. Until then your account shows no contract data. The code can be used "
    "once and is valid until {valid_until}."
)
ACTIVATION_CLOSING = _(
    "If you have not registered with our portal, please let us know. Please do not pass the code on.\n\n"
    "Kind regards\n\n{company_name}"
)


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


# -- "verify later": the activation letter ----------------------------------------------------


class ActivationLetterRenderer(LetterRenderer):
    """The registration letter layout with the wording of an activation letter."""

    def _company_texts(self, company):
        texts = super()._company_texts(company)
        if not texts.get("activation"):
            texts["code_label"] = self.fonts.text(gettext("Your personal activation code"))
            texts["rows"] = [
                self.fonts.text(label) + ":"
                for label in (gettext("Contract number"), gettext("Valid until"), gettext("Log in at"))
            ]
            texts["activation"] = True
        return texts


def _activation_settings(company):
    """Letter texts of the activation letter (the company's closing text is not used: it
    talks about registering)."""
    return CompanyLetterSettings(
        company=company, subject=ACTIVATION_SUBJECT, body=ACTIVATION_BODY, closing=ACTIVATION_CLOSING
    )


def login_url(request=None, company=None):
    """Absolute address of the portal login on ``company``'s own site (printed on activation
    letters, sent in staff flows): never the admin's host unless it is the company's site."""
    try:
        path = reverse("wagtail_tenantportal:login")
    except NoReverseMatch:  # pragma: no cover - the portal's URLs are always installed with accounts
        path = "/"
    return get_adapter().build_absolute_uri(request, path, company=company)


def print_activation_letter(claim, out, *, user=None, request=None, now=None):
    """Issue a fresh activation code for a matched ``claim`` and draw its letter into ``out``.

    The letter goes to the party's address on file. Older unused codes of the party (the one
    ``flows.match_claim`` issued, an earlier letter) are revoked; ``claim.code`` names the new
    one. Code and PDF are made in one transaction: if drawing fails, no new code stays issued.
    Raises ``ValueError`` unless the claim is matched and not yet activated.
    """
    if claim.status != RegistrationClaim.Status.MATCHED or claim.activated_at or claim.party_id is None:
        raise ValueError("Only matched claims that are not activated yet get an activation letter.")
    now = now or timezone.now()
    party = claim.party
    # The contract the match chose (match_claim issued a code naming it).
    contract = claim.code.contract if claim.code_id else None
    if contract is None:
        raise ValueError("The claim names no contract.")
    company = party.company
    with transaction.atomic():
        issued = services.issue_code(party, contract, user=_actor(user), now=now)
        RegistrationCode.objects.filter(pk=issued.record.pk).update(letter_printed_at=now)
        with ActivationLetterRenderer(
            out,
            letter_settings={company.pk: _activation_settings(company)},
            title=gettext("Activation letter"),
        ) as renderer:
            renderer.add(
                Letter(
                    party=party,
                    contract=contract,
                    code=issued.code,
                    valid_until=issued.record.expires_at,
                    url=login_url(request, company),
                )
            )
        claim.code = issued.record
        claim.save(update_fields=["code"])
        log(claim, ACTION_ACTIVATION_LETTER, user=_actor(user), data={"code": issued.record.pk})
    return issued.record


# -- accounts -----------------------------------------------------------------------------------


def deactivate_party_link(link, *, user=None):
    """End the account's access to a party (and so to its contracts) at once; the link stays
    as a record. Returns False if it was inactive already."""
    with transaction.atomic():
        changed = AccountParty.objects.filter(pk=link.pk, active=True).update(active=False)
        if changed:
            link.active = False
            log(
                link.account,
                ACTION_LINK_DEACTIVATED,
                user=_actor(user),
                data={"party": link.party_id, "party_name": str(link.party)},
            )
    return bool(changed)


def two_factor_devices(users):
    """``{user_id: {"totp": n, "email": n, "backup_codes": n, "unconfirmed": n}}`` for ``users``
    (ids or users): confirmed devices by type, unused backup codes, devices being set up.
    Three queries whatever the number of users; empty without django-otp."""
    ids = [getattr(user, "pk", user) for user in users]
    result = {pk: {"totp": 0, "email": 0, "backup_codes": 0, "unconfirmed": 0} for pk in ids}
    if not ids or not apps.is_installed("django_otp"):
        return result
    from django.db.models import Count, Q
    from django_otp.plugins.otp_email.models import EmailDevice
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model, key in ((TOTPDevice, "totp"), (EmailDevice, "email")):
        rows = (
            model.objects.filter(user_id__in=ids)
            .values("user_id")
            .annotate(
                n_confirmed=Count("pk", filter=Q(confirmed=True)),
                n_pending=Count("pk", filter=Q(confirmed=False)),
            )
        )
        for row in rows:
            result[row["user_id"]][key] += row["n_confirmed"]
            result[row["user_id"]]["unconfirmed"] += row["n_pending"]
    rows = (
        StaticDevice.objects.filter(user_id__in=ids, confirmed=True)
        .values("user_id")
        .annotate(n_tokens=Count("token_set"))
    )
    for row in rows:
        result[row["user_id"]]["backup_codes"] += row["n_tokens"]
    return result


def account_devices(user):
    """The user's two-factor devices as dicts (``kind``, ``name``, ``confirmed``, ``detail``)."""
    if not apps.is_installed("django_otp"):
        return []
    from django_otp.plugins.otp_email.models import EmailDevice
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    devices = []
    for device in TOTPDevice.objects.filter(user=user).order_by("pk"):
        devices.append(
            {"kind": _("Authenticator app"), "name": device.name, "confirmed": device.confirmed, "detail": ""}
        )
    for device in EmailDevice.objects.filter(user=user).order_by("pk"):
        devices.append(
            {"kind": _("Codes by email"), "name": device.name, "confirmed": device.confirmed, "detail": ""}
        )
    for device in StaticDevice.objects.filter(user=user).order_by("pk").prefetch_related("token_set"):
        detail = _("%(count)s unused codes") % {"count": len(device.token_set.all())}
        devices.append(
            {"kind": _("Backup codes"), "name": device.name, "confirmed": device.confirmed, "detail": detail}
        )
    return devices


def reset_two_factor(account, *, user=None, request=None):
    """Remove every two-factor device of the account's user (authenticator apps, email codes,
    backup codes), end all the tenant's sessions, and tell the tenant by mail.

    For a tenant who lost the phone: at the next login the password is enough, and where the
    company requires two-factor the tenant is led to set it up again. Returns the number of
    devices removed per type.
    """
    from .auth import bump_session_epoch

    removed = {"totp": 0, "email": 0, "backup": 0}
    with transaction.atomic():
        if apps.is_installed("django_otp"):
            from django_otp.plugins.otp_email.models import EmailDevice
            from django_otp.plugins.otp_static.models import StaticDevice
            from django_otp.plugins.otp_totp.models import TOTPDevice

            for model, key in ((TOTPDevice, "totp"), (EmailDevice, "email"), (StaticDevice, "backup")):
                removed[key] = model.objects.filter(user=account.user).delete()[1].get(model._meta.label, 0)
        bump_session_epoch(account)
        log(account, ACTION_TWO_FACTOR_RESET, user=_actor(user), data=removed)
    adapter = get_adapter()
    company = adapter.mail_company(request, account.user)
    try:
        adapter.send_mail(
            "two_factor_reset",
            adapter.user_email(account.user),
            {"user": account.user, "login_url": login_url(request, company)},
            request=request,
            company=company,
        )
    except Exception:  # the reset stands; staff can tell the tenant otherwise
        logger.exception("Could not send the two-factor reset mail")
    return removed


def can_resend_verification(account):
    """True if the account waits for an email confirmation (registration or a new address)."""
    if account.email_verified_at is None:
        return True
    return EmailVerification.objects.open().filter(account=account).exists()


def resend_verification(account, *, user=None, request=None):
    """Send the confirmation mail again (a new link and code; earlier ones stop working).

    Not subject to the tenants' attempt limits (staff act for the tenant). Returns False if
    the account waits for no confirmation.
    """
    pending = EmailVerification.objects.open().filter(account=account).order_by("-created_at").first()
    if account.email_verified_at is not None and pending is None:
        return False
    email = pending.email if pending else None
    purpose = pending.purpose if pending else None
    verification, code = flows.start_email_verification(account, email, purpose=purpose)
    log(account, ACTION_VERIFICATION_RESENT, user=_actor(user), data={"purpose": verification.purpose})
    flows.send_verification_mail(request, verification, code)
    return True
