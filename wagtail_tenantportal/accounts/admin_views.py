"""Staff admin of registration codes, letters and letter texts (code requests: ``admin_code_requests``).

Views are thin: they check the permission, validate a form and call ``services``. The PDF
is rendered inside the service's transaction into a temporary file (spooled to disk above
a few MB) and then sent; if rendering fails no code stays issued.

Permissions (Django model permissions, assignable to groups in the Wagtail admin):

- ``add_registrationcode``: issue codes and print letters, reprint, send requested letters;
- ``change_registrationcode``: revoke codes;
- ``view_registrationcode`` (or any of the above): see the listing;
- ``change_coderequest``: mark code requests handled;
- ``add/change_companylettersettings``: edit letter texts.

Staff see and act on the codes, requests and letter texts of the companies they work for
only (``core.scope``, applied by the admin toolkit's viewsets and their URL guard).
"""

import tempfile
from datetime import timedelta

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from ..admin.viewsets import PortalIndexView, PortalInspectView, PortalModelViewSet
from ..core import scope
from ..tenancy.models import Contract, Party
from . import codes, services
from .letters import Letter, LetterRenderer
from .models import CompanyLetterSettings, RegistrationCode

PERM_ISSUE = "tenantportal_accounts.add_registrationcode"
PERM_REVOKE = "tenantportal_accounts.change_registrationcode"
PERM_HANDLE_REQUEST = "tenantportal_accounts.change_coderequest"
PERM_LETTER_SETTINGS = "tenantportal_accounts.change_companylettersettings"

CONFIRM_TEMPLATE = "wagtail_tenantportal/admin/accounts/confirm.html"


def pdf_response(write, filename):
    """Call ``write(file)`` and send the file as a PDF download."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    try:
        write(spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type="application/pdf")


def letters_filename(label):
    return f"registrierungsbriefe-{label}-{timezone.localdate():%Y-%m-%d}.pdf"


class StaffPermissionMixin:
    """Raise 403 unless the user has ``permission`` (a Django permission string)."""

    permission = None

    def dispatch(self, request, *args, **kwargs):
        if self.permission and not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- Registration codes --------------------------------------------------------------------------


class RegistrationCodeFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=RegistrationCode.Status.choices,
        method="filter_status",
        empty_label=_("All"),
    )

    class Meta:
        model = RegistrationCode
        fields = ["company", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value) if value else queryset


class RegistrationCodeIndexView(PortalIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().for_listing()

    def get_add_url(self):
        if self.request.user.has_perm(PERM_ISSUE):
            return reverse("tenantportal_registrationcode:issue")

    @property
    def add_item_label(self):
        return _("Print registration letters")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        user = self.request.user
        if user.has_perm(PERM_ISSUE):
            buttons.append(
                Button(
                    _("Reprint (new code)"),
                    url=reverse("tenantportal_registrationcode:reprint", args=[quote(instance.pk)]),
                    icon_name="doc-full",
                    priority=40,
                )
            )
        if user.has_perm(PERM_REVOKE) and instance.used_at is None and instance.revoked_at is None:
            buttons.append(
                Button(
                    _("Revoke"),
                    url=reverse("tenantportal_registrationcode:revoke", args=[quote(instance.pk)]),
                    icon_name="cross",
                    priority=50,
                )
            )
        return buttons


class RegistrationCodeInspectView(PortalInspectView):
    def get_status_display_value(self):
        return self.object.get_status_display()

    def get_hint_display_value(self):
        return "…" + self.object.hint

    @property
    def header_more_buttons(self):
        buttons = []
        user = self.request.user
        if user.has_perm(PERM_ISSUE):
            buttons.append(
                Button(
                    _("Reprint (new code)"),
                    url=reverse("tenantportal_registrationcode:reprint", args=[quote(self.object.pk)]),
                    icon_name="doc-full",
                    priority=10,
                )
            )
        if user.has_perm(PERM_REVOKE) and self.object.used_at is None and self.object.revoked_at is None:
            buttons.append(
                Button(
                    _("Revoke"),
                    url=reverse("tenantportal_registrationcode:revoke", args=[quote(self.object.pk)]),
                    icon_name="cross",
                    priority=20,
                )
            )
        return buttons


class IssueLettersForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=None,
        required=False,
        empty_label=_("All companies"),
    )
    property = forms.ModelChoiceField(
        label=_("Property"),
        queryset=None,
        required=False,
        empty_label=_("All properties"),
        help_text=_("Only parties with a current contract on a unit of this property."),
    )
    parties = forms.CharField(
        label=_("Selected parties"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "ERP ids of parties, separated by commas or line breaks. Empty: all parties of the selection."
        ),
    )
    party_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    contract_kind = forms.ChoiceField(
        label=_("Contract kind"),
        choices=[("", _("Any current contract")), *Contract.Kind.choices],
        required=False,
        initial=Contract.Kind.RENTAL,
        help_text=_("The letter names a current contract of this kind; parties without one are left out."),
    )
    unregistered = forms.BooleanField(
        label=_("Only parties not yet registered"), required=False, initial=True
    )
    skip_active_codes = forms.BooleanField(
        label=_("Leave out parties who hold a valid code"),
        required=False,
        initial=True,
        help_text=_("Otherwise their codes are revoked and the letters already sent no longer work."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["company"].queryset = services.letter_run_companies(user)
        self.fields["property"].queryset = services.letter_run_properties(user)
        if not scope.sees_all(user):
            self.fields["company"].empty_label = _("All my companies")

    def clean(self):
        data = super().clean()
        company, prop = data.get("company"), data.get("property")
        if company and prop and prop.company_id != company.pk:
            self.add_error("property", _("The property belongs to another company."))
        erp_ids = [value for value in (part.strip() for part in _split(data.get("parties", ""))) if value]
        pks = [int(value) for value in _split(data.get("party_ids", "")) if value.strip().isdigit()]
        parties = None
        if erp_ids:
            found = services.parties_by_erp_id(erp_ids, company, user=self.user)
            missing = sorted(set(erp_ids) - {p.erp_id for p in found})
            if missing:
                self.add_error("parties", _("Unknown ERP ids: %(ids)s") % {"ids": ", ".join(missing)})
            elif len(found) > len(set(erp_ids)):
                self.add_error(
                    "parties", _("Some ERP ids exist in several companies; please choose the company.")
                )
            parties = [p.pk for p in found]
        if pks:
            parties = (parties or []) + pks
        if not (company or prop or parties):
            raise forms.ValidationError(_("Choose a company, a property or parties."))
        data["party_list"] = parties
        return data

    def selection(self):
        data = self.cleaned_data
        return services.select_parties(
            company=data.get("company") or (data["property"].company if data.get("property") else None),
            property=data.get("property"),
            parties=data.get("party_list"),
            unregistered=data.get("unregistered", False),
            contract_kind=data.get("contract_kind") or None,
            skip_active_codes=data.get("skip_active_codes", False),
            staff=self.user,
        )


def _split(value):
    return (value or "").replace(",", "\n").replace(";", "\n").split()


class IssueLettersView(StaffPermissionMixin, WagtailAdminTemplateMixin, FormView):
    """Select parties, see how many letters that makes, print them (codes issued on print)."""

    permission = PERM_ISSUE
    form_class = IssueLettersForm
    template_name = "wagtail_tenantportal/admin/accounts/issue_letters.html"
    page_title = _("Print registration letters")
    header_icon = "key"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("tenantportal_registrationcode:index"), "label": _("Registration codes")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        party_ids = [value for value in self.request.GET.getlist("party") if value.isdigit()]
        if party_ids:
            initial.update(party_ids=",".join(party_ids), unregistered=False, skip_active_codes=False)
        if self.request.GET.get("company", "").isdigit():
            initial["company"] = self.request.GET["company"]
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        party_ids = (context["form"]["party_ids"].value() or "").split(",")
        context["preselected"] = len([p for p in party_ids if p.strip()])
        return context

    def form_valid(self, form):
        parties = form.selection()
        kind = form.cleaned_data.get("contract_kind") or None
        prop = form.cleaned_data.get("property")
        if self.request.POST.get("action") != "print":
            batch = services.issue_letters(parties, None, contract_kind=kind, property=prop, dry_run=True)
            return self.render_to_response(self.get_context_data(form=form, preview=batch))
        company = form.cleaned_data.get("company") or (prop.company if prop else None)
        label = company.slug if company else "auswahl"
        user = self.request.user

        def write(out):
            batch = services.issue_letters(parties, out, user=user, contract_kind=kind, property=prop)
            if not batch.count:
                raise _NothingToPrint

        try:
            return pdf_response(write, letters_filename(label))
        except _NothingToPrint:
            form.add_error(None, _("No party of this selection has a current contract. Nothing was printed."))
            return self.form_invalid(form)


class _NothingToPrint(Exception):
    pass


class CodeActionView(StaffPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET: a confirmation page; POST: ``perform``. Base of revoke and reprint.

    ``get_object(pk)`` loads the object the action works on (None: 404).
    """

    template_name = CONFIRM_TEMPLATE
    header_icon = "key"
    index_url_name = "tenantportal_registrationcode:index"
    index_label = _("Registration codes")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = self.get_object(kwargs["pk"])
        if self.object is None:
            raise Http404

    def get_object(self, pk):
        return services.get_registration_code(pk, self.request.user)

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": self.index_label},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(object=self.object, message=self.message(), submit_label=self.submit_label)
        return context

    def post(self, request, *args, **kwargs):
        return self.perform()


class RevokeCodeView(CodeActionView):
    permission = PERM_REVOKE
    page_title = _("Revoke registration code")
    submit_label = _("Revoke")

    def message(self):
        return _("The code ending in “%(hint)s” for %(party)s can no longer be used for registration.") % {
            "hint": self.object.hint,
            "party": self.object.party,
        }

    def perform(self):
        if services.revoke_code(self.object, user=self.request.user):
            messages.success(self.request, _("The registration code was revoked."))
        else:
            messages.warning(self.request, _("The code had already been used or revoked."))
        return redirect("tenantportal_registrationcode:index")


class ReprintCodeView(CodeActionView):
    permission = PERM_ISSUE
    page_title = _("Reprint registration letter")
    submit_label = _("Issue a new code and print the letter")

    def message(self):
        return _(
            "A new code is issued for %(party)s (contract %(contract)s) and the letter is printed to the "
            "address on file. The code ending in “%(hint)s” and any other unused code of this party are revoked."
        ) % {"party": self.object.party, "contract": self.object.contract.number, "hint": self.object.hint}

    def perform(self):
        code, user = self.object, self.request.user
        return pdf_response(
            lambda out: services.reprint(code, out, user=user),
            letters_filename(code.party.erp_id or code.party_id),
        )


class RegistrationCodeViewSet(PortalModelViewSet):
    model = RegistrationCode
    name = "tenantportal_registrationcode"
    url_prefix = "tenantportal/registration-codes"
    icon = "key"
    menu_label = _("Registration codes")
    index_view_class = RegistrationCodeIndexView
    inspect_view_class = RegistrationCodeInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = RegistrationCodeFilterSet
    search_fields = ["party__last_name", "party__first_name", "party__erp_id", "contract__number", "hint"]
    search_backend_name = None
    list_display = [
        TitleColumn("party", label=_("Party"), accessor="party"),
        Column("contract", label=_("Contract"), accessor="contract.number"),
        Column("company", label=_("Company")),
        Column("hint", label=_("Code ends in")),
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("created_at", label=_("Issued"), sort_key="created_at"),
        DateColumn("expires_at", label=_("Valid until"), sort_key="expires_at"),
        DateColumn("letter_printed_at", label=_("Letter printed")),
    ]
    list_export = [
        "party",
        "contract",
        "company",
        "hint",
        "get_status_display",
        "created_at",
        "expires_at",
        "letter_printed_at",
        "used_at",
        "revoked_at",
    ]
    inspect_view_fields = [
        "party",
        "contract",
        "company",
        "hint",
        "status",
        "created_at",
        "created_by",
        "expires_at",
        "letter_printed_at",
        "used_at",
        "used_by",
        "revoked_at",
        "revoked_by",
    ]

    # No edit, delete or usage views: codes are issued and revoked by actions only.
    without_views = ("edit", "delete", "usage")

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("issue/", IssueLettersView.as_view(), name="issue"),
            path("revoke/<int:pk>/", RevokeCodeView.as_view(), name="revoke"),
            path("reprint/<int:pk>/", ReprintCodeView.as_view(), name="reprint"),
        ]


# --- Letter texts -----------------------------------------------------------------------------------


class LetterSettingsForm(forms.ModelForm):
    portal_url = forms.URLField(
        label=CompanyLetterSettings._meta.get_field("portal_url").verbose_name,
        help_text=CompanyLetterSettings._meta.get_field("portal_url").help_text,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = CompanyLetterSettings
        fields = ["company", "subject", "body", "closing", "code_validity_days", "portal_url"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12}), "closing": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        from .letters import DEFAULT_BODY, DEFAULT_CLOSING, DEFAULT_SUBJECT

        # Show the default text, so staff can copy and change it.
        self.fields["subject"].widget.attrs["placeholder"] = str(DEFAULT_SUBJECT)
        self.fields["body"].widget.attrs["placeholder"] = str(DEFAULT_BODY)
        self.fields["closing"].widget.attrs["placeholder"] = str(DEFAULT_CLOSING)


class LetterSettingsIndexView(PortalIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().for_listing()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            Button(
                _("Sample letter (PDF)"),
                url=reverse("tenantportal_lettersettings:preview", args=[quote(instance.pk)]),
                icon_name="doc-full",
                priority=40,
            )
        )
        return buttons


class LetterPreviewView(StaffPermissionMixin, TemplateView):
    """A sample letter with the company's texts, made-up recipient and a code that is not stored."""

    permission = PERM_LETTER_SETTINGS

    def get(self, request, pk):
        settings = services.get_letter_settings(pk, request.user)
        if settings is None:
            raise Http404
        company = settings.company
        party = Party(
            company=company,
            salutation=Party.Salutation.MS,
            first_name="Erika",
            last_name="Musterfrau",
            street="Musterstraße 1",
            postal_code="12345",
            city="Musterstadt",
        )
        contract = Contract(company=company, number="12345-001")
        valid_until = timezone.now() + timedelta(days=services.code_validity_days(letter_settings=settings))
        letter = Letter(
            party,
            contract,
            codes.generate(),
            valid_until,
            services.registration_url(company, letter_settings=settings),
        )

        def write(out):
            with LetterRenderer(
                out, letter_settings={company.pk: settings}, title=str(_("Sample letter"))
            ) as renderer:
                renderer.add(letter)

        return pdf_response(write, f"musterbrief-{company.slug}.pdf")


class CompanyLetterSettingsViewSet(PortalModelViewSet):
    model = CompanyLetterSettings
    name = "tenantportal_lettersettings"
    url_prefix = "tenantportal/letter-settings"
    icon = "doc-full"
    menu_label = _("Letter texts")
    index_view_class = LetterSettingsIndexView
    form_class = LetterSettingsForm
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        TitleColumn("company", label=_("Company")),
        Column("subject", label=_("Subject")),
        Column("code_validity_days", label=_("Code validity (days)")),
    ]

    def get_form_class(self, for_update=False):
        return LetterSettingsForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("preview/<int:pk>/", LetterPreviewView.as_view(), name="preview"),
        ]


def admin_viewsets():
    """The viewsets of this app, for the "Tenant portal" menu group."""
    from .admin_code_requests import CodeRequestViewSet

    return [
        RegistrationCodeViewSet(),
        CodeRequestViewSet(),
        CompanyLetterSettingsViewSet(),
    ]
