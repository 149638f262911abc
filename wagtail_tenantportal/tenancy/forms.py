"""Forms of the staff admin: the master-data upload, the cross-company checks of link rows,
the contact person's account choice and the companies a staff group works for."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from ..admin.uploads import ImportUploadForm, MultipleFileField
from ..admin.utils import staff_users
from ..core import scope
from .models import Company
from .services import ImportFile


class MasterDataUploadForm(ImportUploadForm):
    """The upload of a master-data export: one file per entity kind, named after it
    (``contracts.csv``); ``cleaned_data["import_files"]`` holds ``ImportFile`` objects."""

    files = MultipleFileField(
        label=_("CSV files"),
        help_text=_(
            "Select all files of one export at once. The file name says what a file contains: "
            "companies.csv, properties.csv, units.csv, parties.csv, contracts.csv, "
            "contract_parties.csv, rent_components.csv."
        ),
    )

    def import_file_for(self, upload):
        return ImportFile.from_upload(upload)


class SameCompanyForm(WagtailAdminModelForm):
    """Refuses links between records of different companies (Mandanten).

    ``company_pairs`` lists pairs of field names whose objects must belong to the same
    company; a field named ``company`` stands for the company itself.
    """

    company_pairs = ()
    same_company_message = _("%(first)s and %(second)s belong to different companies.")

    def _company_id(self, name, value):
        return value.pk if name == "company" else value.company_id

    def clean(self):
        cleaned = super().clean()
        for first, second in self.company_pairs:
            a, b = cleaned.get(first), cleaned.get(second)
            if a is not None and b is not None and self._company_id(first, a) != self._company_id(second, b):
                self.add_error(
                    second,
                    ValidationError(
                        self.same_company_message,
                        code="other_company",
                        params={
                            "first": self.fields[first].label,
                            "second": self.fields[second].label,
                        },
                    ),
                )
        return cleaned


class ContractPartyForm(SameCompanyForm):
    company_pairs = (("contract", "party"),)


class ContactResponsibilityForm(SameCompanyForm):
    company_pairs = (("company", "contact_person"), ("company", "property"), ("company", "contract"))


class ContactPersonForm(WagtailAdminModelForm):
    """Offers only admin users as the contact person's account (not the tenants' accounts)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            queryset = staff_users()
            if self.instance.user_id:
                queryset = get_user_model()._default_manager.filter(
                    Q(pk__in=queryset.values("pk")) | Q(pk=self.instance.user_id)
                )
            self.fields["user"].queryset = queryset.order_by("last_name", "first_name", "pk")

    def clean(self):
        cleaned = super().clean()
        company, user = cleaned.get("company"), cleaned.get("user")
        if company is not None and user is not None and not scope.allows(user, company.pk):
            # Routed requests would not reach them: they do not see the company's requests.
            self.add_error(
                "user", _("%(user)s does not work for %(company)s.") % {"user": user, "company": company}
            )
        return cleaned


class GroupCompaniesForm(forms.Form):
    """The panel "Tenant portal: companies" on the page of a group (Settings → Groups): the
    members of the group work for the companies ticked here (``Company.staff_groups``, the
    staff scope of ``core.scope``). Registered with Wagtail's ``register_group_permission_panel``."""

    template_name = "wagtail_tenantportal/admin/group_companies_panel.html"

    companies = forms.ModelMultipleChoiceField(
        label=_("Companies"),
        queryset=Company.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Members of this group see and change the tenant data of these companies only. "
            "Superusers work for all companies."
        ),
    )

    def __init__(self, *args, instance=None, **kwargs):
        kwargs.setdefault("prefix", "tenantportal_companies")
        self.instance = instance
        if instance is not None and instance.pk is not None:
            kwargs.setdefault("initial", {"companies": list(instance.tenantportal_companies.all())})
        super().__init__(*args, **kwargs)

    def as_admin_panel(self):
        return render_to_string(
            self.template_name,
            {"form": self, "heading": _("Tenant portal: companies"), "panel_id": "tenantportal-companies"},
        )

    def save(self):
        self.instance.tenantportal_companies.set(self.cleaned_data["companies"])


class BankDetailsForm(forms.Form):
    """The tenant's new account for one contract. The checks are in
    ``services.submit_bank_details_change`` (shared with the REST API); this form marks the
    fields required (with the service's messages) and shows the service's errors."""

    account_holder = forms.CharField(
        label=_("Account holder"),
        max_length=200,
        error_messages={"required": _("Enter the name of the account holder.")},
        help_text=_("As your bank writes it, e.g. 'Erika Mustermann'."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=50,
        error_messages={"required": _("Enter the IBAN of the new account.")},
        help_text=_("e.g. DE89 3704 0044 0532 0130 00. We find the BIC and the bank ourselves."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    mandate_confirmed = forms.BooleanField(
        label=_("I grant the SEPA direct debit mandate above."),
        error_messages={"required": _("Please confirm the SEPA direct debit mandate.")},
    )

    def add_service_errors(self, error):
        """Show a ``ValidationError`` of the service at its fields (the rest above the form)."""
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
