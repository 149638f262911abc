"""Staff admin of the bulk distribution: a ZIP of PDFs matched to contracts by file name,
with the match report; past runs with their reports (list and inspect)."""

from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column

from ..admin.scoping import restrict_form
from ..admin.viewsets import PortalInspectView, PortalModelViewSet
from ..core.conf import portal_settings
from ..tenancy.models import Company
from . import services
from .admin_common import ADMIN_TEMPLATES, AddPermittedIndexView, StaffView, require_company_choice
from .bulk import COUNT_NAMES, compile_pattern
from .files import DocumentRejected
from .models import BulkDistribution, DocumentCategory


class BulkDistributionForm(forms.Form):
    zip_file = forms.FileField(
        label=_("ZIP file"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/zip,.zip"}),
        help_text=_("PDF files named by contract number, e.g. 100012345_BK2025.pdf."),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=DocumentCategory.objects.all())
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("e.g. Betriebskostenabrechnung 2025")
    )
    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=Company.objects.all(),
        required=False,
        help_text=_("Empty: contract numbers are looked up in all companies."),
    )
    document_date = forms.DateField(label=_("Document date"), required=False, help_text=_("Empty: today."))
    published_from = forms.DateTimeField(
        label=_("Published from"),
        required=False,
        help_text=_("Empty: now. Tenants see the documents from then on."),
    )
    pattern = forms.CharField(
        label=_("File name pattern"),
        max_length=300,
        help_text=_("Regular expression with a group named “contract” (case is ignored)."),
    )
    notify = forms.BooleanField(label=_("Tell the tenants"), required=False, initial=True)
    dry_run = forms.BooleanField(
        label=_("Check only"), required=False, help_text=_("Report what would happen; publish nothing.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

        self.fields["document_date"].widget = AdminDateInput()
        self.fields["published_from"].widget = AdminDateTimeInput()
        self.fields["pattern"].initial = portal_settings.DOCUMENTS_BULK_FILENAME_PATTERN

    def clean_zip_file(self):
        upload = self.cleaned_data["zip_file"]
        max_mb = portal_settings.DOCUMENTS_BULK_MAX_UPLOAD_MB
        if upload.size > max_mb * 1024 * 1024:
            raise forms.ValidationError(_("The ZIP file is larger than %(mb)s MB.") % {"mb": max_mb})
        return upload

    def clean_pattern(self):
        try:
            compile_pattern(self.cleaned_data["pattern"])
        except DocumentRejected as exc:
            raise forms.ValidationError(exc.message) from None
        return self.cleaned_data["pattern"]


def count_rows(counts, dry_run=False):
    """Rows of the report table: label, number and name of each counter of a run."""
    labels = {
        "files": _("Files in the ZIP"),
        "published": _("Would be published") if dry_run else _("Published"),
        "already_published": _("Already published before (skipped)"),
        "unmatched": _("No matching contract"),
        "ambiguous": _("Contract number in several companies"),
        "duplicates": _("Several files for one contract"),
        "rejected": _("Refused (not a PDF, too large, damaged, unsafe name)"),
        "ignored": _("Ignored (folders, system files)"),
    }
    return [
        {"label": labels[name], "value": (counts or {}).get(name, 0), "name": name} for name in COUNT_NAMES
    ]


class BulkDistributionView(StaffView):
    model = BulkDistribution
    permission_required = "add"
    form_class = BulkDistributionForm
    template_name = ADMIN_TEMPLATES + "distribute.html"
    page_title = _("Distribute documents (ZIP)")
    header_icon = "upload"
    index_url_name = "tenantportal_bulkdistribution:index"

    def get_form(self, form_class=None):
        return require_company_choice(super().get_form(form_class), self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["max_upload_mb"] = portal_settings.DOCUMENTS_BULK_MAX_UPLOAD_MB
        context["max_file_mb"] = portal_settings.DOCUMENTS_MAX_FILE_MB
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        upload = data["zip_file"]
        published_from = data.get("published_from")
        run = services.distribute_zip(
            upload,
            category=data["category"],
            title=data["title"],
            company=data.get("company"),
            document_date=data.get("document_date"),
            published_from=published_from,
            pattern=data["pattern"],
            user=self.request.user,
            dry_run=data["dry_run"],
            notify=data["notify"],
            zip_name=upload.name,
        )
        if run.status == BulkDistribution.Status.FAILED:
            messages.error(self.request, run.error)
        elif run.dry_run:
            messages.success(self.request, _("Checked: nothing was published. See the report below."))
        else:
            messages.success(
                self.request,
                ngettext(
                    "%(count)d document was published.",
                    "%(count)d documents were published.",
                    run.counts["published"],
                )
                % {"count": run.counts["published"]},
            )
        fresh = self.form_class(initial={**{k: v for k, v in data.items() if k != "zip_file"}})
        return self.render_to_response(
            self.get_context_data(
                form=require_company_choice(
                    restrict_form(fresh, self.request.user, self.model), self.request.user
                ),
                run=run,
                count_rows=count_rows(run.counts, run.dry_run),
                run_url=reverse("tenantportal_bulkdistribution:inspect", args=[run.pk]),
            )
        )


class BulkDistributionInspectView(PortalInspectView):
    template_name = ADMIN_TEMPLATES + "distribution_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["count_rows"] = count_rows(self.object.counts, self.object.dry_run)
        context["problems"] = self.object.problems or []
        return context


class BulkDistributionViewSet(PortalModelViewSet):
    model = BulkDistribution
    name = "tenantportal_bulkdistribution"
    url_prefix = "tenantportal/document-distributions"
    icon = "upload"
    menu_label = _("Bulk distribution")
    index_view_class = AddPermittedIndexView
    inspect_view_class = BulkDistributionInspectView
    inspect_template_name = ADMIN_TEMPLATES + "distribution_inspect.html"
    ordering = "-started_at"
    list_display = [
        "started_at",
        "title",
        "category",
        "company",
        "status",
        Column("published", label=_("Published"), accessor=lambda r: (r.counts or {}).get("published", 0)),
        Column(
            "problems",
            label=_("Reported files"),
            accessor=lambda r: sum(
                (r.counts or {}).get(k, 0) for k in ("unmatched", "ambiguous", "duplicates", "rejected")
            ),
        ),
        "user",
    ]
    list_filter = ["status", "category", "company"]
    search_fields = ["title", "zip_name"]
    list_export = [
        "started_at",
        "finished_at",
        "title",
        "category",
        "company",
        "zip_name",
        "status",
        "counts",
        "user",
    ]
    inspect_view_fields = [
        "started_at",
        "finished_at",
        "user",
        "title",
        "category",
        "company",
        "document_date",
        "published_from",
        "filename_pattern",
        "zip_name",
        "zip_size",
        "dry_run",
        "status",
        "error",
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("category", "company", "user").defer("problems")

    def get_object_queryset(self, queryset):
        return queryset.select_related("category", "company", "user")

    @property
    def add_view(self):
        return self.construct_view(BulkDistributionView)

    without_views = ("edit", "delete", "history", "usage")

    def get_urlpatterns(self):
        conv = self.pk_path_converter
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path(f"inspect/<{conv}:pk>/", self.inspect_view, name="inspect"),
        ]
