"""What every flow shares: the audit-log actions, the errors (``FlowError`` and its
subclasses, with messages safe to show), attempt limits, and mails rendered in the request
and queued for sending."""

import logging
from contextlib import nullcontext

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ...core import mail
from ...core.adapter import get_adapter
from ...core.identity import canonical_email
from ...core.ratelimit import RateLimit
from ...tenancy import services as tenancy_services
from .. import services
from ..models import AccountParty

logger = logging.getLogger(__name__)

ACTION_REGISTERED = "tenantportal.account_registered"
ACTION_EMAIL_CONFIRMED = "tenantportal.email_confirmed"
ACTION_CLAIM_MATCHED = "tenantportal.claim_matched"
ACTION_CLAIM_REJECTED = "tenantportal.claim_rejected"
ACTION_ACTIVATED = "tenantportal.account_activated"


# -- errors -----------------------------------------------------------------------------------


class FlowError(Exception):
    """A step failed; ``message`` is translated and safe to show to anybody."""

    message = _("Something went wrong. Please try again.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class TooManyAttempts(FlowError):
    """An attempt limit locked the action; ``retry_after`` seconds until it ends."""

    def __init__(self, retry_after):
        self.retry_after = max(1, int(retry_after + 0.999))
        minutes = max(1, (self.retry_after + 59) // 60)
        super().__init__(
            ngettext(
                "Too many attempts. Please try again in %(minutes)d minute.",
                "Too many attempts. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


class RegistrationInvalid(FlowError):
    """The registration details do not fit a valid registration code (one message for all causes)."""

    message = services.RegistrationCodeInvalid.message


class LoginFailed(FlowError):
    message = _(
        "The email address or the password is not correct. Please note that upper and lower case "
        "matter in the password."
    )


class VerificationInvalid(FlowError):
    message = _(
        "This code is not valid. A code is valid for 15 minutes and for five attempts; you can request a "
        "new email."
    )


class VerificationLinkInvalid(FlowError):
    message = _(
        "This confirmation link is not valid any more: it has expired, was already used, or a newer email "
        "replaced it. You can request a new email."
    )


class EmailUnavailable(FlowError):
    message = _("This email address cannot be used for your account. Please choose another one.")


class ActivationInvalid(FlowError):
    message = _(
        "This activation code is not valid. Please check the code printed on our letter; if it has "
        "expired, please contact us."
    )


def _limit(scope, *keys):
    """Raise ``TooManyAttempts`` if any key of ``scope`` is locked; return the limiter."""
    limiter = RateLimit.for_scope(scope)
    wait = max((limiter.locked_for(key) for key in keys if key), default=0)
    if wait > 0:
        raise TooManyAttempts(wait)
    return limiter


# -- helpers ----------------------------------------------------------------------------------


def normalise_email(email):
    """The one form in which addresses are compared, stored and used as limiter keys
    (``core.identity.canonical_email``: NFKC, case folded, punycode read)."""
    return canonical_email(email)


def client_ip(request):
    return get_adapter().get_client_ip(request) if request is not None else None


def _dummy_password_hash(password):
    # Same work as a real account creation or login, so the time taken does not tell.
    get_user_model()().set_password(password)


def _render(template_prefix, email, context, *, request=None, company=None):
    """The rendered message, or None (logged) if rendering failed."""
    try:
        return get_adapter().render_mail(template_prefix, email, context, request=request, company=company)
    except Exception:  # a template problem must not undo the step; the tenant can retry
        logger.exception("Could not render the %s mail", template_prefix)
        return None


def _send(template_prefix, email, context, *, request=None, company=None, deliver=True):
    """Render the mail now and queue its sending (``mail.send_later``): the request never
    waits for the mail server, so its duration does not tell whether an account exists.

    True if the mail was rendered and queued. ``deliver=False`` does the same rendering and
    queues nothing (the unknown-address branch of the enumeration-safe flows).
    """
    message = _render(template_prefix, email, context, request=request, company=company)
    if message is None or not deliver:
        return False
    mail.send_later(message)
    return True


def _placeholder_user():
    """An unsaved user standing in for an unknown address (never stored, never mailed)."""
    return get_user_model()()


def _absolute(request, path, company=None, origin=None):
    """``path`` as an absolute address on ``company``'s own site (``core.links``). A task
    rendering for a request (no ``request``, no company known) uses that request's ``origin``
    (see :func:`mail_origin`)."""
    if request is None and company is None and origin:
        return origin.rstrip("/") + path
    return get_adapter().build_absolute_uri(request, path, company=company)


def _mail_company(request, user):
    """The company whose voice a mail to ``user`` has (``adapter.mail_company``)."""
    return get_adapter().mail_company(request, user)


def mail_origin(request):
    """What a task needs to render a mail as ``request`` would: ``{"origin": "https://host",
    "language": "de", "site_company_id": 3}`` (the host was checked against ``ALLOWED_HOSTS``
    by ``get_host``; the company is the one of the request's site, None if none)."""
    site_company = get_adapter().site_company(request) if request is not None else None
    return {
        "origin": request.build_absolute_uri("/").rstrip("/") if request is not None else None,
        "language": get_adapter().mail_language(request),
        "site_company_id": getattr(site_company, "pk", None),
    }


def task_mail_company(user, site_company_id):
    """In a task: the company whose voice a mail to ``user`` has, else the company of the site
    the request came to (``mail_origin``), else None."""
    company = _mail_company(None, user) if user is not None and user.pk else None
    if company is None and site_company_id:
        company = tenancy_services.company_by_id(site_company_id)
    return company


def in_language(language):
    """Render in ``language`` (a task has no request to take it from); None: as configured."""
    return translation.override(language) if language else nullcontext()


def _notify_email_in_use(request, email, *, company=None, code_kept=False, origin=None):
    """Tell the owner of ``email`` that somebody tried to register with it or change an address
    to it (``code_kept``: with a letter code, which their account may still use under "add a
    contract"), in the voice of the owner's own company (else ``company``, where the attempt
    was made). A task passes ``request=None`` and the request's ``origin``."""
    user = get_adapter().find_user_by_email(email)
    if user is None:
        return
    company = _mail_company(request, user) or company
    _send(
        "email_in_use",
        email,
        {
            "user": user,
            "code_kept": code_kept,
            "login_url": _absolute(request, reverse("wagtail_tenantportal:login"), company, origin),
            "add_contract_url": _absolute(
                request, reverse("wagtail_tenantportal:add_contract"), company, origin
            ),
            "password_reset_url": _absolute(
                request, reverse("wagtail_tenantportal:password_reset"), company, origin
            ),
        },
        request=request,
        company=company,
    )


def _link_party(account, party, *, now):
    """Link ``party`` to ``account``: a new active link, or the inactive one made active again."""
    link, created = AccountParty.objects.get_or_create(
        account=account, party=party, defaults={"active": True, "linked_at": now}
    )
    if not created and not link.active:
        link.active, link.linked_at = True, now
        link.save(update_fields=["active", "linked_at"])
    return link


def announce_activation(account, *, company=None):
    """Mail the tenant that ``account`` is active (linked to a party, email verified), in the
    voice of ``company`` (default: the company of its first active party link). Queued
    through the outbox; False when the account has no active link yet or the mail could not
    be rendered (the activation itself stands)."""
    if company is None:
        link = (
            AccountParty.objects.filter(account=account, active=True)
            .select_related("party__company")
            .order_by("pk")
            .first()
        )
        if link is None:
            return False
        company = link.party.company
    user = account.user
    return _send(
        "account_activated",
        get_adapter().user_email(user),
        {"user": user, "account": account, "company": company},
        company=company,
    )
