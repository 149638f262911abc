"""What the document admin's pages share: templates, URLs, permission checks, form views."""

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permission_policies import ModelPermissionPolicy

from ..admin.scoping import ScopedFormViewMixin
from ..admin.viewsets import PortalIndexView
from ..core import scope

ADMIN_TEMPLATES = "wagtail_tenantportal/documents/admin/"


def permission_policy(model):
    """The model's permission policy (Wagtail 7.4 has no policy registry; both versions have this)."""
    return ModelPermissionPolicy(model)


def document_admin_url(view, *args):
    """URL of ``view`` ("inspect", "file", "withdraw", ...) of the document viewset."""
    return reverse(f"tenantportal_document:{view}", args=[quote(a) for a in args])


def document_status(document):
    """Withdrawn, scheduled or published, as a translated word."""
    if document.withdrawn_at:
        return pgettext_lazy("document status", "Withdrawn")
    if document.published_from > timezone.now():
        return _("Scheduled")
    return _("Published")


def require_company_choice(form, user):
    """A form's ``company`` field, where empty means "all companies", becomes required for
    users who do not work for all companies (their choice is one of their companies)."""
    if not scope.sees_all(user):
        field = form.fields["company"]
        field.required = True
        field.help_text = ""
    return form


class StaffView(PermissionCheckedMixin, ScopedFormViewMixin, WagtailAdminTemplateMixin, FormView):
    """A form view of the admin checked against the model's permission policy; the form's
    model choices are those of the user's companies (``admin.scoping``)."""

    model = None
    index_url_name = None
    header_icon = "doc-full"

    @cached_property
    def permission_policy(self):
        return permission_policy(self.model)

    def get_breadcrumbs_items(self):
        items = []
        if self.index_url_name:
            items.append({"url": reverse(self.index_url_name), "label": self.model._meta.verbose_name_plural})
        return self.breadcrumbs_items + items + [{"url": "", "label": self.get_page_title()}]


class AddPermittedIndexView(PortalIndexView):
    """A listing whose "add" button (the viewset's own add view) shows only to users who may add."""

    def get_add_url(self):
        if self.add_url_name and self.permission_policy.user_has_permission(self.request.user, "add"):
            return reverse(self.add_url_name)
        return None
