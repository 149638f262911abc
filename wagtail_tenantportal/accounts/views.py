"""Views of registration, email verification, login, password and account pages.

Thin: they validate forms, call ``flows`` and ``auth``, and render. Every template gets
``portal_context(request)``. Pages work without JavaScript; all answers that could tell
whether an email address is known are identical for known and unknown addresses.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..core import session
from ..core.adapter import get_adapter
from ..core.context import portal_context, portal_renderer
from ..tenancy.models import Company
from . import auth, flows, services
from .forms import (
    ActivationForm,
    AddContractForm,
    ClaimRegistrationForm,
    CodeRegistrationForm,
    CompanyChoiceForm,
    ContactDataForm,
    EDeliveryForm,
    EmailChangeForm,
    EmailCodeForm,
    EmailForm,
    LoginForm,
    PortalPasswordChangeForm,
    PortalSetPasswordForm,
)
from .models import RegistrationClaim

TEMPLATE_DIR = "wagtail_tenantportal/accounts/"


def public(view):
    """A view anybody may open: not cached, passwords hidden from error reports, and exempt
    from Django's ``LoginRequiredMiddleware`` (the portal checks sessions itself)."""
    return login_not_required(never_cache(sensitive_post_parameters()(view)))


#: Lazy on purpose: page types that serve these views at their own URL (``pages.py``) swap in
#: their template and add the page to the context before the response is rendered.
render_portal = portal_renderer(TEMPLATE_DIR, lazy=True)


def _next_url(request):
    return session.safe_next_url(request, request.POST.get("next") or request.GET.get("next") or "")


def redirect_to_next_step(request, next_url=""):
    """After a step: on to the next step the session needs, else to ``next_url`` or the default."""
    session.forget_state(request)
    state = session.portal_state(request)
    if state == session.OK:
        return HttpResponseRedirect(next_url or get_adapter().get_login_redirect_url(request))
    return HttpResponseRedirect(session.state_url(state, next_url))


def _two_factor_url():
    try:
        return reverse("wagtail_tenantportal:two_factor_setup")
    except NoReverseMatch:
        return ""


# -- login and logout ----------------------------------------------------------------------------


@public
def login_view(request):
    next_url = _next_url(request)
    if request.method == "GET" and session.is_portal_verified(request):
        return HttpResponseRedirect(next_url or get_adapter().get_login_redirect_url(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = flows.authenticate_login(
                request, form.cleaned_data["email"], form.cleaned_data["password"]
            )
        except flows.FlowError as error:
            form.add_error(None, error.message)
        else:
            remember = form.cleaned_data["remember"]
            if auth.user_has_device(user):
                return auth.twofactor_module().begin_second_factor(
                    request, user, remember=remember, next_url=next_url
                )
            auth.complete_login(request, user, remember=remember)
            return redirect_to_next_step(request, next_url)
    return render_portal(request, "login.html", {"form": form, "next": next_url})


@public
@require_http_methods(["GET", "POST"])
def logout_view(request):
    if request.method == "POST":
        auth.logout(request)
        messages.success(request, _("You have been logged out."))
        return HttpResponseRedirect(reverse("wagtail_tenantportal:login"))
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("wagtail_tenantportal:login"))
    return render_portal(request, "logout.html")


@public
@require_http_methods(["GET", "POST"])
def logout_everywhere_view(request):
    if auth.get_account(request.user) is None:
        return session.redirect_for_state(request, session.ANONYMOUS)
    if request.method == "POST":
        auth.logout_everywhere(request)
        messages.success(request, _("You have been logged out on all devices."))
        return HttpResponseRedirect(reverse("wagtail_tenantportal:login"))
    return render_portal(request, "logout_everywhere.html")


# -- registration ------------------------------------------------------------------------------


class RegisterView:
    """The registration page: chooses the company and with it the flow.

    The company comes from ``company_slug`` (a page or block that fixes it), ``?company=``,
    the posted form, or is the only one. Without one, tenants choose it; with a letter code
    they may skip that (the code names the company). Subclass and override ``get_company``
    or ``form_class_for`` to change the choice.
    """

    company_slug = None

    def __init__(self, company_slug=None):
        self.company_slug = company_slug or self.company_slug

    def get_companies(self, request):
        return get_adapter().registration_companies(request)

    def get_company(self, request, companies):
        slug = self.company_slug or request.POST.get("company") or request.GET.get("company")
        if slug:
            company = services.company_by_slug(companies, slug)
            if company is None:
                raise Http404("No such company")
            return company
        only = list(companies[:2])
        return only[0] if len(only) == 1 else None

    def form_class_for(self, company, wants_code):
        if company is None:
            return CodeRegistrationForm if wants_code else None
        if company.registration_flow == Company.RegistrationFlow.VERIFY_LATER:
            return ClaimRegistrationForm
        return CodeRegistrationForm

    #: The "check your mailbox" step after a registration; pages serving this view set their own.
    done_url = None

    def get_done_url(self, request):
        return self.done_url or reverse("wagtail_tenantportal:register_done")

    def __call__(self, request):
        if request.user.is_authenticated and session.portal_state(request) != session.ANONYMOUS:
            return HttpResponseRedirect(reverse("wagtail_tenantportal:account"))
        companies = self.get_companies(request)
        company = self.get_company(request, companies)
        has_code_flow = services.offers_code_registration(companies)
        wants_code = (request.GET.get("flow") or request.POST.get("flow")) == "code" and has_code_flow
        form_class = self.form_class_for(company, wants_code)
        if company is not None and not get_adapter().is_open_for_signup(request, company):
            raise Http404("Registration is closed")
        if form_class is None:
            choice = CompanyChoiceForm(request.GET or None, companies=companies)
            return render_portal(
                request,
                "register_choose.html",
                {"form": choice, "companies": companies, "offer_code": has_code_flow},
            )
        initial = {"company": company.slug if company else ""}
        if form_class is CodeRegistrationForm and request.GET.get("contract"):
            initial["contract_number"] = request.GET["contract"][:40]
        form = form_class(request.POST or None, initial=initial, consent_company=company)
        if request.method == "POST" and form.is_valid():
            try:
                result = self.register(request, form)
            except flows.FlowError as error:
                form.add_error(None, error.message)
            else:
                flows.remember_pending_verification(request, result.account, result.email)
                return HttpResponseRedirect(self.get_done_url(request))
        template = "register_code.html" if form_class is CodeRegistrationForm else "register_claim.html"
        return render_portal(
            request,
            template,
            {
                "form": form,
                "company": company,
                "several_companies": company is None or companies.count() > 1,
            },
        )

    def register(self, request, form):
        data = form.cleaned_data
        if isinstance(form, CodeRegistrationForm):
            return flows.register_with_code(
                request,
                company=data.get("company"),
                contract_number=data["contract_number"],
                code=data["code"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password1"],
                consents=form.consents(),
            )
        return flows.register_for_matching(
            request,
            company=data["company"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            street=data["street"],
            postal_code=data["postal_code"],
            city=data["city"],
            phone=data["phone"],
            contract_number=data["contract_number"],
            email=data["email"],
            password=data["password1"],
            consents=form.consents(),
        )


@public
@require_http_methods(["GET", "POST"])
def register_view(request):
    return RegisterView()(request)


@public
def register_done_view(request):
    pending = flows.pending_verification(request)
    if pending is None:
        return HttpResponseRedirect(reverse("wagtail_tenantportal:register"))
    _account, email = pending
    return render_portal(request, "register_done.html", {"email": email, "code_form": EmailCodeForm()})


# -- email verification ------------------------------------------------------------------------


def _verification_target(request):
    """``(account_or_None, email, logged_in)`` for the code and resend pages, or None."""
    state = session.portal_state(request)
    if state == session.EMAIL_UNVERIFIED:
        account = auth.get_account(request.user)
        return account, get_adapter().user_email(request.user), True
    pending = flows.pending_verification(request)
    if pending is not None and state == session.ANONYMOUS:
        account, email = pending
        return account, email, False
    return None


@public
@require_http_methods(["GET", "POST"])
def verify_email_view(request, token):
    """GET shows a button; only the POST confirms (mail scanners follow links with GET)."""
    if request.method == "POST":
        try:
            account = flows.confirm_email_link(token)
        except flows.FlowError as error:
            return render_portal(request, "verify_email.html", {"error": error.message, "valid": False}, 400)
        messages.success(request, _("Thank you: your email address is confirmed."))
        flows.clear_pending_verification(request)
        if request.user.is_authenticated and request.user.pk == account.user_id:
            return redirect_to_next_step(request)
        return HttpResponseRedirect(reverse("wagtail_tenantportal:login"))
    valid = flows.check_link_token(token)
    context = {"valid": valid, "error": "" if valid else flows.VerificationLinkInvalid.message}
    return render_portal(request, "verify_email.html", context, 200 if valid else 400)


@public
@require_http_methods(["GET", "POST"])
def verify_email_code_view(request):
    target = _verification_target(request)
    if target is None:
        if session.portal_state(request) != session.ANONYMOUS:
            return redirect_to_next_step(request)
        return HttpResponseRedirect(reverse("wagtail_tenantportal:login"))
    account, email, logged_in = target
    form = EmailCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = flows.verify_email_code(account, form.cleaned_data["code"], email=email)
        except flows.FlowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you: your email address is confirmed."))
            if not logged_in:
                flows.clear_pending_verification(request)
                user = account.user
                if auth.user_has_device(user) or not get_adapter().can_log_in(user):
                    return HttpResponseRedirect(reverse("wagtail_tenantportal:login"))
                auth.complete_login(request, user)
            return redirect_to_next_step(request, _next_url(request))
    return render_portal(
        request, "verify_email_code.html", {"form": form, "email": email, "logged_in": logged_in}
    )


@public
@require_http_methods(["GET", "POST"])
def resend_verification_view(request):
    target = _verification_target(request)
    form = EmailForm(request.POST or None) if target is None else None
    if request.method == "POST":
        try:
            if target is not None:
                account, email, logged_in = target
                if logged_in:
                    flows.resend_verification(request, account)
                else:  # a registration in this browser: as "I received no email" for its address,
                    # so that a new account and an address in use cost the same
                    flows.resend_verification_by_email(request, email)
            elif form.is_valid():
                flows.resend_verification_by_email(request, form.cleaned_data["email"])
            else:
                return render_portal(request, "resend_verification.html", {"form": form, "target": target})
        except flows.TooManyAttempts as error:
            messages.error(request, error.message)
        else:
            messages.info(
                request,
                _(
                    "If an account with this address is waiting for confirmation, we have sent a new email. "
                    "Please also look into your spam folder."
                ),
            )
        if target is not None:
            name = "verify_email_code" if target[2] else "register_done"
            return HttpResponseRedirect(reverse(f"wagtail_tenantportal:{name}"))
        return HttpResponseRedirect(reverse("wagtail_tenantportal:resend_verification"))
    return render_portal(request, "resend_verification.html", {"form": form, "target": target})


# -- password reset and change -------------------------------------------------------------------


@public
@require_http_methods(["GET", "POST"])
def password_reset_view(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flows.request_password_reset(request, form.cleaned_data["email"])
        except flows.FlowError as error:
            form.add_error(None, error.message)
        else:
            return render_portal(request, "password_reset_sent.html", {"email": form.cleaned_data["email"]})
    return render_portal(request, "password_reset.html", {"form": form})


class PortalPasswordResetConfirmView(PasswordResetConfirmView):
    """Django's view (token moved into the session, so it does not leak via Referer)."""

    form_class = PortalSetPasswordForm
    template_name = TEMPLATE_DIR + "password_reset_confirm.html"
    success_url = reverse_lazy("wagtail_tenantportal:login")

    def get_context_data(self, **kwargs):
        return {**portal_context(self.request), **super().get_context_data(**kwargs)}

    def form_valid(self, form):
        user = form.save()
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        flows.password_was_reset(self.request, user)
        if self.request.user.is_authenticated:
            auth.logout(self.request)
        messages.success(
            self.request, _("Your password has been changed. Please log in with the new password.")
        )
        return HttpResponseRedirect(self.get_success_url())


password_reset_confirm_view = PortalPasswordResetConfirmView.as_view()


@login_not_required
@sensitive_post_parameters()
@session.portal_login_required
def password_change_view(request):
    form = PortalPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        flows.password_was_changed(request, user)
        messages.success(request, _("Your password has been changed. Other devices have been logged out."))
        return HttpResponseRedirect(reverse("wagtail_tenantportal:account"))
    return render_portal(request, "password_change.html", {"form": form})


@login_not_required
@sensitive_post_parameters()
@session.portal_state_required(session.EMAIL_UNVERIFIED, session.OK)
def email_change_view(request):
    account = auth.get_account(request.user)
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            flows.check_password_attempt(request, request.user, form.cleaned_data["password"])
            flows.request_email_change(request, account, form.cleaned_data["email"])
        except flows.FlowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "We have sent an email to the new address. Your address changes as soon as you confirm "
                    "it there."
                ),
            )
            if account.email_verified_at is None:
                return HttpResponseRedirect(reverse("wagtail_tenantportal:verify_email_code"))
            return HttpResponseRedirect(reverse("wagtail_tenantportal:account"))
    return render_portal(
        request,
        "email_change.html",
        {"form": form, "current_email": get_adapter().user_email(request.user)},
    )


# -- first login: activation, contact data -------------------------------------------------------


@login_not_required
@session.portal_state_required(session.PENDING_MATCH, session.ACTIVATION_REQUIRED, session.OK)
def activate_view(request):
    account = auth.get_account(request.user)
    claims = list(services.account_claims(account))
    waiting = [c for c in claims if c.status == RegistrationClaim.Status.MATCHED and c.activated_at is None]
    if not waiting and not any(c.status == RegistrationClaim.Status.PENDING for c in claims):
        if session.portal_state(request) == session.OK:
            return HttpResponseRedirect(reverse("wagtail_tenantportal:account"))
    form = ActivationForm(request.POST or None) if waiting else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            flows.activate_with_code(account, form.cleaned_data["code"], ip=flows.client_ip(request))
        except flows.FlowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you: your account is now linked to your contract."))
            return redirect_to_next_step(request, _next_url(request))
    return render_portal(request, "activate.html", {"form": form, "claims": claims, "waiting": waiting})


@login_not_required
@session.portal_state_required(session.CONTACT_CHECK_REQUIRED, session.OK)
def contact_check_view(request):
    account = auth.get_account(request.user)
    first_check = account.contact_checked_at is None
    parties = list(services.tenant_parties(request.user))
    # The first time, the numbers the landlord's ERP has are filled in for the tenant to confirm.
    initial = flows.erp_phone_defaults(account, parties) if request.method != "POST" else {}
    form = ContactDataForm(
        request.POST if request.method == "POST" else None, instance=account, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        flows.save_contact_data(account, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, _("Thank you: your contact data are saved."))
        return redirect_to_next_step(request, _next_url(request))
    return render_portal(
        request,
        "contact_check.html",
        {
            "form": form,
            "parties": parties,
            "email": get_adapter().user_email(request.user),
            "first_check": first_check,
            "next": _next_url(request),
        },
    )


@login_not_required
@session.portal_login_required
def add_contract_view(request):
    """A further contract (another flat, a parking space, another company) by its letter."""
    account = auth.get_account(request.user)
    form = AddContractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flows.add_party_with_code(request, account, **form.cleaned_data)
        except flows.FlowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you: the contract is now linked to your account."))
            return redirect_to_next_step(request, reverse("wagtail_tenantportal:account"))
    return render_portal(request, "add_contract.html", {"form": form})


@login_not_required
@session.portal_login_required
def consents_view(request):
    """The consents given, and the e-delivery consent to give or withdraw."""
    account = auth.get_account(request.user)
    # An unticked check box sends nothing: bind the form to every POST, even an empty one.
    form = EDeliveryForm(
        request.POST if request.method == "POST" else None,
        initial={"e_delivery": services.gives_e_delivery(account)},
    )
    if request.method == "POST" and form.is_valid():
        if flows.set_e_delivery(account, form.cleaned_data["e_delivery"]):
            messages.success(request, _("Your choice is saved."))
        return HttpResponseRedirect(reverse("wagtail_tenantportal:consents"))
    return render_portal(
        request, "consents.html", {"form": form, "consents": services.current_consents(account)}
    )


# -- account overview ----------------------------------------------------------------------------


@login_not_required
@session.portal_login_required
def account_view(request):
    account = auth.get_account(request.user)
    return render_portal(
        request,
        "account.html",
        {
            "account": account,
            "email": get_adapter().user_email(request.user),
            "contracts": services.account_contracts(request.user),
            "claims": services.open_claims(account),
            "consents": services.current_consents(account),
            **services.account_overview(request.user, account),
            "two_factor_url": _two_factor_url(),
        },
    )
