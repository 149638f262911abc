"""Staff admin of tickets: the inbox (filters, bulk status change and assignment, export), a
request's page (facts, photos, history, messages, internal notes, status, assignment), staff
filing a request for a tenant, routing rules, and the configuration snippets.

Listings run a fixed number of queries however many tickets there are: the columns' foreign
keys are joined, the "me too" count is a correlated subquery (``Ticket.objects.for_inbox``).
Every action and the reads of a request's page and the homepage panel call ``services``.
Permissions are Django's model permissions on ``Ticket`` (view, change, add).

Staff see, answer and change the requests of the companies they work for only
(``core.scope``): the inbox, its export and counts, a request's page and files, bulk
actions, the routing rules and the configuration of their companies. A request goes only
to colleagues who work for its company.
"""

import django_filters
from django import forms
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms import modelform_factory
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from ..admin.choosers import ScopedSnippetChooserViewSet
from ..admin.scoping import (
    SafeExportMixin,
    ScopedFilterViewMixin,
    ScopedFormViewMixin,
    ScopedViewSetMixin,
    restrict_choices,
)
from ..admin.utils import staff_users
from ..admin.viewsets import PortalIndexView, PortalModelViewSet
from ..core import scope
from ..core.phones import PhoneField
from ..tenancy.models import Company, Property
from . import services
from .forms import MultipleFileField, add_service_errors
from .models import (
    Channel,
    DamageCategory,
    DamageKind,
    DamageLocation,
    Priority,
    RoutingRule,
    Ticket,
    TicketMessage,
    TicketStatus,
    TicketType,
)
from .presentation import attachment_response

ADMIN_TEMPLATE_DIR = "wagtail_tenantportal/tickets/admin/"
#: Hook for panels below a request's staff page: ``fn(request, ticket)`` -> component or None.
TICKET_ADMIN_PANELS_HOOK = "tenantportal_ticket_admin_panels"
permission_policy = ModelPermissionPolicy(Ticket)


def ticket_admin_url(view, *args):
    return reverse(f"{TicketViewSet.name}:{view}", args=[quote(arg) for arg in args])


# -- inbox ----------------------------------------------------------------------------------------


class TicketFilterSet(WagtailFilterSet):
    status = django_filters.ModelChoiceFilter(label=_("Status"), queryset=TicketStatus.objects.all())
    open = django_filters.BooleanFilter(label=_("Open"), method="filter_open")
    ticket_type = django_filters.ModelChoiceFilter(label=_("Type"), queryset=TicketType.objects.all())
    company = django_filters.ModelChoiceFilter(label=_("Company"), queryset=Company.objects.all())
    property = django_filters.ModelChoiceFilter(label=_("Property"), queryset=Property.objects.all())
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assignee"), queryset=staff_users(), method="filter_assignee"
    )
    unassigned = django_filters.BooleanFilter(
        label=_("Unassigned"), field_name="assignee", lookup_expr="isnull"
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    urgent = django_filters.BooleanFilter(label=_("Emergency"), field_name="is_urgent")

    class Meta:
        model = Ticket
        fields = []

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__is_closed=not value)

    def filter_assignee(self, queryset, name, value):
        return queryset.filter(assignee=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__is_closed=False, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class SelectColumn(Column):
    """A check box per row, tied to the bulk form below the listing (works without JavaScript)."""

    cell_template_name = ADMIN_TEMPLATE_DIR + "select_cell.html"

    def __init__(self):
        super().__init__("select", label=_("Select"), width="1%")

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["ticket"] = instance
        return context


class StatusColumn(Column):
    cell_template_name = ADMIN_TEMPLATE_DIR + "status_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["ticket"] = instance
        return context


class TicketIndexView(PortalIndexView):
    template_name = ADMIN_TEMPLATE_DIR + "index.html"

    def get_base_queryset(self):
        return super().get_base_queryset().for_inbox()

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.search(self.search_query.strip())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_change"] = permission_policy.user_has_permission(user, "change")
        if context["can_change"]:
            context["bulk_url"] = ticket_admin_url("bulk")
            context["bulk_form"] = BulkForm(user=user)
        return context


class BulkForm(forms.Form):
    status = forms.ModelChoiceField(
        label=_("New status"), queryset=TicketStatus.objects.filter(active=True), required=False
    )
    comment = forms.CharField(
        label=_("Comment for the tenants"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=staff_users(), required=False, empty_label=_("nobody (unassign)")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Colleagues only; each request's company is checked again when it is assigned.
        self.fields["assignee"].queryset = restrict_choices(self.fields["assignee"].queryset, user)


class TicketBulkView(TemplateView):
    """POST: change status of or assign the selected tickets, then back to the inbox."""

    http_method_names = ["post"]

    def post(self, request):
        if not permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        index_url = ticket_admin_url("index")
        next_url = request.POST.get("next", "")
        back = HttpResponseRedirect(index_url + next_url if next_url.startswith("?") else index_url)
        ids = [value for value in request.POST.getlist("ticket") if value.isdigit()]
        tickets = services.tickets_by_ids(ids, request.user)
        if not tickets:
            messages.error(request, _("Select at least one request."))
            return back
        form = BulkForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("The bulk action could not be run. Please check your choice."))
            return back
        action = request.POST.get("action")
        if action == "status":
            status = form.cleaned_data["status"]
            if status is None:
                messages.error(request, _("Choose the new status."))
                return back
            try:
                changed, skipped = services.bulk_change_status(
                    tickets, status, user=request.user, comment=form.cleaned_data["comment"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return back
            messages.success(
                request,
                ngettext(
                    "Status of %(count)d request changed.",
                    "Status of %(count)d requests changed.",
                    len(changed),
                )
                % {"count": len(changed)},
            )
            if skipped:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d request could not move to this status: %(references)s",
                        "%(count)d requests could not move to this status: %(references)s",
                        len(skipped),
                    )
                    % {"count": len(skipped), "references": ", ".join(t.reference for t in skipped)},
                )
        elif action == "assign":
            try:
                count = services.bulk_assign(tickets, form.cleaned_data["assignee"], user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return back
            messages.success(
                request,
                ngettext("%(count)d request assigned.", "%(count)d requests assigned.", count)
                % {"count": count},
            )
        else:
            messages.error(request, _("Unknown action."))
        return back


# -- one ticket -------------------------------------------------------------------------------------


class StatusForm(forms.Form):
    status = forms.ModelChoiceField(label=_("New status"), queryset=TicketStatus.objects.none())
    comment = forms.CharField(
        label=_("Comment for the tenant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The tenant sees it in the history and in the email."),
    )

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [status.pk for status in services.allowed_statuses(ticket)]
        self.fields["status"].queryset = TicketStatus.objects.filter(pk__in=allowed)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=staff_users(), required=False, empty_label=_("nobody")
    )

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        # Only staff who work for the request's company.
        self.fields["assignee"].queryset = services.assignable_staff(ticket)


class StaffMessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    internal = forms.BooleanField(label=_("Internal note (the tenant never sees it)"), required=False)
    attachments = MultipleFileField(label=_("Photos or PDFs"))


class DetailsForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    due_date = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    external_id = forms.CharField(label=_("ERP id"), required=False, max_length=64)


class TicketDetailView(WagtailAdminTemplateMixin, TemplateView):
    """A request for staff: everything the tenant entered, photos, history, messages with
    internal notes, and the forms to change status, assignment, details and to reply."""

    template_name = ADMIN_TEMPLATE_DIR + "detail.html"
    header_icon = "mail"
    FORMS = {"status": StatusForm, "assign": AssignForm, "message": StaffMessageForm, "details": DetailsForm}

    def dispatch(self, request, pk):
        if not permission_policy.user_has_any_permission(request.user, ["view", "change"]):
            raise PermissionDenied
        self.ticket = services.staff_ticket(unquote(str(pk)), request.user)
        if self.ticket is None:
            raise Http404
        self.can_change = permission_policy.user_has_permission(request.user, "change")
        return super().dispatch(request, pk)

    def get_page_title(self):
        return self.ticket.reference

    def get_page_subtitle(self):
        return self.ticket.subject

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": ticket_admin_url("index"), "label": _("Requests")},
            {"url": "", "label": self.ticket.reference},
        ]

    def make_forms(self, data=None, files=None, bound=None):
        ticket = self.ticket
        forms_ = {
            "status": StatusForm(ticket=ticket, prefix="status"),
            "assign": AssignForm(prefix="assign", initial={"assignee": ticket.assignee_id}, ticket=ticket),
            "message": StaffMessageForm(prefix="message"),
            "details": DetailsForm(
                prefix="details",
                initial={
                    "priority": ticket.priority,
                    "due_date": ticket.due_date,
                    "external_id": ticket.external_id,
                },
            ),
        }
        if bound:
            kwargs = {"ticket": ticket} if bound in ("status", "assign") else {}
            forms_[bound] = self.FORMS[bound](data, files, prefix=bound, **kwargs)
        return forms_

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.ticket
        context.update(services.staff_ticket_detail(ticket))
        context.update(
            {
                "ticket": ticket,
                "can_change": self.can_change,
                "history_url": ticket_admin_url("history", ticket.pk),
                "forms": kwargs.get("forms") or self.make_forms(),
                "extra_panels": self.extra_panels(),
            }
        )
        return context

    def extra_panels(self):
        """Components other apps add below the request (hook ``TICKET_ADMIN_PANELS_HOOK``:
        ``fn(request, ticket)`` returns a component or None), e.g. the ERP sync state."""
        panels = (fn(self.request, self.ticket) for fn in hooks.get_hooks(TICKET_ADMIN_PANELS_HOOK))
        return [panel for panel in panels if panel is not None]

    def post(self, request, pk):
        if not self.can_change:
            raise PermissionDenied
        action = request.POST.get("action")
        if action not in self.FORMS:
            messages.error(request, _("Unknown action."))
            return HttpResponseRedirect(request.path)
        forms_ = self.make_forms(request.POST, request.FILES, bound=action)
        form = forms_[action]
        if form.is_valid():
            try:
                success = self.run(action, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, success)
                return HttpResponseRedirect(request.path)
        messages.error(request, _("Please check the form."))
        return self.render_to_response(self.get_context_data(forms=forms_))

    def run(self, action, data):
        ticket, user = self.ticket, self.request.user
        if action == "status":
            services.change_status(ticket, data["status"], user=user, comment=data["comment"])
            return _("Status changed. The tenant has been informed.")
        if action == "assign":
            services.assign(ticket, data["assignee"], user=user)
            return _("Assignment saved.")
        if action == "details":
            services.update_details(
                ticket,
                user=user,
                priority=data["priority"],
                due_date=data["due_date"],
                external_id=data["external_id"],
            )
            return _("Details saved.")
        services.post_message(
            ticket,
            user=user,
            body=data["body"],
            role=TicketMessage.Role.STAFF,
            internal=data["internal"],
            attachments=data["attachments"],
        )
        return (
            _("Internal note saved.") if data["internal"] else _("Reply sent. The tenant has been informed.")
        )


class TicketAttachmentView(TemplateView):
    """A ticket's file (or thumbnail) for staff who may see tickets; internal files included."""

    http_method_names = ["get"]

    def get(self, request, pk, thumbnail=False):
        if not permission_policy.user_has_any_permission(request.user, ["view", "change"]):
            raise PermissionDenied
        attachment = services.staff_attachment(pk, request.user)
        if attachment is None:
            raise Http404
        return attachment_response(attachment, thumbnail=thumbnail)


# -- staff files a request ----------------------------------------------------------------------------


class StaffTicketForm(forms.Form):
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.all())
    contract_number = forms.CharField(label=_("Contract number"), max_length=40)
    ticket_type = forms.ModelChoiceField(label=_("Type"), queryset=TicketType.objects.active())
    damage_kind = forms.ModelChoiceField(
        label=_("Damage kind"),
        queryset=DamageKind.objects.active().select_related("category__location"),
        required=False,
        help_text=_("For damage reports."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=services.SUBJECT_MAX_LENGTH, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    contact_phone = PhoneField(label=_("Phone"))
    access_permission = forms.ChoiceField(
        label=_("Access to the flat"),
        choices=[("", "---------")] + Ticket.AccessPermission.choices,
        required=False,
    )
    attachments = MultipleFileField(label=_("Photos or PDFs"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Companies, types and damage kinds of the user's companies (core.scope).
        for field in ("company", "ticket_type", "damage_kind"):
            self.fields[field].queryset = restrict_choices(self.fields[field].queryset, user)
        company = services.sole_company(user)
        if company is not None:
            self.fields["company"].initial = company.pk
        self.fields["damage_kind"].label_from_instance = lambda kind: f"{kind.category} – {kind.name}"

    def clean(self):
        data = super().clean()
        company, number = data.get("company"), (data.get("contract_number") or "").strip()
        if company and number:
            contract = services.contract_by_number(company, number)
            if contract is None:
                self.add_error("contract_number", _("No contract with this number exists at this company."))
            data["contract"] = contract
        return data


class TicketCreateView(WagtailAdminTemplateMixin, TemplateView):
    template_name = ADMIN_TEMPLATE_DIR + "create.html"
    header_icon = "plus"
    page_title = _("File a request for a tenant")

    def dispatch(self, request, *args, **kwargs):
        if not permission_policy.user_has_permission(request.user, "add"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": ticket_admin_url("index"), "label": _("Requests")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", StaffTicketForm(user=self.request.user))
        return context

    def post(self, request):
        form = StaffTicketForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.submit_ticket(
                    contract=data["contract"],
                    ticket_type=data["ticket_type"],
                    user=request.user,
                    channel=Channel.STAFF,
                    subject=data["subject"],
                    description=data["description"],
                    damage_kind=data["damage_kind"],
                    contact_phone=data["contact_phone"],
                    access_permission=data["access_permission"],
                    attachments=data["attachments"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Request %(reference)s filed.") % {"reference": ticket.reference})
                return HttpResponseRedirect(ticket_admin_url("detail", ticket.pk))
        return self.render_to_response(self.get_context_data(form=form))


# -- viewsets -------------------------------------------------------------------------------------------


class TicketViewSet(PortalModelViewSet):
    """The staff inbox of requests."""

    model = Ticket
    name = "tenantportal_tickets"
    url_prefix = "tenantportal/requests"
    icon = "mail"
    menu_label = _("Requests")
    index_view_class = TicketIndexView
    filterset_class = TicketFilterSet
    add_to_reference_index = False
    search_backend_name = None
    search_fields = ["reference", "subject"]
    list_per_page = 50
    ordering = ["-created_at", "-pk"]
    copy_view_enabled = False
    inspect_view_enabled = False
    list_export = [
        "reference",
        "created_at",
        "subject",
        "ticket_type",
        "status",
        "contract",
        "property",
        "assignee",
        "get_priority_display",
        "due_date",
        "supporter_total",
        "get_channel_display",
        "external_id",
    ]
    export_headings = {
        "get_priority_display": _("Priority"),
        "supporter_total": _("Tenants also affected"),
        "get_channel_display": _("Created via"),
    }

    @cached_property
    def list_display(self):
        return [
            SelectColumn(),
            TitleColumn(
                "reference",
                label=_("Reference"),
                get_url=lambda ticket: ticket_admin_url("detail", ticket.pk),
            ),
            Column("subject", label=_("Subject")),
            Column("ticket_type", label=_("Type"), accessor=lambda t: t.ticket_type.label),
            StatusColumn("status", label=_("Status")),
            Column("contract", label=_("Contract"), accessor=lambda t: t.contract.number),
            Column("property", label=_("Property")),
            Column("assignee", label=_("Assignee")),
            Column("priority", label=_("Priority"), accessor="get_priority_display"),
            DateColumn("created_at", label=_("Created"), sort_key="created_at"),
            Column("due_date", label=_("Due"), sort_key="due_date"),
            Column("supporter_total", label=_("Also affected"), sort_key="supporter_total"),
        ]

    # Staff work a request on its own page ("detail"), which stands in for edit.
    without_views = ("delete", "usage", "inspect", "copy")
    inspect_view_enabled = False
    # The ids of the file URLs are a file's: checked against the files of the user's requests.
    object_querysets = {"attachment": "get_attachment_queryset", "thumbnail": "get_attachment_queryset"}

    def get_attachment_queryset(self, request):
        return services.staff_attachments(request.user)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"edit_url_name": self.get_url_name("detail"), **kwargs})

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", TicketCreateView.as_view(), name="add"),
            path("<int:pk>/", TicketDetailView.as_view(), name="detail"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("bulk/", TicketBulkView.as_view(), name="bulk"),
            path("files/<int:pk>/", TicketAttachmentView.as_view(), name="attachment"),
            path(
                "files/<int:pk>/thumbnail/",
                TicketAttachmentView.as_view(),
                {"thumbnail": True},
                name="thumbnail",
            ),
        ]


class RoutingRuleForm(forms.ModelForm):
    """A rule's assignee must work for the rule's company."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_users()

    def clean(self):
        data = super().clean()
        company, assignee = data.get("company"), data.get("assignee")
        if company is not None and assignee is not None and not scope.allows(assignee, company.pk):
            self.add_error(
                "assignee",
                _("%(user)s does not work for %(company)s.") % {"user": assignee, "company": company},
            )
        return data


class RoutingRuleViewSet(PortalModelViewSet):
    model = RoutingRule
    name = "tenantportal_routing_rules"
    url_prefix = "tenantportal/routing-rules"
    icon = "resubmit"
    menu_label = _("Routing rules")
    add_to_reference_index = False
    copy_view_enabled = False
    list_display = ["__str__", "company", "ticket_type", "property", "assignee", "sort_order", "active"]
    list_filter = ["company", "ticket_type", "active"]
    form_fields = ["company", "ticket_type", "property", "assignee", "sort_order", "active"]
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return modelform_factory(
            RoutingRule,
            form=RoutingRuleForm,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.form_fields,
        )


class ScopedSnippetIndexView(ScopedFilterViewMixin, SafeExportMixin, snippet_views.IndexView):
    pass


class ScopedSnippetCreateView(ScopedFormViewMixin, snippet_views.CreateView):
    pass


class ScopedSnippetEditView(ScopedFormViewMixin, snippet_views.EditView):
    pass


class ConfigSnippetViewSet(ScopedViewSetMixin, SnippetViewSet):
    """Configuration snippets listed in the "Tenant portal" menu instead of "Snippets".

    Scoped like every viewset of the portal: staff see the rows of their companies and those
    shared by all companies, and change only their companies' rows (``core.scope``).
    """

    add_to_admin_menu = False
    menu_item_is_registered = True
    copy_view_enabled = False
    index_view_class = ScopedSnippetIndexView
    add_view_class = ScopedSnippetCreateView
    edit_view_class = ScopedSnippetEditView
    chooser_viewset_class = ScopedSnippetChooserViewSet


class TicketTypeViewSet(ConfigSnippetViewSet):
    model = TicketType
    icon = "form"
    menu_label = _("Request types")
    list_display = ["label", "code", "kind", "company", "active"]
    list_filter = ["kind", "active"]
    sort_order_field = "sort_order"


class TicketStatusViewSet(ConfigSnippetViewSet):
    model = TicketStatus
    icon = "tasks"
    menu_label = _("Request statuses")
    list_display = ["label", "code", "is_initial", "is_closed", "awaiting_tenant", "active"]
    sort_order_field = "sort_order"


class DamageLocationViewSet(ConfigSnippetViewSet):
    model = DamageLocation
    icon = "home"
    menu_label = _("Damage locations")
    list_display = ["name", "company", "is_shared_area", "active"]
    list_filter = ["is_shared_area", "active"]
    sort_order_field = "sort_order"


class DamageCategoryViewSet(ConfigSnippetViewSet):
    model = DamageCategory
    icon = "folder-open-inverse"
    menu_label = _("Damage categories")
    list_display = ["name", "location", "active"]
    list_filter = ["location", "active"]
    sort_order_field = "sort_order"


class DamageKindViewSet(ConfigSnippetViewSet):
    model = DamageKind
    icon = "warning"
    menu_label = _("Damage kinds")
    list_display = ["name", "category", "urgency", "active"]
    list_filter = ["category__location", "urgency", "active"]
    sort_order_field = "sort_order"


SNIPPET_VIEWSETS = (
    TicketTypeViewSet,
    TicketStatusViewSet,
    DamageLocationViewSet,
    DamageCategoryViewSet,
    DamageKindViewSet,
)


# -- homepage panel ------------------------------------------------------------------------------------


class TicketSummaryPanel(Component):
    """Dashboard panel: open and overdue requests, all and assigned to the viewer (one query)."""

    name = "tenantportal_tickets"
    order = 90
    template_name = ADMIN_TEMPLATE_DIR + "homepage_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        counts = services.inbox_counts(self.user)  # of the user's companies
        index = ticket_admin_url("index")
        return {
            "counts": counts,
            "open_url": f"{index}?open=true",
            "overdue_url": f"{index}?overdue=true",
            "open_mine_url": f"{index}?open=true&assignee={self.user.pk}",
            "overdue_mine_url": f"{index}?overdue=true&assignee={self.user.pk}",
            "urgent_url": f"{index}?open=true&urgent=true",
        }


def show_panel(user):
    return permission_policy.user_has_any_permission(user, ["view", "change"])
