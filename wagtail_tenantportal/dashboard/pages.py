"""The "Portal overview" page type (Startseite), imported from ``models.py``.

Greets the logged-in tenant and shows the widgets the sub-apps register (requests,
documents, notices, …) as cards. Editors choose which widgets appear; none chosen means all.
Visitors without a full session see a prompt that leads back here. Sites customise it by
subclassing and overriding ``get_tenant_context``.
"""

from django import forms
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..core.pages import TenantDataPageMixin


def split_keys(value):
    return [key for key in (value or "").split(",") if key]


class DashboardPageForm(WagtailAdminPageForm):
    """Edits ``widget_keys`` (comma-separated text) as checkboxes of the registered widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..core.widgets import widget_choices

        if "widget_keys" in self.fields:
            old = self.fields["widget_keys"]
            self.fields["widget_keys"] = forms.MultipleChoiceField(
                label=old.label,
                help_text=old.help_text,
                required=False,
                choices=widget_choices(),
                widget=forms.CheckboxSelectMultiple,
            )
            self.initial["widget_keys"] = split_keys(self.instance.widget_keys)

    def clean_widget_keys(self):
        return ",".join(self.cleaned_data.get("widget_keys") or [])


class DashboardPage(TenantDataPageMixin, Page):
    greeting = models.CharField(
        _("greeting"),
        max_length=200,
        blank=True,
        help_text=_("Empty: “Good day, {name}”. Write {name} where the tenant's name belongs."),
    )
    intro = RichTextField(_("introduction"), blank=True)
    widget_keys = models.CharField(
        _("what to show"),
        max_length=500,
        blank=True,
        help_text=_("Choose the boxes tenants see on this page. None chosen: all of them."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("greeting"),
        FieldPanel("intro"),
        FieldPanel("widget_keys"),
    ]
    base_form_class = DashboardPageForm
    subpage_types = []
    max_count_per_parent = 1
    template = "wagtail_tenantportal/dashboard/pages/dashboard_page.html"

    class Meta:
        verbose_name = _("portal overview page")
        verbose_name_plural = _("portal overview pages")

    def greeting_for(self, name):
        """The greeting with ``name`` filled in."""
        text = self.greeting or gettext("Good day, {name}")
        return text.replace("{name}", name)

    def get_tenant_context(self, request):
        """Greeting name and widgets for a verified tenant (see ``services.dashboard_context``)."""
        from .services import dashboard_context  # late: models.py imports this module

        context = dashboard_context(request, split_keys(self.widget_keys) or None)
        context["greeting_text"] = self.greeting_for(context["tenant_name"])
        return context
