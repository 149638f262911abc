"""The upload page of the CSV imports: files, dry run, partial import, summary and rejected rows.

One page serves every import (master data, savings, consumption). An app adds its upload by
subclassing :class:`BaseImportUploadView` (its import function, how an upload becomes an
import file, its file kinds, the command for larger exports) and :class:`ImportUploadViewSet`
(menu entry, URL, permission)::

    class SavingsImportUploadView(BaseImportUploadView):
        import_function = staticmethod(import_savings)
        file_factory = staticmethod(savings_upload)
        file_kinds = KIND_ORDER
        command_name = "tenantportal_import_savings"

    class SavingsImportUploadViewSet(ImportUploadViewSet):
        name = "tenantportal_savings_import"
        url_prefix = "tenantportal/savings-import"
        menu_label = _("Import savings data")
        permission = "tenantportal_savings.add_savingsaccount"
        view_class = SavingsImportUploadView

The import function takes ``(files, dry_run=, partial=, company=)`` and returns a result as
in ``core.importing.ImportResult`` (``counts``, ``errors``, ``committed``, ``dry_run``,
``status_message()``, ``entity_label(kind)``).

Staff scope: the form asks for the company the upload is for, offering only the companies
the user works for (``core.scope``); it is required unless the user works for all
companies. The import function must then refuse every row of another company (as it
refuses an unknown company), so an upload cannot write another company's data.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from ..core import scope
from ..core.conf import portal_settings

#: Outcome counters of an import, in table order (see ``core.importing.EntityCounts``).
COUNT_NAMES = ("created", "updated", "unchanged", "rejected", "ended", "removed")

#: Rejected rows shown on a page (an import run may keep more, the commands print all).
MAX_ERRORS_SHOWN = 200


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files; ``clean`` returns a list of uploaded files."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,text/csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, (list, tuple)):
            if not data and self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return [single_clean(item, initial) for item in data]
        return [single_clean(data, initial)] if data or self.required else []


class ImportUploadForm(forms.Form):
    """CSV files of an ERP export plus the two import options.

    After validation ``cleaned_data["import_files"]`` holds the import files, one per kind;
    subclasses say how an upload becomes one (:meth:`import_file_for`, see
    :func:`upload_form_class`).
    """

    company = forms.ModelChoiceField(
        label=_("Company"),
        queryset=None,
        help_text=_("Rows of other companies are refused."),
    )
    files = MultipleFileField(label=_("CSV files"))
    dry_run = forms.BooleanField(
        label=_("Dry run"),
        required=False,
        help_text=_("Check the files and show what would change, without saving anything."),
    )
    partial = forms.BooleanField(
        label=_("Import good rows even if some are rejected (partial)"),
        required=False,
        help_text=_(
            "Without this option nothing is saved as soon as one row is rejected, "
            "so you can correct the export and try again."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        field.queryset = scope.companies(user)
        if scope.sees_all(user):
            field.required = False
            field.empty_label = _("All companies named in the files")
            field.help_text = _("Empty: the files may contain rows of several companies.")
        elif "company" not in self.initial:
            only = list(field.queryset[:2])
            if len(only) == 1:
                field.initial = only[0].pk

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        max_mb = portal_settings.IMPORT_MAX_UPLOAD_MB
        total = sum(upload.size or 0 for upload in uploads)
        if max_mb and total > max_mb * 1024 * 1024:
            raise ValidationError(
                _("The files are %(size)s MB together; at most %(max)s MB may be uploaded at once."),
                code="too_big",
                params={"size": f"{total / (1024 * 1024):.1f}", "max": max_mb},
            )
        return uploads

    def import_file_for(self, upload):
        """The import file of an upload, with its ``kind``; ``ValueError`` with a translated
        message for a name it cannot tell."""
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        uploads = cleaned.get("files")
        if not uploads:
            return cleaned
        import_files, errors, seen = [], [], {}
        for upload in uploads:
            try:
                import_file = self.import_file_for(upload)
            except ValueError as exc:
                errors.append(ValidationError(str(exc), code="unknown_kind"))
                continue
            if import_file.kind in seen:
                errors.append(
                    ValidationError(
                        _("%(first)s and %(second)s contain the same kind of data; upload only one of them."),
                        code="duplicate_kind",
                        params={"first": seen[import_file.kind], "second": upload.name},
                    )
                )
                continue
            seen[import_file.kind] = upload.name
            import_files.append(import_file)
        if errors:
            self.add_error("files", errors)
        else:
            cleaned["import_files"] = import_files
        return cleaned


def upload_form_class(file_factory, file_kinds):
    """An upload form whose files become import files through ``file_factory(upload)``; its
    help text names the files of ``file_kinds`` (e.g. ``("meters", "consumption")``)."""
    help_text = _(
        "Select all files of one export at once. The file name says what a file contains: %(names)s."
    )
    names = ", ".join(f"{kind}.csv" for kind in file_kinds)

    class UploadForm(ImportUploadForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["files"].help_text = help_text % {"names": names}

        def import_file_for(self, upload):
            return file_factory(upload)

    return UploadForm


def count_of(counts, name):
    """Counter ``name`` of an ``EntityCounts`` object or of its stored dict, 0 when missing."""
    return counts.get(name, 0) if isinstance(counts, dict) else getattr(counts, name, 0)


def summary_rows(counts, labels):
    """Rows of the summary table: for each kind of ``labels`` (kind -> label, in table order)
    that ``counts`` has, its label and counters (``EntityCounts`` objects or stored dicts)."""
    rows = []
    for kind, label in labels.items():
        if kind not in counts:
            continue
        row = {"entity": capfirst(str(label))}
        for name in COUNT_NAMES:
            row[name] = count_of(counts[kind], name)
        rows.append(row)
    return rows


def error_rows(errors):
    """Rejected rows as dicts with file, line and message (``RowError`` objects or dicts)."""
    rows = []
    for error in errors:
        if isinstance(error, dict):
            rows.append(
                {
                    "file": error.get("file", ""),
                    "line": error.get("line"),
                    "message": error.get("message", ""),
                }
            )
        else:
            rows.append({"file": error.file, "line": error.line, "message": error.message})
    return rows


class BaseImportUploadView(WagtailAdminTemplateMixin, FormView):
    """Upload of CSV export files: runs an import and shows its summary on the same page.

    Subclasses (or ``as_view`` arguments) give ``import_function(files, dry_run=, partial=)``
    (or override :meth:`run_import`); ``file_factory`` and ``file_kinds`` for the form
    (functions as ``staticmethod`` on a class), or a ``form_class``; ``permission``;
    ``page_title``; ``command_name`` (the management command for larger exports).
    """

    template_name = "wagtail_tenantportal/admin/import_upload.html"
    header_icon = "upload"
    page_title = _("Import")
    permission = None
    import_function = None
    file_factory = None
    file_kinds = ()
    form_class = None
    command_name = "tenantportal_import"

    def dispatch(self, request, *args, **kwargs):
        if not self.permission or not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return self.form_class or upload_form_class(self.file_factory, self.file_kinds)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["max_upload_mb"] = portal_settings.IMPORT_MAX_UPLOAD_MB
        context["command_name"] = self.command_name
        return context

    def run_import(self, form):
        return self.import_function(
            form.cleaned_data["import_files"],
            dry_run=form.cleaned_data["dry_run"],
            partial=form.cleaned_data["partial"],
            company=form.cleaned_data.get("company"),
        )

    def get_summary_rows(self, result):
        """Rows of the summary table: the result's kinds in its order, labelled by the result."""
        return summary_rows(result.counts, {kind: result.entity_label(kind) for kind in result.counts})

    def get_run_url(self, result):
        """A link to the recorded run of ``result``, if the import records runs."""
        return None

    def form_valid(self, form):
        result = self.run_import(form)
        errors = error_rows(result.errors)
        context = self.get_context_data(
            # A fresh form: the browser cannot re-send the files anyway.
            form=self.get_form_class()(
                initial={
                    "dry_run": result.dry_run,
                    "partial": form.cleaned_data["partial"],
                    "company": form.cleaned_data.get("company"),
                },
                user=self.request.user,
            ),
            result=result,
            summary_rows=self.get_summary_rows(result),
            error_rows=errors[:MAX_ERRORS_SHOWN],
            errors_hidden=max(len(errors) - MAX_ERRORS_SHOWN, 0),
            run_url=self.get_run_url(result),
            status_message=result.status_message(),
        )
        return self.render_to_response(context)


class ImportUploadViewSet(ViewSet):
    """A menu entry with an upload page (``view_class``); shown only to users with
    ``permission``. Subclasses set ``name``, ``url_prefix``, ``menu_label``, ``permission``
    and ``view_class``."""

    icon = "upload"
    permission = None
    view_class = BaseImportUploadView

    def get_urlpatterns(self):
        return [
            path(
                "",
                self.view_class.as_view(permission=self.permission, page_title=self.menu_label),
                name="index",
            )
        ]

    @cached_property
    def menu_item_class(self):
        permission = self.permission

        class ImportMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm(permission)

        return ImportMenuItem
