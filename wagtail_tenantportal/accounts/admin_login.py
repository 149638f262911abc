"""Attempt limits for the Wagtail admin's own login and password reset.

The Wagtail login stays Wagtail's (its form, its template, the host's
``AUTHENTICATION_BACKENDS``); ``StaffTwoFactorMiddleware``, which every installation already
has in front of the admin, calls :func:`guard_login` and :func:`guard_password_reset` before
the admin's views run. Why there and not in an authentication backend: a backend works only
if the host lists it first in ``AUTHENTICATION_BACKENDS``, and it cannot tell the admin's
login from other uses of ``authenticate()``; the middleware sees the admin's URL names.

Login (``wagtailadmin_login``): wrong passwords count in the scopes the portal's login uses,
``login_account`` (per canonical username or address entered, ``core.identity``) and
``login_ip`` (per client address), so the admin is not a second door with fresh guesses.
Counting listens to Django's ``user_login_failed`` signal, sent by ``authenticate()`` for
unknown users, wrong passwords and inactive users alike, so an unknown name counts like a
known one. While either key is locked, the POST does not reach ``authenticate()`` at all:
the login page is shown again with a translated message. A successful login clears the count
of the name. Both lockouts expire (``RATE_LIMITS``).

Password reset (``wagtailadmin_password_reset``): a valid form counts per address entered
and per client address (``email_send``, ``email_send_ip``, the portal's scopes and the
portal's key, so both resets share one allowance). The request then queues
``admin_password_reset_task`` and shows the admin's "check your mailbox" page: the
lookup and the mail happen in the task, so the answer and the request's work are the same
for known and unknown addresses. While locked, the same page is shown and nothing is sent.
"""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_tasks import task

from ..core.adapter import get_adapter
from ..core.identity import canonical_email
from ..core.ratelimit import RateLimit
from ..core.tasks import defer
from .flows.common import TooManyAttempts, in_language

PASSWORD_RESET_DONE_URL_NAME = "wagtailadmin_password_reset_done"  # noqa: S105 - a URL name

#: Set on a request whose POST to the admin login passed the limits: ``(name key, client ip)``.
_ATTEMPT_ATTR = "_tenantportal_admin_login_attempt"


def _login_limiters():
    return RateLimit.for_scope("login_account"), RateLimit.for_scope("login_ip")


def guard_login(request):
    """Before the admin's login view handles a POST: a redirect back to the login page (with a
    translated message) while the name or the client address is locked, else None (and the
    attempt is remembered, so the signals below count or clear it)."""
    key = canonical_email(request.POST.get("username", ""))
    ip = get_adapter().get_client_ip(request)
    account_limiter, ip_limiter = _login_limiters()
    wait = max(account_limiter.locked_for(key) if key else 0, ip_limiter.locked_for(ip) if ip else 0)
    if wait > 0:
        messages.error(request, TooManyAttempts(wait).message)
        return HttpResponseRedirect(request.get_full_path())
    setattr(request, _ATTEMPT_ATTR, (key, ip))
    return None


def count_failed_login(sender, credentials=None, request=None, **kwargs):
    """``user_login_failed``: a wrong admin login counts against the name and the address."""
    attempt = getattr(request, _ATTEMPT_ATTR, None)
    if attempt is None:
        return
    key, ip = attempt
    account_limiter, ip_limiter = _login_limiters()
    if key:
        account_limiter.hit(key)
    if ip:
        ip_limiter.hit(ip)


def clear_after_login(sender, request=None, user=None, **kwargs):
    """``user_logged_in``: a successful admin login clears the count of the name entered."""
    attempt = getattr(request, _ATTEMPT_ATTR, None)
    if attempt is not None and attempt[0]:
        _login_limiters()[0].reset(attempt[0])


def connect_signals():
    """Called by ``AccountsConfig.ready``."""
    user_login_failed.connect(count_failed_login, dispatch_uid="tenantportal_admin_login_failed")
    user_logged_in.connect(clear_after_login, dispatch_uid="tenantportal_admin_logged_in")


# -- password reset ----------------------------------------------------------------------------


def _reset_form_class():
    """The admin's reset form (``WAGTAILADMIN_USER_PASSWORD_RESET_FORM`` or Wagtail's)."""
    from wagtail.admin.views.account import get_password_reset_form

    return get_password_reset_form()


def guard_password_reset(request):
    """Before the admin's password-reset view handles a POST: for a valid form, count the
    attempt, queue the mail task (unless locked) and redirect to the admin's "done" page;
    None for an invalid form (the admin's view shows its errors) or when the admin's reset
    is switched off (its view answers 404)."""
    from wagtail.admin.views.account import password_reset_enabled

    if not password_reset_enabled():
        return None
    form = _reset_form_class()(request.POST)
    if not form.is_valid():
        return None
    email = canonical_email(form.cleaned_data.get("email"))
    ip = get_adapter().get_client_ip(request)
    key = f"reset:{email}"
    limiter, ip_limiter = RateLimit.for_scope("email_send"), RateLimit.for_scope("email_send_ip")
    locked = limiter.locked_for(key) > 0 or (ip and ip_limiter.locked_for(ip) > 0)
    if not locked:
        limiter.hit(key)
        if ip:
            ip_limiter.hit(ip)
        data = {name: request.POST.get(name, "") for name in form.fields}
        defer(
            admin_password_reset_task,
            data,
            domain=request.get_host(),
            use_https=request.is_secure(),
            language=get_adapter().mail_language(request),
        )
    return HttpResponseRedirect(reverse(PASSWORD_RESET_DONE_URL_NAME))


@task()
def admin_password_reset_task(data, domain, use_https=False, language=None):
    """Send the Wagtail admin's reset mail, as its view would, outside the request.

    ``data`` is the posted form; Django's form finds the users (active, usable password)
    and mails each at its stored address. Returns the number of matching users."""
    form = _reset_form_class()(data)
    if not form.is_valid():
        return 0
    with in_language(language):
        users = list(form.get_users(form.cleaned_data["email"]))
        form.save(
            domain_override=domain,
            use_https=use_https,
            email_template_name="wagtailadmin/account/password_reset/email.txt",
            subject_template_name="wagtailadmin/account/password_reset/email_subject.txt",
        )
    return len(users)
