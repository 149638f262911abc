"""Site policy, overridable by a dotted path in ``WAGTAIL_TENANTPORTAL["ADAPTER"]``.

A site changes behaviour by subclassing ``wagtail_tenantportal.adapter.DefaultPortalAdapter``
and overriding one method, as with django-allauth's adapters. Each layer contributes its own
part of the policy: this module the core's (:class:`BaseAdapter`), ``accounts.adapter`` the
accounts' (registration, users, login); the default class that joins them lives at the top,
in ``wagtail_tenantportal.adapter``. :func:`get_adapter` loads whatever class the setting names.

Each company its own voice: ``site_company`` (the company of a request's site),
``mail_company`` (the company a mail or page to a user speaks for), ``portal_name`` (the
company's portal name, else ``PORTAL_NAME``), ``get_from_email`` (its sender),
``mail_signature`` (its closing lines).

Links: ``build_absolute_uri`` and ``absolute_page_url`` (the company's own site, see
``core.links``).

Theme: ``get_theme`` (the ``--tp-*`` values served as theme.css, see theming.py).

Requests: ``get_client_ip``.

Mail: ``mail_language``, ``render_mail``, ``send_mail``.
"""

from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.module_loading import import_string

from . import companies, links
from .conf import portal_settings

EMAIL_TEMPLATE_DIR = "wagtail_tenantportal/emails/"


class BaseAdapter:
    """The core's part of the site policy: names, theme, client address, absolute URLs, mail.

    The class sites subclass is ``wagtail_tenantportal.adapter.DefaultPortalAdapter``, which adds
    the accounts' policy (registration, users, login) to this one.
    """

    def portal_name(self, company=None):
        """Name shown to tenants: the company's portal name, else the global one."""
        if company is not None and getattr(company, "portal_name", ""):
            return company.portal_name
        return portal_settings.PORTAL_NAME

    def site_company(self, request):
        """The company whose Wagtail site serves ``request`` (``Company.site``), or None."""
        return companies.for_request(request)

    def page_company(self, request):
        """The company whose voice a portal page has: the company of the request's site, else
        the logged-in tenant's, else None."""
        return companies.for_request(request) or companies.for_user(getattr(request, "user", None))

    def mail_company(self, request=None, user=None):
        """The company whose voice a mail (or page) to ``user`` has: the user's own company
        (preferring the one of the request's site), else the request's site's company, else
        None (the portal-wide voice)."""
        return companies.speaking_for(request, user)

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

    # -- requests ----------------------------------------------------------------------------

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

    def build_absolute_uri(self, request, path, *, company=None):
        """``path`` as an absolute address on ``company``'s own site: from ``request`` if it
        came to that site (or no company is known), else the company's base URL, its Wagtail
        site, ``PORTAL_BASE_URL`` or ``WAGTAILADMIN_BASE_URL`` (``core.links.absolute_url``)."""
        return links.absolute_url(path, request=request, company=company)

    def absolute_page_url(self, page, *, request=None, company=None):
        """The Wagtail ``page`` as an absolute address on its site, with ``company``'s base
        (``core.links.page_url``); '' for a page outside every site."""
        return links.page_url(page, request=request, company=company)

    def get_from_email(self, company=None):
        """Sender of mails in ``company``'s voice: its ``mail_from``, else ``DEFAULT_FROM_EMAIL``."""
        sender = str(getattr(company, "mail_from", "") or "").strip()
        return sender or settings.DEFAULT_FROM_EMAIL

    def mail_signature(self, company=None):
        """Closing lines of every mail in ``company``'s voice (a list of lines, maybe empty):
        its own signature text, else its name, address, phone and website."""
        if company is None:
            return []
        own = str(getattr(company, "mail_signature", "") or "").strip()
        if own:
            return [line.rstrip() for line in own.splitlines()]
        lines = [
            str(getattr(company, "display_name", "") or company),
            ", ".join(getattr(company, "address_lines", []) or []),
        ]
        if getattr(company, "phone", ""):
            lines.append(translation.gettext("Phone %(phone)s") % {"phone": company.phone})
        if getattr(company, "website", ""):
            lines.append(company.website)
        return [line for line in lines if line]

    def mail_language(self, request=None):
        return (
            portal_settings.EMAIL_LANGUAGE
            or (getattr(request, "LANGUAGE_CODE", None) if request is not None else None)
            or translation.get_language()
            or settings.LANGUAGE_CODE
        )

    def _portal_url(self, request, company):
        """The portal's start (``/portal/``) on ``company``'s site, absolute ('' if unknown)."""
        try:
            path = reverse("wagtail_tenantportal:home")
        except NoReverseMatch:
            return ""
        return self.build_absolute_uri(request, path, company=company)

    def _template_prefix(self, template_prefix):
        if "/" in template_prefix:
            return template_prefix
        return EMAIL_TEMPLATE_DIR + template_prefix

    def render_mail(self, template_prefix, email, context, *, request=None, company=None):
        """The message for ``email`` from ``<prefix>_subject.txt``, ``<prefix>_message.txt``
        and, if present, ``<prefix>_message.html``.

        ``template_prefix`` is an event name (``"email_verification"``: templates in
        ``wagtail_tenantportal/emails/``) or a full template path prefix. Without
        ``company``, the company of the context's ``user`` (or ``recipient``), else of the
        request's site speaks (``mail_company``). The context gets ``portal_name``,
        ``company``, ``email``, ``signature`` (lines) and ``portal_url`` (the company's portal)
        added; the sender is the company's (``get_from_email``).
        """
        prefix = self._template_prefix(template_prefix)
        if company is None:
            company = self.mail_company(request, context.get("user") or context.get("recipient"))
        with translation.override(self.mail_language(request)):
            context = {
                "portal_name": self.portal_name(company),
                "company": company,
                "email": email,
                "signature": self.mail_signature(company),
                "portal_url": self._portal_url(request, company),
                **context,
            }
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
        """Render (see ``render_mail``) one mail now and record it in the outbox of the current
        transaction (``core.mail.send_later``): it is sent after the commit and tried again
        while the mail server is down. Rendering errors propagate; the mail server's never do
        (they are the outbox's to retry). Returns the outbox row."""
        from .mail import send_later

        message = self.render_mail(template_prefix, email, context, request=request, company=company)
        return send_later(message, company_id=getattr(company, "pk", None))


@lru_cache(maxsize=8)
def _adapter_class(path):
    return import_string(path)


def get_adapter():
    return _adapter_class(portal_settings.ADAPTER)()
