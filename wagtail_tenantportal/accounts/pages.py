"""Page types of the accounts app (imported from ``models.py``): login, registration, my account.

Editors place them in the page tree; the host's base template, navigation and footer stay
around them. The login and registration pages *serve the portal's own views* at their URL:
the view runs unchanged (same flows, forms, attempt limits and redirects) and returns a lazy
``TemplateResponse``; the page swaps in its template (the page title and the editors'
introduction around the same step partial the portal view renders) before it is rendered.
So there is one road per action, whether a tenant uses ``/portal/login/`` or the page.

Sites customise by subclassing: ``step_templates`` (which partial shows which step),
``get_step_context`` (more context) or ``get_account_context`` (the account page).
"""

from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..core import session
from ..core.context import portal_context
from ..core.pages import PortalPageMixin
from ..core.session import visitor_step

PARTIALS = "wagtail_tenantportal/accounts/"


def _url_or_empty(name):
    try:
        return reverse(f"wagtail_tenantportal:{name}")
    except NoReverseMatch:
        return ""


class OnePerSiteMixin:
    """At most one page of this type in each site (Wagtail's ``max_count`` counts all sites,
    so a second site could not get its own login page). Put it before ``Page`` in the bases."""

    @classmethod
    def can_create_at(cls, parent):
        from . import services  # not at import time: models.py imports this module

        if not super().can_create_at(parent):
            return False
        return not services.site_has_page_of_type(cls, parent)


class PortalStepPage(PortalPageMixin, Page):
    """Base of pages that serve a portal view: renders its steps inside this page (subclasses
    set ``template``, e.g. ``wagtail_tenantportal/accounts/pages/step_page.html``).

    ``step_templates`` maps the template a portal view renders (name below
    ``wagtail_tenantportal/accounts/``) to ``(partial, heading)``: the partial shows the step
    under the page title, with ``heading`` (if any) as a subheading. Responses of other
    templates and redirects pass through unchanged. Every response is marked not cacheable.
    """

    intro = RichTextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown above the form, e.g. who may register and where to find help."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = []
    step_templates = {}

    class Meta:
        abstract = True

    def get_step_context(self, request, step):
        """Context added to every step of this page (``step``: the portal template's name)."""
        return {"form_action": self.get_url(request)}

    def render_step(self, request, response):
        if isinstance(response, TemplateResponse) and not response.is_rendered:
            name = response.template_name if isinstance(response.template_name, str) else ""
            step = name.removeprefix(PARTIALS)
            if step in self.step_templates:
                partial, heading = self.step_templates[step]
                response.template_name = self.get_template(request)
                context = dict(response.context_data or {})
                context.update(
                    {
                        "page": self,
                        "self": self,
                        "step": step,
                        "step_template": PARTIALS + partial,
                        "step_heading": heading,
                        "first_step": False,
                    }
                )
                context.update(self.get_step_context(request, step))
                response.context_data = context
        add_never_cache_headers(response)
        return response


class PortalLoginPage(OnePerSiteMixin, PortalStepPage):
    """The login form at the page's URL (email, password, "stay logged in"), with the
    introduction above it. ``WAGTAIL_FRONTEND_LOGIN_URL`` may point here."""

    registration_page = models.ForeignKey(
        "tenantportal_accounts.RegistrationPage",
        verbose_name=_("registration page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Linked as “No account yet? Register”. Empty: the portal's registration page."),
    )

    content_panels = PortalStepPage.content_panels + [FieldPanel("registration_page")]
    page_description = _(
        "The login form for tenants at its own address. One per site; tenants come back to the "
        "page they came from."
    )
    template = "wagtail_tenantportal/accounts/pages/step_page.html"
    step_templates = {"login.html": ("_login_form.html", "")}

    class Meta:
        verbose_name = _("portal login page")
        verbose_name_plural = _("portal login pages")

    def get_step_context(self, request, step):
        context = super().get_step_context(request, step)
        context["first_step"] = True
        if self.registration_page_id:
            registration = self.registration_page
            if registration is not None and registration.live:
                context["register_url"] = registration.get_url(request)
        return context

    def serve(self, request, *args, **kwargs):
        from .views import login_view

        return self.render_step(request, login_view(request))


class RegistrationPage(RoutablePageMixin, PortalStepPage):
    """Registration in steps at the page's URL: the choice of landlord (if several), the form
    of the company's flow (code first or verify later), "check your mailbox", and the request
    for a new registration code (``request-code/``)."""

    company = models.ForeignKey(
        "tenantportal_tenancy.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Registration for the tenants of this company only (its registration flow applies). "
            "Empty: tenants choose their landlord if several use the portal."
        ),
    )

    content_panels = PortalStepPage.content_panels + [FieldPanel("company")]
    page_description = _(
        "The registration in steps and the request for a new registration code. One per parent "
        "page, e.g. one for each landlord."
    )
    max_count_per_parent = 1
    template = "wagtail_tenantportal/accounts/pages/step_page.html"
    step_templates = {
        "register_choose.html": ("_register_choose.html", ""),
        "register_code.html": ("_register_code.html", _("Register with your registration code")),
        "register_claim.html": ("_register_claim.html", ""),
        "register_done.html": ("_register_done.html", _("Please confirm your email address")),
        "request_code.html": ("_request_code.html", _("Request a registration code")),
        "request_code_sent.html": ("_request_code_sent.html", _("Request a registration code")),
    }

    class Meta:
        verbose_name = _("registration page")
        verbose_name_plural = _("registration pages")

    def step_url(self, request, name):
        """Address of a step: "register" (the page), "done" or "request_code"."""
        url = self.get_url(request) or ""
        if name == "register":
            return url
        return url + self.reverse_subpage(name).lstrip("/")

    @property
    def company_slug(self):
        return self.company.slug if self.company_id and self.company else None

    def get_step_context(self, request, step):
        context = super().get_step_context(request, step)
        context.update(
            {
                "register_url": self.step_url(request, "register"),
                "request_code_url": self.step_url(request, "request_code"),
                "first_step": step in ("register_choose.html", "register_code.html", "register_claim.html"),
            }
        )
        if step.startswith("request_code"):
            context["form_action"] = self.step_url(request, "request_code")
        if self.company_id:
            context["several_companies"] = False  # the page fixes the company: nothing else to choose
        return context

    @path("", name="register")
    def index_route(self, request, *args, **kwargs):  # replaces RoutablePageMixin's default route
        from .views import RegisterView

        view = RegisterView(company_slug=self.company_slug)
        view.done_url = self.step_url(request, "done")
        return self.render_step(request, view(request))

    @path("done/", name="done")
    def done_step(self, request):
        from . import flows
        from .views import register_done_view

        if flows.pending_verification(request) is None:
            return HttpResponseRedirect(self.step_url(request, "register"))
        return self.render_step(request, register_done_view(request))

    @path("request-code/", name="request_code")
    def request_code_step(self, request):
        from .code_request_views import CodeRequestView

        return self.render_step(request, CodeRequestView(company_slug=self.company_slug)(request))


class AccountPage(OnePerSiteMixin, PortalPageMixin, Page):
    """My account: contact data, login and security (two-factor, password, email, log out
    everywhere) and consents, with links to the portal pages that change them.

    Visitors without a full portal session see a prompt (log in, or the step they must take)
    instead; nothing personal is rendered for them.
    """

    intro = RichTextField(_("introduction"), blank=True, help_text=_("Shown above the account details."))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    page_description = _(
        "My account: contact data, password, two-factor authentication and consents. One per site."
    )
    subpage_types = []
    template = "wagtail_tenantportal/accounts/pages/account_page.html"

    class Meta:
        verbose_name = _("my account page")
        verbose_name_plural = _("my account pages")

    def get_account_context(self, request):
        """Context for a full portal session: ``account``, ``email``, ``parties``,
        ``two_factor`` (``twofactor.services.TwoFactorStatus`` or None without django-otp), ``urls``."""
        from ..core.adapter import get_adapter
        from . import auth, services

        account = auth.get_account(request.user)
        module = auth.twofactor_module()
        return {
            "account": account,
            "email": get_adapter().user_email(request.user),
            "parties": services.tenant_parties(request.user),
            "two_factor": module.status(request.user) if module else None,
            "two_factor_required": auth.policy_requires_two_factor(request.user),
            "consents": services.current_consents(account),
            **services.account_overview(request.user, account),
            "urls": {
                name: _url_or_empty(name)
                for name in (
                    "account",
                    "contract_list",
                    "contact_check",
                    "email_change",
                    "password_change",
                    "two_factor_setup",
                    "consents",
                    "add_contract",
                    "logout",
                    "logout_everywhere",
                )
            },
        }

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        context.update(portal_context(request))
        state = session.portal_state(request)
        context["portal_state"] = state
        if state == session.OK:
            context.update(self.get_account_context(request))
        else:
            context.update(visitor_step(request, state, request.get_full_path()))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        add_never_cache_headers(response)  # personal data, and the answer depends on the session
        return response
