"""Forms of the staff admin: the master-data upload and the cross-company checks of link rows."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm

from ..core.conf import portal_settings
from .services import ImportFile


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

    After validation ``cleaned_data["import_files"]`` holds ``ImportFile`` objects, one per
    kind (the kind comes from the file name, e.g. ``contracts.csv``).
    """

    files = MultipleFileField(
        label=_("CSV files"),
        help_text=_(
            "Select all files of one export at once. The file name says what a file contains: "
            "companies.csv, properties.csv, units.csv, parties.csv, contracts.csv, "
            "contract_parties.csv, rent_components.csv."
        ),
    )
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
        """The ``ImportFile`` of an upload (``ValueError`` for a name it cannot tell). The
        uploads of other apps' imports (savings, consumption) override this."""
        return ImportFile.from_upload(upload)

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


class OrmSearchFilterForm(BaseFilterForm):
    """Search box of the choosers: a plain ``icontains`` over ``search_fields``.

    Imports write rows in bulk and do not fill the Wagtail search index, so the choosers
    search the database directly.
    """

    search_fields = ()

    q = forms.CharField(
        label=_("Search term"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": query})
            objects = objects.filter(condition)
            self.is_searching = True
            self.search_query = query
        return objects
