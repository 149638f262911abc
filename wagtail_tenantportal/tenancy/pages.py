"""The "My contracts" page type (Meine Verträge), imported from ``models.py``.

Editors place it anywhere in the page tree. At its URL it lists the tenant's contracts of the
kinds the editor chose; ``<id>/`` below it shows one contract (unit, contract parties, the
current rent and its parts, bank details with a masked IBAN, the contact persons) and
``<id>/bank-details/`` the form for new bank details (a change staff approve). Visitors
who are not logged in see a login prompt that leads back here, half-verified sessions the
step they must take. Another tenant's contract id answers 404.

Sites customise it by subclassing and overriding ``get_list_context`` or ``get_detail_context``.
"""

from django import forms
from django.db import models
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..core.context import portal_context
from ..core.pages import PortalPageMixin


def kind_choices():
    """The contract kinds (``Contract.Kind``; imported late: models.py imports this module)."""
    from .models import Contract

    return Contract.Kind.choices


def default_contract_kinds():
    return ["rental", "parking", "membership"]


class ContractsPageForm(WagtailAdminPageForm):
    """Contract kinds as check boxes (stored as a JSON list)."""

    contract_kinds = forms.MultipleChoiceField(
        label=_("contract kinds shown"),
        choices=kind_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Which contracts tenants see on this page. None checked: tenancy and parking agreements "
            "and the membership."
        ),
    )


def prompt_context(request, state, next_url):
    """What the page or a block shows instead of personal data (``session.visitor_step``)."""
    from ..core.session import visitor_step

    return {"step": visitor_step(request, state, next_url)}


class ContractsPage(PortalPageMixin, RoutablePageMixin, Page):
    intro = RichTextField(
        _("introduction"), blank=True, help_text=_("Shown above the list, e.g. whom to ask about contracts.")
    )
    contract_kinds = models.JSONField(
        _("contract kinds shown"),
        default=default_contract_kinds,
        blank=True,
        help_text=_("Which contracts tenants see on this page."),
    )
    show_bank_details = models.BooleanField(
        _("show bank details"),
        default=True,
        help_text=_("Show the account the rent is collected from (IBAN shortened) and the SEPA mandate."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("contract_kinds"),
        FieldPanel("show_bank_details"),
    ]
    base_form_class = ContractsPageForm
    subpage_types = []
    max_count_per_parent = 1
    template = "wagtail_tenantportal/tenancy/pages/contracts_page.html"

    class Meta:
        verbose_name = _("my contracts page")
        verbose_name_plural = _("my contracts pages")

    @property
    def kinds(self):
        return list(self.contract_kinds or default_contract_kinds())

    def contract_url(self, contract, request=None):
        return self.get_url(request) + self.reverse_subpage("contract", args=(contract.pk,))

    def get_list_context(self, request):
        from .services import contract_list_context

        context = contract_list_context(request.user, self.kinds)
        for contract in context["contracts"]:
            contract.portal_url = self.contract_url(contract, request)
        return context

    def get_detail_context(self, request, contract_id):
        from .services import contract_detail_context, get_tenant_contract

        contract = get_tenant_contract(request.user, contract_id, self.kinds)
        context = contract_detail_context(contract, show_bank_details=self.show_bank_details)
        context["bank_change_url"] = self.get_url(request) + self.reverse_subpage(
            "bank_details", args=(contract.pk,)
        )
        return context

    def _render(self, request, extra, template=None):
        from ..core.session import OK, portal_state

        context = self.get_context(request)
        context.update(portal_context(request))
        # The page's own address relative to the request's site ("Back to my contracts"):
        # ``page.url`` would be absolute, with the Site record's host, when a portal has sites.
        context["list_url"] = self.get_url(request)
        state = portal_state(request)
        context["portal_state"] = state
        if state == OK:
            context.update(extra())
        else:
            context.update(prompt_context(request, state, request.get_full_path()))
        response = TemplateResponse(request, template or self.get_template(request), context)
        add_never_cache_headers(response)  # personal data: never from a cache
        return response

    @path("", name="list")
    def list_route(self, request):
        return self._render(request, lambda: self.get_list_context(request))

    @path("<int:contract_id>/", name="contract")
    def detail_route(self, request, contract_id):
        # Visitors without a full session get the prompt (nothing about the id); tenants a
        # 404 for a contract that is not theirs.
        return self._render(
            request, lambda: {"detail": True, **self.get_detail_context(request, contract_id)}
        )

    @path("<int:contract_id>/bank-details/", name="bank_details")
    def bank_details_route(self, request, contract_id):
        from django.http import Http404, HttpResponseRedirect
        from django.views.decorators.csrf import csrf_protect

        from .services import bank_change_contract
        from .views import bank_details_change_context

        if request.method not in ("GET", "HEAD", "POST"):
            from django.http import HttpResponseNotAllowed

            return HttpResponseNotAllowed(["GET", "POST"])
        outcome = {}

        def extra():
            if not self.show_bank_details:
                raise Http404
            contract = bank_change_contract(request.user, contract_id)
            if contract.kind not in self.kinds:
                raise Http404
            back_url = self.contract_url(contract, request)
            context, done = bank_details_change_context(request, contract, back_url)
            if done:
                outcome["redirect"] = back_url
            action = self.get_url(request) + self.reverse_subpage("bank_details", args=(contract.pk,))
            return {"bank_form": True, "action": action, **context}

        @csrf_protect
        def render(request):
            response = self._render(request, extra, template=BANK_TEMPLATE)
            if "redirect" in outcome:
                return HttpResponseRedirect(outcome["redirect"])
            return response

        return render(request)


BANK_TEMPLATE = "wagtail_tenantportal/tenancy/pages/contracts_page_bank_details.html"
