"""Staff admin of the master-data import: the import runs (list and inspect) and the upload.

The upload page is the admin toolkit's (``wagtail_tenantportal.admin.uploads``) with the
master-data import, which records every call as an ``ImportRun``.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column

from ..admin.uploads import (
    MAX_ERRORS_SHOWN,
    BaseImportUploadView,
    ImportUploadViewSet,
    count_of,
    error_rows,
    summary_rows,
)
from ..admin.utils import admin_url, display_headings, field_label
from ..admin.viewsets import PortalIndexView, PortalInspectView, PortalModelViewSet, read_only_urlpatterns
from . import models as m
from .forms import MasterDataUploadForm
from .import_columns import ENTITY_ORDER, MODELS
from .services import import_master_data

#: Permission that allows uploading master data (a default permission: no migration needed).
IMPORT_PERMISSION = "tenantportal_tenancy.add_importrun"


#: Entity kind -> label of the summary table, in import order (lazy: follows the request's language).
ENTITY_LABELS = {kind: MODELS[kind]._meta.verbose_name_plural for kind in ENTITY_ORDER}


def run_counts(run):
    """The per-entity counts stored on an ``ImportRun`` (``summary`` as written by the importer)."""
    summary = run.summary or {}
    return summary.get("counts", summary) if isinstance(summary, dict) else {}


def run_error_count(run):
    """Rejected rows and files of a run (the run may store fewer than that)."""
    summary = run.summary if isinstance(run.summary, dict) else {}
    if "error_count" in summary:
        return summary["error_count"]
    return sum(count_of(value, "rejected") for value in run_counts(run).values())


class ImportRunIndexView(PortalIndexView):
    """Read-only listing: no add button, rows link to the inspect view."""

    def get_add_url(self):
        return None


class ImportRunInspectView(PortalInspectView):
    template_name = "wagtail_tenantportal/admin/importrun_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.object
        errors = error_rows(run.errors or [])[:MAX_ERRORS_SHOWN]
        context.update(
            summary_rows=summary_rows(run_counts(run), ENTITY_LABELS),
            error_rows=errors,
            errors_hidden=max(run_error_count(run) - len(errors), 0),
        )
        return context


class ImportRunViewSet(PortalModelViewSet):
    """Import runs: list and inspect only. Runs are written by the importer, never by hand."""

    model = m.ImportRun
    name = "tenantportal_importrun"
    url_prefix = "tenantportal/import-runs"
    icon = "history"
    index_view_class = ImportRunIndexView
    inspect_view_class = ImportRunInspectView
    inspect_template_name = "wagtail_tenantportal/admin/importrun_inspect.html"
    ordering = "-started_at"
    list_display = [
        "started_at",
        "source",
        "company",
        "user",
        Column(
            "files", label=field_label(m.ImportRun, "files"), accessor=lambda run: ", ".join(run.files or [])
        ),
        BooleanColumn("dry_run", label=field_label(m.ImportRun, "dry_run")),
        BooleanColumn("committed", label=field_label(m.ImportRun, "committed")),
        Column("errors", label=_("Errors"), accessor=run_error_count),
    ]
    list_filter = ["source", "company", "dry_run", "committed"]
    search_fields = []
    list_export = [
        "started_at",
        "finished_at",
        "get_source_display",
        "company",
        "user",
        "files",
        "dry_run",
        "partial",
        "committed",
    ]
    export_headings = display_headings(m.ImportRun, "source")
    inspect_view_fields = [
        "started_at",
        "finished_at",
        "source",
        "company",
        "user",
        "files",
        "dry_run",
        "partial",
        "committed",
    ]

    # No add/edit/delete views exist: links to them must not be rendered.
    without_views = ("add", "edit", "delete", "history", "usage")

    def get_listing_queryset(self, queryset):
        # The rejected rows can be long; the listing only needs the counts in the summary.
        return queryset.select_related("user", "company").defer("errors")

    def get_object_queryset(self, queryset):
        return queryset.select_related("user", "company")

    def get_urlpatterns(self):
        return read_only_urlpatterns(self)


class MasterDataUploadView(BaseImportUploadView):
    """Upload of the master-data export (recorded as an ``ImportRun``)."""

    page_title = _("Import master data")
    permission = IMPORT_PERMISSION
    form_class = MasterDataUploadForm

    def run_import(self, form):
        return import_master_data(
            form.cleaned_data["import_files"],
            dry_run=form.cleaned_data["dry_run"],
            partial=form.cleaned_data["partial"],
            user=self.request.user,
            source=m.ImportRun.Source.ADMIN,
            company=form.cleaned_data.get("company"),
        )

    def get_run_url(self, result):
        return admin_url(m.ImportRun, "inspect", result.run.pk) if result.run else None


class MasterDataImportViewSet(ImportUploadViewSet):
    """ "Import master data": the upload page in the menu, for users who may add import runs."""

    name = "tenantportal_import"
    url_prefix = "tenantportal/import"
    menu_label = _("Import master data")
    permission = IMPORT_PERMISSION
    view_class = MasterDataUploadView
