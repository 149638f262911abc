"""Two-factor pages: the verify step of the login and the set-up pages.

The same views serve the portal (``urls.py``, templates extending the portal layout)
and the Wagtail admin (``admin.py``, admin-styled templates): a ``Surface`` names
the URLs, templates and access rules of each. The business logic is in ``services.py``.
"""

from dataclasses import dataclass, field
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ...core import session
from ...core.adapter import get_adapter
from ...core.context import portal_context
from . import services as twofactor
from .forms import CodeForm, ConfirmPasswordForm, RemoveMethodForm


@dataclass(frozen=True)
class Surface:
    """Where the two-factor pages live: URL names, templates and who may manage methods."""

    key: str
    url_names: dict = field(default_factory=dict)
    template_dir: str = ""
    staff: bool = False
    methods: tuple = (twofactor.TOTP, twofactor.EMAIL)  # methods that can be set up here

    def url(self, name, **query):
        url = reverse(self.url_names[name])
        query = {k: v for k, v in query.items() if v}
        return f"{url}?{urlencode(query)}" if query else url

    def template(self, name):
        return f"{self.template_dir}{name}.html"


PORTAL = Surface(
    key="portal",
    url_names={
        "verify": "wagtail_tenantportal:two_factor_verify",
        "setup": "wagtail_tenantportal:two_factor_setup",
        "reauth": "wagtail_tenantportal:two_factor_reauth",
        "totp": "wagtail_tenantportal:two_factor_totp_setup",
        "backup": "wagtail_tenantportal:two_factor_backup_codes",
        "email": "wagtail_tenantportal:two_factor_email_setup",
        "disable": "wagtail_tenantportal:two_factor_disable",
        "login": "wagtail_tenantportal:login",
        "done": "wagtail_tenantportal:account",
    },
    template_dir="wagtail_tenantportal/twofactor/",
)

ADMIN = Surface(
    key="admin",
    url_names={
        "verify": "tenantportal_2fa_admin_verify",
        "setup": "tenantportal_2fa_admin_setup",
        "reauth": "tenantportal_2fa_admin_reauth",
        "totp": "tenantportal_2fa_admin_totp",
        "backup": "tenantportal_2fa_admin_backup_codes",
        "disable": "tenantportal_2fa_admin_disable",
        "login": "wagtailadmin_login",
        "done": "wagtailadmin_home",
    },
    template_dir="wagtail_tenantportal/twofactor/admin/",
    staff=True,
    methods=(twofactor.TOTP,),
)

#: Portal states in which a tenant may open the set-up pages (the email address is confirmed).
MANAGE_STATES = (session.TWO_FACTOR_SETUP_REQUIRED, session.CONTACT_CHECK_REQUIRED, session.OK)


def client_ip(request):
    """The client address for attempt limits (the adapter's ``get_client_ip``)."""
    return get_adapter().get_client_ip(request)


def _render(request, surface, name, context):
    urls = {key: reverse(name) for key, name in surface.url_names.items()}
    context = {**portal_context(request), "surface": surface, "urls": urls, **context}
    response = render(request, surface.template(name), context)
    add_never_cache_headers(response)  # codes, secrets and account details
    return response


def _next_url(request, surface):
    """The safe ``next`` address of the request, else the surface's default page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return session.safe_next_url(request, candidate) or surface.url("done")


def manage_view(surface, *, reauth=False):
    """Decorator of the set-up pages: the right user and session, and (``reauth``) a recent password.

    Portal: the session must be a portal session in one of ``MANAGE_STATES`` (others are led
    to their step, see ``session.portal_state_required``). Admin: a user with a method must have
    verified this session with it. ``reauth``: unless the password was confirmed within
    ``TWO_FACTOR_REAUTH_SECONDS``, the user is sent to confirm it and comes back.
    """

    def decorator(view):
        @require_http_methods(["GET", "POST"])
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if surface.staff and not twofactor.session_can_manage(request):
                return HttpResponseRedirect(surface.url("verify", next=request.get_full_path()))
            if reauth and not twofactor.recently_authenticated(request):
                return HttpResponseRedirect(surface.url("reauth", next=request.get_full_path()))
            return view(request, surface, *args, **kwargs)

        if not surface.staff:
            return session.portal_state_required(*MANAGE_STATES)(wrapped)
        return wrapped

    return decorator


# Verify step --------------------------------------------------------------------------------


def _chosen_method(request, methods):
    method = request.POST.get("method") or request.GET.get("method") or ""
    return method if method in methods else (methods[0] if methods else None)


def _backup_codes_left_message(request, user):
    """After a login with a backup code: how many are left (a warning when two or fewer)."""
    left = twofactor.backup_codes_left(user)
    level = messages.WARNING if left <= 2 else messages.INFO
    messages.add_message(
        request,
        level,
        ngettext(
            "You have logged in with a backup code. %(count)d backup code is left.",
            "You have logged in with a backup code. %(count)d backup codes are left.",
            left,
        )
        % {"count": left},
    )


def _verify_page(request, surface, user, *, on_success, extra=None):
    """The code form for ``user``; ``on_success(device)`` returns the response after a correct code."""
    methods = twofactor.available_methods(user)
    method = _chosen_method(request, methods)
    ip = client_ip(request)
    form = CodeForm(method=method)
    email_sent = False
    if request.method == "POST" and method is not None:
        if request.POST.get("action") == "send" and method == twofactor.EMAIL:
            try:
                twofactor.send_email_code(user, request=request)
            except twofactor.TwoFactorError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("We have sent a code to %(email)s. It is valid for a few minutes.")
                    % {"email": twofactor.mask_email(user.email)},
                )
                email_sent = True
        else:
            form = CodeForm(request.POST, method=method)
            if form.is_valid():
                try:
                    device = twofactor.verify(user, method, form.cleaned_data["code"], ip=ip)
                except twofactor.TooManyAttempts as exc:
                    form.add_error(None, exc.message)
                except twofactor.TwoFactorError as exc:
                    form.add_error("code", exc.message)
                else:
                    if method == twofactor.BACKUP:
                        _backup_codes_left_message(request, user)
                    return on_success(device)
    context = {
        "form": form,
        "method": method,
        "methods": methods,
        "other_methods": [m for m in methods if m != method],
        "email_hint": twofactor.mask_email(user.email) if twofactor.EMAIL in methods else "",
        "email_sent": email_sent,
        "locked_for": twofactor.attempts_locked_for(user, ip),
        "next": request.POST.get("next") or request.GET.get("next") or "",
        **(extra or {}),
    }
    return _render(request, surface, "verify", context)


@require_http_methods(["GET", "POST"])
def verify(request):
    """Portal: the second factor of a login that passed the password (``begin_second_factor``)."""
    try:
        pending = twofactor.pending_login(request)
    except twofactor.PendingExpired as exc:
        messages.error(request, exc.message)
        pending = None
    if pending is None:
        return HttpResponseRedirect(PORTAL.url("login"))

    def on_success(device):
        return HttpResponseRedirect(twofactor.finish_second_factor(request, pending, device))

    return _verify_page(
        request,
        PORTAL,
        pending.user,
        on_success=on_success,
        extra={"seconds_left": pending.seconds_left, "minutes_left": max(1, pending.seconds_left // 60)},
    )


# Set-up pages --------------------------------------------------------------------------------


def _required(surface, user):
    """Whether two-factor is mandatory for ``user`` here (staff setting or company policy)."""
    if surface.staff:
        return twofactor.staff_mode() == "required"
    return twofactor.policy_requires_two_factor(user)


def setup(request, surface):
    """Overview: which methods are set up, with links to add, replace and remove them."""
    user = request.user
    current = twofactor.status(user)
    required = _required(surface, user)
    context = {
        "status": current,
        "required": required,
        "setup_required": required and not current.enabled,
        "can_remove": current.enabled and (not required or len(current.methods) > 1),
        "email_verified": twofactor.email_verified(user),
        "email_hint": twofactor.mask_email(user.email),
        "next": session.safe_next_url(request, request.GET.get("next", "")),
    }
    return _render(request, surface, "setup", context)


def reauth(request, surface):
    """Confirm the password again before methods change; back to ``next`` afterwards."""
    form = ConfirmPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            twofactor.reauthenticate(request, form.cleaned_data["password"])
        except twofactor.TooManyAttempts as exc:
            form.add_error(None, exc.message)
        except twofactor.TwoFactorError as exc:
            form.add_error("password", exc.message)
        else:
            candidate = session.safe_next_url(request, request.POST.get("next", ""))
            return HttpResponseRedirect(candidate or surface.url("setup"))
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next") or ""}
    return _render(request, surface, "reauth", context)


def _after_enabling(request, surface, new_codes, message):
    messages.success(request, message)
    if new_codes:
        request.session[twofactor.NEW_BACKUP_CODES_SESSION_KEY] = new_codes
        return HttpResponseRedirect(surface.url("backup", next=request.GET.get("next", "")))
    return HttpResponseRedirect(_next_after_setup(request, surface))


def _next_after_setup(request, surface):
    return session.safe_next_url(request, request.GET.get("next", "")) or surface.url("setup")


def totp_setup(request, surface):
    """Set up an authenticator app: QR code and secret, confirmed with a first code."""
    user = request.user
    try:
        device = twofactor.start_totp_setup(user)
    except twofactor.TwoFactorError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(surface.url("setup"))
    form = CodeForm(request.POST or None, method=twofactor.TOTP)
    if request.method == "POST" and form.is_valid():
        try:
            new_codes = twofactor.confirm_totp(
                request, form.cleaned_data["code"], device=device, ip=client_ip(request)
            )
        except twofactor.TooManyAttempts as exc:
            form.add_error(None, exc.message)
        except twofactor.TwoFactorError as exc:
            form.add_error("code", exc.message)
        else:
            return _after_enabling(request, surface, new_codes, _("Your authenticator app is set up."))
    issuer = twofactor.issuer_name(user, staff=surface.staff)
    config_url = twofactor.totp_config_url(device, issuer=issuer)
    context = {
        "form": form,
        "qr_svg": twofactor.qr_svg(config_url, title=_("QR code for your authenticator app")),
        "secret": twofactor.grouped(twofactor.totp_secret(device)),
        "issuer": issuer,
        "account_name": user.email or user.get_username(),
        "replacing": twofactor.totp_device(user) is not None,
    }
    return _render(request, surface, "totp_setup", context)


def email_setup(request, surface):
    """Set up codes by email: send a code to the account's address, confirm it."""
    user = request.user
    form = CodeForm(method=twofactor.EMAIL)
    if request.method == "POST":
        if request.POST.get("action") == "send":
            try:
                twofactor.start_email_setup(user, request=request)
            except twofactor.TwoFactorError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("We have sent a code to %(email)s. It is valid for a few minutes.")
                    % {"email": twofactor.mask_email(user.email)},
                )
            return HttpResponseRedirect(surface.url("email", next=request.GET.get("next", "")))
        form = CodeForm(request.POST, method=twofactor.EMAIL)
        if form.is_valid():
            try:
                new_codes = twofactor.confirm_email(request, form.cleaned_data["code"], ip=client_ip(request))
            except twofactor.TooManyAttempts as exc:
                form.add_error(None, exc.message)
            except twofactor.TwoFactorError as exc:
                form.add_error("code", exc.message)
            else:
                return _after_enabling(request, surface, new_codes, _("Codes by email are set up."))
    pending_device = twofactor.email_device(user, confirmed=False)
    context = {
        "form": form,
        "code_sent": bool(pending_device and pending_device.token),
        "already": twofactor.email_device(user) is not None,
        "email_hint": twofactor.mask_email(user.email),
    }
    return _render(request, surface, "email_setup", context)


def backup_codes(request, surface):
    """Backup codes: how many are left; new ones (shown once, right after they are made)."""
    user = request.user
    if request.method == "POST":
        if not twofactor.recently_authenticated(request):
            return HttpResponseRedirect(surface.url("reauth", next=surface.url("backup")))
        try:
            codes = twofactor.generate_backup_codes(user)
        except twofactor.TwoFactorError as exc:
            messages.error(request, exc.message)
        else:
            request.session[twofactor.NEW_BACKUP_CODES_SESSION_KEY] = codes
            messages.success(request, _("Your new backup codes are ready. The old ones no longer work."))
        return HttpResponseRedirect(surface.url("backup"))
    new_codes = request.session.pop(twofactor.NEW_BACKUP_CODES_SESSION_KEY, None) or []
    context = {
        "new_codes": [twofactor.display_code(code) for code in new_codes],
        "left": twofactor.backup_codes_left(user),
        "status": twofactor.status(user),
        "continue_url": _next_after_setup(request, surface),
    }
    return _render(request, surface, "backup_codes", context)


def disable(request, surface):
    """Remove a method, or two-factor altogether where the policy allows it."""
    user = request.user
    current = twofactor.status(user)
    if not current.enabled:
        return HttpResponseRedirect(surface.url("setup"))
    required = _required(surface, user)
    form = RemoveMethodForm(request.POST or None, status=current, allow_all=not required)
    if request.method == "POST" and form.is_valid():
        method = form.cleaned_data["method"]
        if surface.staff and required and not (set(current.methods) - {method}):
            form.add_error(None, _("Two-factor authentication is required for the admin."))
        else:
            try:
                remaining = twofactor.remove_method(request, method)
            except twofactor.TwoFactorError as exc:
                form.add_error(None, exc.message)
            else:
                if remaining.enabled:
                    messages.success(request, _("The method has been removed."))
                else:
                    messages.success(request, _("Two-factor authentication is turned off."))
                return HttpResponseRedirect(surface.url("setup"))
    # Under a "required" policy the last method cannot go: say so instead of offering it.
    last_required = required and len(current.methods) == 1
    context = {"form": form, "status": current, "required": required, "last_required": last_required}
    return _render(request, surface, "disable", context)


def portal_view(view):
    """Portal URL callable: codes and passwords hidden from error reports, and exempt from
    Django's ``LoginRequiredMiddleware`` (a pending login is anonymous; the views check the
    session themselves)."""
    return login_not_required(sensitive_post_parameters()(view))


# Portal URL callables (the admin wraps the same views in admin.py).
portal_verify = portal_view(verify)
portal_setup = portal_view(manage_view(PORTAL)(setup))
portal_reauth = portal_view(manage_view(PORTAL)(reauth))
portal_totp_setup = portal_view(manage_view(PORTAL, reauth=True)(totp_setup))
portal_email_setup = portal_view(manage_view(PORTAL, reauth=True)(email_setup))
portal_backup_codes = portal_view(manage_view(PORTAL)(backup_codes))
portal_disable = portal_view(manage_view(PORTAL, reauth=True)(disable))
