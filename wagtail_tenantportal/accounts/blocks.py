"""StreamField blocks of the accounts app for the host's own pages: login, registration and
the request for a registration code.

Render them with ``{% include_block %}`` (the block needs the request: who is looking, the
CSRF token). Their forms post to the portal's views (or to the chosen page type), which do
the work and show any errors; the blocks themselves change nothing. What a block shows
depends on the session, so pages holding one must not be served from a shared cache.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..core import session
from ..core.blocks import PortalBlock


def _page_url(value, name, request):
    """URL of the live page chosen in ``value[name]``, else None."""
    page = value.get(name)
    if page is None or not page.live:
        return None
    return page.get_url(request)


class LoginBlock(PortalBlock):
    """The login form for visitors, "logged in as …" with links for tenants.

    Anonymous visitors get the email/password form posting to the portal's login view with
    ``next`` back to this page (or the page chosen); a session waiting for the second factor
    or a missing step (email confirmation, activation, two-factor set-up, contact check) gets
    a link to that step; a full portal session "logged in as …", "my account" and "log out".
    """

    heading = blocks.CharBlock(
        label=_("heading"),
        required=False,
        default=_("Tenant portal"),
        help_text=_("Title of the block. Empty: no title."),
    )
    text = blocks.TextBlock(
        label=_("text for visitors"),
        required=False,
        help_text=_("Shown above the login form, e.g. what tenants find in the portal."),
    )
    after_login_page = blocks.PageChooserBlock(
        label=_("page after login"),
        required=False,
        help_text=_("Where tenants land after logging in, e.g. the overview page. Empty: back to this page."),
    )
    account_page = blocks.PageChooserBlock(
        label=_("account page"),
        required=False,
        page_type="tenantportal_accounts.AccountPage",
        help_text=_("Linked as “My account”. Empty: the portal's account page."),
    )

    class Meta:
        template = "wagtail_tenantportal/accounts/blocks/login_block.html"
        icon = "user"
        label = _("Portal login")
        description = _(
            "The login form for tenants; logged-in tenants see who they are logged in as and links to "
            "their account."
        )

    def get_portal_context(self, value, request, state):
        from ..core.adapter import get_adapter
        from ..core.session import visitor_step
        from .forms import LoginForm

        next_url = _page_url(value, "after_login_page", request) or request.get_full_path()
        context = {"next": next_url}
        if state == session.OK:
            context.update(
                {
                    "email": get_adapter().user_email(request.user),
                    "account_url": _page_url(value, "account_page", request)
                    or reverse("wagtail_tenantportal:account"),
                }
            )
            return context
        step = visitor_step(request, state, next_url)
        context.update(step)
        if step["step"] == session.ANONYMOUS:
            # Unique ids on the host's page; no autofocus (the block is one part of the page).
            form = LoginForm(auto_id="tp-login-block-%s")
            form.fields["email"].widget.attrs.pop("autofocus", None)
            context["form"] = form
        elif request.user.is_authenticated:
            context["email"] = get_adapter().user_email(request.user)
        return context


class RegistrationBlock(PortalBlock):
    """The way into the registration: a start button, the choice of landlord, or the "code
    first" registration form itself. Tenants who are logged in see a link to their account
    (or to their next step) instead."""

    heading = blocks.CharBlock(
        label=_("heading"),
        required=False,
        default=_("Register"),
        help_text=_("Title of the block. Empty: no title."),
    )
    text = blocks.TextBlock(
        label=_("introduction"),
        required=False,
        help_text=_("E.g. who may register and that the registration letter is needed."),
    )
    display = blocks.ChoiceBlock(
        label=_("display"),
        choices=[
            ("button", _("Start button")),
            ("choose", _("Choice of landlord (if several use the portal)")),
            ("form", _("Registration form with the code from the letter")),
        ],
        default="button",
        help_text=_(
            "The form is shown only if a landlord registers tenants with letter codes; otherwise "
            "the start button."
        ),
    )
    button_label = blocks.CharBlock(
        label=_("button text"),
        required=False,
        default=_("Register now"),
        help_text=_("Text of the start button (display “Start button”)."),
    )
    registration_page = blocks.PageChooserBlock(
        label=_("registration page"),
        required=False,
        page_type="tenantportal_accounts.RegistrationPage",
        help_text=_("Where the registration continues. Empty: the portal's registration page."),
    )

    class Meta:
        template = "wagtail_tenantportal/accounts/blocks/registration_block.html"
        icon = "form"
        label = _("Portal registration")
        description = _(
            "The way into the registration: a start button, the choice of landlord or the form for the "
            "code from the registration letter."
        )

    def get_portal_context(self, value, request, state):
        from ..core.session import two_factor_pending, visitor_step
        from ..tenancy.models import Company
        from . import services
        from .forms import CodeRegistrationForm, CompanyChoiceForm

        if state != session.ANONYMOUS or two_factor_pending(request):
            if state == session.OK:
                return {"registered": True, "account_url": reverse("wagtail_tenantportal:account")}
            return {"registered": True, **visitor_step(request, state, request.get_full_path())}

        page = value.get("registration_page")
        page = page.specific if page is not None and page.live else None
        register_url = (
            page.step_url(request, "register") if page else reverse("wagtail_tenantportal:register")
        )
        request_code_url = (
            page.step_url(request, "request_code") if page else reverse("wagtail_tenantportal:request_code")
        )
        company = page.company if page is not None and page.company_id else None
        companies = services.registration_companies(request, company)
        context = {
            "display": "button",
            "login_url": session.state_url(session.ANONYMOUS, request.get_full_path()),
            "register_url": register_url,
            "request_code_url": request_code_url,
            "company": company,
            "several_companies": False,
        }
        display = value.get("display")
        if display == "choose" and company is None and len(companies[:2]) > 1:
            context.update(
                display="choose",
                form=CompanyChoiceForm(companies=companies, auto_id="tp-register-block-%s"),
                offer_code=services.offers_code_registration(companies),
            )
        elif display == "form":
            if company is None or company.registration_flow == Company.RegistrationFlow.CODE_FIRST:
                if services.offers_code_registration(companies):
                    initial = {"company": company.slug} if company else {}
                    context.update(
                        display="form",
                        form=CodeRegistrationForm(initial=initial, auto_id="tp-register-block-%s"),
                    )
        return context


class RequestCodeBlock(PortalBlock):
    """The form to request a new registration code by post (no letter, lost, or expired).

    The request goes to staff; the letter goes to the address on file, never to an address
    typed into the form. The answer is the same whatever was entered.
    """

    heading = blocks.CharBlock(
        label=_("heading"),
        required=False,
        default=_("Request a registration code"),
        help_text=_("Title of the block. Empty: no title."),
    )
    registration_page = blocks.PageChooserBlock(
        label=_("registration page"),
        required=False,
        page_type="tenantportal_accounts.RegistrationPage",
        help_text=_("The request is sent from its page (and its company). Empty: the portal's page."),
    )

    class Meta:
        template = "wagtail_tenantportal/accounts/blocks/request_code_block.html"
        icon = "mail"
        label = _("Request a registration code")
        description = _(
            "A form for tenants without a registration letter: staff send a new code by post to the "
            "address on file."
        )

    def get_portal_context(self, value, request, state):
        from . import services
        from .code_request_views import CodeRequestForm, CodeRequestView

        page = value.get("registration_page")
        page = page.specific if page is not None and page.live else None
        slug = page.company_slug if page else None
        view = CodeRequestView(company_slug=slug)
        companies = view.get_companies(request)
        fixed = services.company_by_slug(companies, slug) if slug else None
        form = CodeRequestForm(companies=companies, fixed_company=fixed, auto_id="tp-code-request-block-%s")
        if fixed is not None:
            form.initial["company"] = fixed.slug
        action = (
            page.step_url(request, "request_code") if page else reverse("wagtail_tenantportal:request_code")
        )
        return {"form": form, "form_action": action}


class TwoFactorBlock(PortalBlock):
    """Whether the tenant's two-factor authentication is on (app, codes by email, backup
    codes left), with links to set it up or change it, explained in plain words.

    Visitors see a login prompt leading back to this page; sessions with a missing step see
    that step (a company that requires two-factor leads to its set-up there).
    """

    heading = blocks.CharBlock(
        label=_("heading"),
        required=False,
        default=_("Two-factor authentication"),
        help_text=_("Shown above the block. Empty: no heading."),
    )
    text = blocks.TextBlock(
        label=_("explanation"),
        required=False,
        help_text=_("Why tenants should switch it on. Empty: a short explanation in plain words."),
    )

    class Meta:
        template = "wagtail_tenantportal/accounts/blocks/two_factor_block.html"
        icon = "lock"
        label = _("Two-factor authentication")
        description = _(
            "Shows tenants whether their account is protected by a second factor and leads them to "
            "set it up or change it."
        )

    def get_portal_context(self, value, request, state):
        from urllib.parse import urlencode

        from . import auth

        if state != session.OK:
            return {"step": visitor_step_for_block(request, state)}
        module = auth.twofactor_module()
        if module is None:
            return {"unavailable": True}
        query = "?" + urlencode({"next": request.get_full_path()})
        urls = {
            key: reverse(f"wagtail_tenantportal:{name}") + query
            for key, name in (
                ("manage", "two_factor_setup"),
                ("totp", "two_factor_totp_setup"),
                ("email", "two_factor_email_setup"),
                ("backup", "two_factor_backup_codes"),
            )
        }
        return {
            "status": module.status(request.user),
            "required": module.policy_requires_two_factor(request.user),
            "urls": urls,
        }

    def get_preview_portal_context(self, value, request):
        from types import SimpleNamespace

        status = SimpleNamespace(totp=True, email=False, backup_codes=7, enabled=True)
        return {
            "status": status,
            "required": False,
            "urls": dict.fromkeys(("manage", "totp", "email", "backup"), "#"),
        }


def visitor_step_for_block(request, state):
    """The prompt of a visitor without a full session, leading back to this page."""
    from ..core.session import visitor_step

    return visitor_step(request, state, request.get_full_path())


#: The blocks ``wagtail_tenantportal.blocks.portal_blocks()`` offers hosts, by name.
PORTAL_BLOCKS = [
    ("portal_login", LoginBlock),
    ("portal_registration", RegistrationBlock),
    ("portal_request_code", RequestCodeBlock),
    ("portal_two_factor", TwoFactorBlock),
]
