"""Site policy, overridable by a dotted path in ``WAGTAIL_TENANTPORTAL["ADAPTER"]``.

A site changes behaviour by subclassing ``DefaultPortalAdapter`` and overriding one method,
as with django-allauth's adapters. Later capabilities add their hooks here.

Naming: ``portal_name`` (the company's portal name, else ``PORTAL_NAME``).

Theme: ``get_theme`` (the ``--tp-*`` values served as theme.css, see theming.py).

Accounts (registration, login): ``registration_companies``, ``is_open_for_signup``,
``find_user_by_email``, ``user_email``, ``set_user_email``, ``username_max_length``,
``create_user``, ``can_log_in``, ``authenticate``, ``get_login_redirect_url``,
``get_client_ip``.

Mail: ``build_absolute_uri``, ``get_from_email``, ``mail_language``, ``render_mail``,
``send_mail``.
"""

from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string

from .conf import portal_settings

EMAIL_TEMPLATE_DIR = "wagtail_tenantportal/emails/"


class DefaultPortalAdapter:
    def portal_name(self, company=None):
        """Name shown to tenants: the company's portal name, else the global one."""
        if company is not None and getattr(company, "portal_name", ""):
            return company.portal_name
        return portal_settings.PORTAL_NAME

    # -- theme -------------------------------------------------------------------------------

    def get_theme(self, request):
        """The ``--tp-*`` custom properties for ``request``: ``{"--tp-color-primary": "#1f6f43"}``.

        Default: ``THEME``, with the entry of ``SITE_THEMES`` for the request's Wagtail site
        (looked up by hostname, then by site name) laid over it. Override to choose per
        company or per user. ``request`` may be None (then ``THEME`` alone). The caller
        validates the result (unknown names and unsafe values are left out); an empty dict
        keeps the defaults of portal.css and links no theme.css.
        """
        theme = portal_settings.THEME
        theme = dict(theme) if isinstance(theme, dict) else {}
        site_themes = portal_settings.SITE_THEMES
        if request is None or not isinstance(site_themes, dict) or not site_themes:
            return theme
        from wagtail.models import Site

        site = Site.find_for_request(request)
        if site is None:
            return theme
        for key in (site.hostname, site.site_name):
            if key and isinstance(site_themes.get(key), dict):
                theme.update(site_themes[key])
                break
        return theme

    # -- registration ------------------------------------------------------------------------

    def registration_companies(self, request=None):
        """Companies tenants may register with (the choice on the registration page)."""
        from .tenancy.models import Company

        return Company.objects.filter(portal_enabled=True).order_by("name")

    def is_open_for_signup(self, request, company):
        """Whether tenants of ``company`` may register now."""
        return company is None or bool(company.portal_enabled)

    # -- users -------------------------------------------------------------------------------

    def find_user_by_email(self, email):
        """The user whose email address (or username) is ``email``, ignoring case, or None."""
        if not email:
            return None
        user_model = get_user_model()
        email_field = user_model.get_email_field_name()
        query = Q(**{f"{email_field}__iexact": email})
        if user_model.USERNAME_FIELD != email_field:
            query |= Q(**{f"{user_model.USERNAME_FIELD}__iexact": email})
        return user_model._default_manager.filter(query).order_by("pk").first()

    def user_email(self, user):
        """The email address of ``user`` (the field named by ``EMAIL_FIELD``)."""
        return getattr(user, user.get_email_field_name(), "") or ""

    def set_user_email(self, user, email):
        """Set the address (and the username, which is the address) of ``user``; no save."""
        user_model = type(user)
        setattr(user, user_model.get_email_field_name(), email)
        if user_model.USERNAME_FIELD != user_model.get_email_field_name():
            setattr(user, user_model.USERNAME_FIELD, email)

    def username_max_length(self):
        """Longest address that fits the user model (the username is the address)."""
        user_model = get_user_model()
        lengths = [254]
        for name in {user_model.USERNAME_FIELD, user_model.get_email_field_name()}:
            max_length = getattr(user_model._meta.get_field(name), "max_length", None)
            if max_length:
                lengths.append(max_length)
        return min(lengths)

    def create_user(self, email, password, *, first_name="", last_name=""):
        """Create and return the user of a new portal account.

        The username is the email address in lower case (or the address goes into the user
        model's ``USERNAME_FIELD`` if that is the email field). Works for any
        ``AUTH_USER_MODEL``; fields the model lacks are skipped.
        """
        user_model = get_user_model()
        user = user_model()
        self.set_user_email(user, email)
        field_names = {field.name for field in user_model._meta.get_fields()}
        for name, value in (("first_name", first_name), ("last_name", last_name)):
            if name in field_names and value:
                max_length = user_model._meta.get_field(name).max_length or len(value)
                setattr(user, name, value[:max_length])
        user.set_password(password)
        user.save()
        return user

    # -- login -------------------------------------------------------------------------------

    def can_log_in(self, user):
        """Whether ``user`` may log in to the portal: active and with a portal account."""
        from .accounts.models import PortalAccount

        if not getattr(user, "is_active", True):
            return False
        return PortalAccount.objects.filter(user=user).exists()

    def authenticate(self, request, email, password):
        """The user with ``email`` and ``password`` who may log in, else None.

        Like Django's ``ModelBackend``, an unknown address still runs the password hasher
        once, so the time taken does not tell whether the address is known.
        """
        user = self.find_user_by_email(email)
        if user is None:
            get_user_model()().set_password(password)
            return None
        if not user.check_password(password) or not self.can_log_in(user):
            return None
        return user

    def get_login_redirect_url(self, request):
        """Where a login leads without a ``next`` address.

        ``LOGIN_REDIRECT_URL`` if set; else the tenant's overview: the live dashboard page of
        the current site (the editors' page type) or the portal's ``overview/`` when the
        dashboard app is installed; else the account page.
        """
        if portal_settings.LOGIN_REDIRECT_URL:
            return portal_settings.LOGIN_REDIRECT_URL
        from django.apps import apps

        if apps.is_installed("wagtail_tenantportal.dashboard"):
            from .dashboard.pages import dashboard_page_url

            return dashboard_page_url(request) or reverse("wagtail_tenantportal:dashboard")
        return reverse("wagtail_tenantportal:account")

    def get_client_ip(self, request):
        """The client address used for attempt limits.

        ``REMOTE_ADDR``; with ``TRUSTED_PROXY_COUNT`` = n > 0 the n-th address from the right
        of ``X-Forwarded-For`` (what the outermost of the site's own proxies saw). Entries
        further left come from the client and are never used.
        """
        remote = request.META.get("REMOTE_ADDR") or None
        proxies = int(portal_settings.TRUSTED_PROXY_COUNT or 0)
        if proxies <= 0:
            return remote
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) < proxies:
            return remote
        return forwarded[-proxies]

    # -- mail --------------------------------------------------------------------------------

    def build_absolute_uri(self, request, path):
        """``path`` as an absolute address: from the request, else ``PORTAL_BASE_URL`` or
        ``WAGTAILADMIN_BASE_URL``."""
        if request is not None:
            return request.build_absolute_uri(path)
        base = portal_settings.PORTAL_BASE_URL or getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
        return base.rstrip("/") + path

    def get_from_email(self, company=None):
        return settings.DEFAULT_FROM_EMAIL

    def mail_language(self, request=None):
        return (
            portal_settings.EMAIL_LANGUAGE
            or (getattr(request, "LANGUAGE_CODE", None) if request is not None else None)
            or translation.get_language()
            or settings.LANGUAGE_CODE
        )

    def _template_prefix(self, template_prefix):
        if "/" in template_prefix:
            return template_prefix
        return EMAIL_TEMPLATE_DIR + template_prefix

    def render_mail(self, template_prefix, email, context, *, request=None, company=None):
        """The message for ``email`` from ``<prefix>_subject.txt``, ``<prefix>_message.txt``
        and, if present, ``<prefix>_message.html``.

        ``template_prefix`` is an event name (``"email_verification"``: templates in
        ``wagtail_tenantportal/emails/``) or a full template path prefix. The context gets
        ``portal_name``, ``company`` and ``email`` added.
        """
        prefix = self._template_prefix(template_prefix)
        context = {
            "portal_name": self.portal_name(company),
            "company": company,
            "email": email,
            **context,
        }
        with translation.override(self.mail_language(request)):
            subject = render_to_string(f"{prefix}_subject.txt", context, request=request)
            subject = " ".join(subject.split())
            body = render_to_string(f"{prefix}_message.txt", context, request=request)
            try:
                html = render_to_string(f"{prefix}_message.html", context, request=request)
            except TemplateDoesNotExist:
                html = None
        message = EmailMultiAlternatives(subject, body, self.get_from_email(company), [email])
        if html:
            message.attach_alternative(html, "text/html")
        return message

    def send_mail(self, template_prefix, email, context, *, request=None, company=None):
        """Render (see ``render_mail``) and send one mail. Exceptions of the backend propagate."""
        self.render_mail(template_prefix, email, context, request=request, company=company).send()


@lru_cache(maxsize=8)
def _adapter_class(path):
    return import_string(path)


def get_adapter():
    return _adapter_class(portal_settings.ADAPTER)()
