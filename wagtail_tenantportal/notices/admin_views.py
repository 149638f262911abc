"""Staff admin of the notice board: a viewset in the "Tenant portal" menu group.

Create, edit, delete, history (audit log) and a listing with filters by company, category
and state (visible now, scheduled, expired). New notices go through ``services.publish``;
an edit that makes a notice important mails it (``services.notice_changed``).
The property choice is limited to the notice's company when it is known (editing, or a
``?company=`` link) and checked against the company on saving either way.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column

from ..admin.utils import count_subquery, field_label
from ..admin.viewsets import NextUrlEditView, PortalModelViewSet, PrefillCreateView
from ..tenancy.models import Company, Property
from . import services
from .models import Notice, NoticeRead


class NoticeForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        company_id = self.instance.company_id if self.instance.pk else None
        company_id = company_id or self.initial.get("company") or self.data.get("company")
        field = self.fields["properties"]
        queryset = Property.objects.select_related("company").order_by("company__name", "street")
        try:
            company_id = int(company_id) if company_id else None
        except (TypeError, ValueError):
            company_id = None
        if company_id:
            field.queryset = queryset.filter(company_id=company_id)
            field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
            field.label_from_instance = lambda p: str(p)
        else:
            field.queryset = queryset
            field.label_from_instance = lambda p: f"{p.company.display_name}: {p}"
            field.help_text = _(
                "Empty: all properties of the company. Choose the company first and save, or open "
                "“Add notice” from a company, to see only its properties."
            )

    def clean(self):
        data = super().clean()
        company = data.get("company")
        properties = data.get("properties") or []
        if company is not None and properties:
            try:
                services.check_properties(company, properties)
            except forms.ValidationError as exc:
                self.add_error("properties", exc)
        start, end = data.get("visible_from"), data.get("visible_until")
        if start and end and end <= start:
            self.add_error("visible_until", _("The end must be after the start."))
        return data


class NoticeCreateView(PrefillCreateView):
    def save_instance(self):
        notice = self.form.save(commit=False)
        return services.publish(
            notice,
            properties=self.form.cleaned_data.get("properties"),
            user=self.request.user,
            request=self.request,
        )


class NoticeEditView(NextUrlEditView):
    """Saving as usual; a notice switched to important is mailed to its tenants."""

    def save_instance(self):
        # As stored, before this save (the viewset's queryset: the notices staff may edit).
        was_important = self.get_queryset().filter(pk=self.object.pk, important=True).exists()
        instance = super().save_instance()
        services.notice_changed(
            instance, was_important=was_important, request=self.request, user=self.request.user
        )
        return instance


def _state_filter(queryset, name, value):
    now = timezone.now()
    if value == "current":
        return queryset.current(now)
    if value == "scheduled":
        return queryset.filter(visible_from__gt=now)
    if value == "expired":
        return queryset.filter(visible_until__lte=now)
    return queryset


class NoticeFilterSet(WagtailFilterSet):
    company = django_filters.ModelChoiceFilter(label=_("Company"), queryset=Company.objects.all())
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Notice.Category.choices)
    important = django_filters.BooleanFilter(label=_("Important"))
    state = django_filters.ChoiceFilter(
        label=_("State"),
        method=_state_filter,
        choices=[("current", _("Visible")), ("scheduled", _("Scheduled")), ("expired", _("Expired"))],
    )

    class Meta:
        model = Notice
        fields = ["company", "category", "important"]


def _targets(notice):
    names = [str(p) for p in notice.properties.all()]
    return ", ".join(names) if names else _("All properties")


class NoticeViewSet(PortalModelViewSet):
    model = Notice
    name = "tenantportal_notice"
    url_prefix = "tenantportal/notices"
    icon = "pick"
    menu_label = _("Notice board")
    add_view_class = NoticeCreateView
    edit_view_class = NoticeEditView
    filterset_class = NoticeFilterSet
    inspect_view_enabled = False
    ordering = "-visible_from"
    prefill_fields = ("company", "category")
    list_display = [
        "title",
        "category",
        BooleanColumn("important", label=field_label(Notice, "important")),
        Column("targets", label=_("For"), accessor=_targets),
        "visible_from",
        "visible_until",
        Column("state", label=_("State"), accessor="get_state_display"),
        Column("read_count", label=_("Read by"), sort_key="read_count"),
        "company",
    ]
    search_fields = ["title"]
    list_export = [
        "title",
        "get_category_display",
        "important",
        "company",
        "targets",
        "visible_from",
        "visible_until",
        "state",
        "read_count",
        "created_at",
        "created_by",
    ]
    export_headings = {
        "get_category_display": field_label(Notice, "category"),
        "targets": _("For"),
        "state": _("State"),
        "read_count": _("Read by"),
    }
    export_getters = {"targets": lambda n: str(_targets(n)), "state": lambda n: str(n.get_state_display())}
    edit_handler = ObjectList(
        [
            FieldPanel("company"),
            FieldPanel("properties"),
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("category"), FieldPanel("important")]),
            FieldPanel("body"),
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel("visible_from"), FieldPanel("visible_until")])],
                heading=_("Time on the notice board"),
            ),
        ],
        base_form_class=NoticeForm,
    )

    def get_listing_queryset(self, queryset):
        return (
            queryset.select_related("company")
            .prefetch_related("properties")
            .annotate(read_count=count_subquery(NoticeRead, "notice"))
        )

    def get_extra_search(self, query):
        return Q(properties__street__icontains=query) | Q(properties__name__icontains=query)

    without_views = ("inspect", "copy")


def menu_viewsets():
    return [NoticeViewSet()]
