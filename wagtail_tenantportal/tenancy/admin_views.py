"""Staff admin of the master data: Wagtail viewsets, choosers and the import upload.

Listings run a fixed number of queries however many rows a page shows: every foreign key a
column prints is fetched with ``select_related``, lists (the parties of a contract) with one
``prefetch_related`` query, and counts are correlated subqueries annotated on the listing
query (``get_listing_queryset`` of each viewset). Searches use the database directly
(``search_backend_name = None``) because imports write in bulk and bypass the search index.

The viewsets are wired into the "Tenant portal" menu group in ``wagtail_hooks.py``.

Other sub-apps build their admin on the generic parts here: ``TenancyModelViewSet`` (with
``TenancyIndexView``, ``TenancyInspectView`` and ``InspectSection``), ``field_label``,
``count_subquery`` and ``staff_users``. Keep their signatures stable.
"""

from collections import OrderedDict
from dataclasses import dataclass, field

from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    ProtectedError,
    Q,
    RestrictedError,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    HelpPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.ui.tables import BooleanColumn, Column, Table, TitleColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.coreutils import multigetattr

from ..core.conf import portal_settings
from . import models as m
from .forms import (
    ContactResponsibilityForm,
    ContractPartyForm,
    ImportUploadForm,
    OrmSearchFilterForm,
)
from .services import import_master_data

#: Permission that allows uploading master data (a default permission: no migration needed).
IMPORT_PERMISSION = "tenantportal_tenancy.add_importrun"

#: Import entity name -> model, in import order (labels come from the models' verbose names).
ENTITY_MODELS = OrderedDict(
    [
        ("companies", m.Company),
        ("properties", m.Property),
        ("units", m.Unit),
        ("parties", m.Party),
        ("contracts", m.Contract),
        ("contract_parties", m.ContractParty),
        ("rent_components", m.RentComponent),
    ]
)

#: Outcome counters of an import, in table order (see ``importer.EntityCounts``).
COUNT_NAMES = ("created", "updated", "unchanged", "rejected", "ended", "removed")

#: Rejected rows shown on a page (the import run keeps more, the command prints all).
MAX_ERRORS_SHOWN = 200


def admin_url(model, view, *args):
    """URL of ``view`` ("index", "add", "edit", "inspect", ...) in the tenancy viewset of ``model``."""
    return reverse(f"tenantportal_{model._meta.model_name}:{view}", args=[quote(a) for a in args])


def count_subquery(model, fk):
    """Number of ``model`` rows whose ``fk`` points at the outer row, 0 when there are none.

    A correlated subquery rather than a join, so several counts on one listing neither
    multiply each other nor add queries per row.
    """
    rows = (
        model._default_manager.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def field_label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def display_headings(model, *names):
    """Export headings for ``get_<name>_display`` columns: the field's verbose name."""
    return {f"get_{name}_display": field_label(model, name) for name in names}


def staff_users():
    """Active users who may use the Wagtail admin (candidates for a contact person's account)."""
    access = Q(
        groups__permissions__codename="access_admin",
        groups__permissions__content_type__app_label="wagtailadmin",
    )
    direct = Q(
        user_permissions__codename="access_admin", user_permissions__content_type__app_label="wagtailadmin"
    )
    User = get_user_model()
    ids = User._default_manager.filter(Q(is_superuser=True) | access | direct).values("pk")
    return User._default_manager.filter(is_active=True, pk__in=ids)


# --- Generic views ---------------------------------------------------------------------------


class TenancyIndexView(IndexView):
    """IndexView whose queryset the viewset shapes (joins, prefetches, counts)."""

    #: Callable ``(queryset) -> queryset`` supplied by the viewset.
    listing_queryset = None
    #: Callable ``(query) -> Q`` adding conditions to the search (e.g. through a subquery).
    extra_search = None
    #: Export column name -> callable ``(obj) -> value`` for values that are not attributes.
    export_getters = {}

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        return self.listing_queryset(queryset) if self.listing_queryset else queryset

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        condition = Q()
        for name in self.search_fields or []:
            condition |= Q(**{f"{name}__icontains": self.search_query})
        if self.extra_search:
            condition |= self.extra_search(self.search_query)
        return queryset.filter(condition)

    def to_row_dict(self, item):
        return OrderedDict(
            (
                name,
                self.export_getters[name](item) if name in self.export_getters else multigetattr(item, name),
            )
            for name in self.list_export
        )


@dataclass
class InspectSection:
    """A table below the fields of an inspect view, with optional action links."""

    heading: str
    table: Table
    empty_message: str = ""
    actions: list = field(default_factory=list)  # [(label, url)]


class TenancyInspectView(InspectView):
    template_name = "wagtail_tenantportal/admin/inspect.html"
    #: Callable ``(queryset) -> queryset`` for the object (select_related of shown keys).
    object_queryset = None
    #: Callable ``(obj) -> [InspectSection]`` supplied by the viewset.
    get_sections = None

    def get_object(self, queryset=None):
        queryset = self.model._default_manager.all()
        if self.object_queryset:
            queryset = self.object_queryset(queryset)
        return get_object_or_404(queryset, pk=unquote(str(self.pk)))

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if value is None:
            return ""
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value

    def get_iban_display_value(self):
        # Grouped in fours, as printed on letters.
        return self.object.iban_display

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["inspect_sections"] = self.get_sections(self.object) if self.get_sections else []
        return context


def _with_next(url, request):
    """``url`` carrying the request's safe ``next`` parameter along (so the form posts it)."""
    next_url = get_valid_next_url_from_request(request)
    if not next_url:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'next': next_url})}"


class PrefillCreateView(CreateView):
    """Create view taking initial values from the query string (``?contract=12``).

    With a ``next`` parameter (a safe admin URL) it returns there after saving, e.g. to the
    contract whose "Add contract party" link was followed.
    """

    prefill_fields = ()

    def get_initial(self):
        initial = super().get_initial()
        for name in self.prefill_fields:
            if value := self.request.GET.get(name):
                initial[name] = value
        return initial

    def get_add_url(self):
        return _with_next(super().get_add_url(), self.request)

    def get_success_url(self):
        return get_valid_next_url_from_request(self.request) or super().get_success_url()


class NextUrlEditView(EditView):
    """Edit view returning to a safe ``next`` URL after saving (see ``PrefillCreateView``)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = _with_next(context["action_url"], self.request)
        return context

    def get_success_url(self):
        return get_valid_next_url_from_request(self.request) or super().get_success_url()


class ProtectedDeleteView(DeleteView):
    """Delete view that explains, instead of failing, when other records still refer to the object.

    Imports write in bulk and bypass Wagtail's reference index, so the index cannot be relied
    on to forbid the deletion beforehand; the database's PROTECT constraints are the judge.
    """

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except (ProtectedError, RestrictedError) as exc:
            blocking = list(
                exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
            )
            messages.error(
                self.request,
                ngettext(
                    "“%(object)s” cannot be deleted: %(count)d record still refers to it, e.g. %(examples)s.",
                    "“%(object)s” cannot be deleted: %(count)d records still refer to it, e.g. %(examples)s.",
                    len(blocking),
                )
                % {
                    "object": self.object,
                    "count": len(blocking),
                    "examples": ", ".join(str(obj) for obj in blocking[:3]),
                },
            )
            return redirect(self.get_delete_url())


class WithoutViewsMixin:
    """For a viewset that leaves out some of ``ModelViewSet``'s generic views: name them in
    ``without_views`` (e.g. ``("add", "edit", "delete")``) and no listing, header or inspect
    page renders a link to them. (The viewset's ``get_urlpatterns`` leaves them out.)"""

    without_views = ()

    def get_common_view_kwargs(self, **kwargs):
        missing = {f"{name}_url_name": None for name in self.without_views}
        return super().get_common_view_kwargs(**{**missing, **kwargs})


class TenancyModelViewSet(WithoutViewsMixin, ModelViewSet):
    """Defaults shared by the master-data viewsets."""

    index_view_class = TenancyIndexView
    inspect_view_class = TenancyInspectView
    add_view_class = PrefillCreateView
    edit_view_class = NextUrlEditView
    delete_view_class = ProtectedDeleteView
    # Imported rows never pass through the reference index (bulk writes), so it would be
    # incomplete; it is kept only where images are referenced (logo, photo).
    add_to_reference_index = False
    inspect_template_name = "wagtail_tenantportal/admin/inspect.html"
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50
    export_getters = {}
    prefill_fields = ()

    def get_listing_queryset(self, queryset):
        """Shape the listing (and export) queryset: joins and counts for the shown columns."""
        return queryset

    def get_object_queryset(self, queryset):
        """Shape the queryset the inspect view fetches its object from."""
        return queryset

    #: Method ``(query) -> Q`` adding search conditions, or None.
    get_extra_search = None

    def get_inspect_sections(self, obj):
        return []

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            listing_queryset=self.get_listing_queryset,
            extra_search=self.get_extra_search,
            export_getters=self.export_getters,
            **kwargs,
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            object_queryset=self.get_object_queryset, get_sections=self.get_inspect_sections, **kwargs
        )

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(prefill_fields=self.prefill_fields, **kwargs)


def link_column(name, label, model, accessor=None, pk_accessor=None, view="inspect", next_url=None):
    """Title-style column linking to ``view`` of the row's ``model`` object.

    With ``next_url`` the linked form returns there after saving.
    """

    def get_url(obj):
        pk = multigetattr(obj, pk_accessor) if pk_accessor else obj.pk
        if pk is None:
            return None
        url = admin_url(model, view, pk)
        return f"{url}?{urlencode({'next': next_url})}" if next_url else url

    return TitleColumn(name, label=label, accessor=accessor or name, get_url=get_url)


def add_link(label, model, next_url, **initial):
    """An "Add" action: the create view of ``model`` prefilled with ``initial``, returning to ``next_url``."""
    return (label, f"{admin_url(model, 'add')}?{urlencode({**initial, 'next': next_url})}")


# --- Master data ---------------------------------------------------------------------------


class CompanyViewSet(TenancyModelViewSet):
    model = m.Company
    name = "tenantportal_company"
    url_prefix = "tenantportal/companies"
    icon = "site"
    add_to_reference_index = True  # logo
    ordering = "name"
    list_display = [
        "name",
        "city",
        Column("property_count", label=_("Properties"), sort_key="property_count"),
        Column("unit_count", label=_("Units"), sort_key="unit_count"),
        Column("contract_count", label=_("Contracts"), sort_key="contract_count"),
        BooleanColumn("portal_enabled", label=_("Portal enabled")),
        "two_factor_policy",
    ]
    list_filter = ["portal_enabled", "registration_flow", "two_factor_policy", "has_savings_scheme"]
    search_fields = ["name", "short_name", "city", "erp_id"]
    list_export = [
        "erp_id",
        "name",
        "legal_form",
        "short_name",
        "street",
        "postal_code",
        "city",
        "phone",
        "email",
        "website",
        "portal_enabled",
        "get_registration_flow_display",
        "get_two_factor_policy_display",
        "property_count",
        "unit_count",
        "contract_count",
    ]
    export_headings = {
        **display_headings(m.Company, "registration_flow", "two_factor_policy"),
        "property_count": _("Properties"),
        "unit_count": _("Units"),
        "contract_count": _("Contracts"),
    }
    inspect_view_fields = [
        "name",
        "legal_form",
        "short_name",
        "slug",
        "erp_id",
        "street",
        "address_addition",
        "postal_code",
        "city",
        "country",
        "phone",
        "fax",
        "email",
        "website",
        "opening_hours",
        "emergency_phone",
        "logo",
        "sender_line",
        "management_board",
        "supervisory_board_chair",
        "register_court",
        "register_number",
        "tax_number",
        "bank_name",
        "iban",
        "bic",
        "portal_name",
        "portal_enabled",
        "registration_flow",
        "two_factor_policy",
        "has_savings_scheme",
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldRowPanel([FieldPanel("legal_form"), FieldPanel("short_name")]),
                    FieldRowPanel([FieldPanel("slug"), FieldPanel("erp_id")]),
                    MultiFieldPanel(
                        [
                            FieldPanel("street"),
                            FieldPanel("address_addition"),
                            FieldRowPanel(
                                [FieldPanel("postal_code"), FieldPanel("city"), FieldPanel("country")]
                            ),
                        ],
                        heading=_("Address"),
                    ),
                ],
                heading=_("Master data"),
            ),
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("phone"), FieldPanel("fax")]),
                    FieldRowPanel([FieldPanel("email"), FieldPanel("website")]),
                    FieldPanel("opening_hours"),
                    FieldPanel("emergency_phone"),
                ],
                heading=_("Contact channels"),
            ),
            ObjectList(
                [
                    FieldPanel("logo"),
                    FieldPanel("sender_line"),
                    MultiFieldPanel(
                        [
                            FieldPanel("management_board"),
                            FieldPanel("supervisory_board_chair"),
                            FieldRowPanel([FieldPanel("register_court"), FieldPanel("register_number")]),
                            FieldPanel("tax_number"),
                        ],
                        heading=_("Legal details"),
                    ),
                    MultiFieldPanel(
                        [FieldPanel("bank_name"), FieldRowPanel([FieldPanel("iban"), FieldPanel("bic")])],
                        heading=_("Bank account"),
                    ),
                ],
                heading=_("Letterhead"),
            ),
            ObjectList(
                [
                    FieldPanel("portal_enabled"),
                    FieldPanel("portal_name"),
                    FieldPanel("registration_flow"),
                    FieldPanel("two_factor_policy"),
                    FieldPanel("has_savings_scheme"),
                ],
                heading=_("Portal options"),
            ),
        ],
    )

    def get_listing_queryset(self, queryset):
        return queryset.annotate(
            property_count=count_subquery(m.Property, "company"),
            unit_count=count_subquery(m.Unit, "company"),
            contract_count=count_subquery(m.Contract, "company"),
        )

    def get_object_queryset(self, queryset):
        return queryset.select_related("logo")

    def get_inspect_sections(self, company):
        persons = list(company.contact_persons.select_related("user").order_by("name"))
        columns = [
            link_column("name", _("Name"), m.ContactPerson),
            Column("position", label=field_label(m.ContactPerson, "position")),
            Column("email", label=field_label(m.ContactPerson, "email")),
            Column("phone", label=field_label(m.ContactPerson, "phone")),
            BooleanColumn("active", label=field_label(m.ContactPerson, "active")),
        ]
        next_url = admin_url(m.Company, "inspect", company.pk)
        return [
            InspectSection(
                heading=_("Contact persons"),
                table=Table(columns, persons),
                empty_message=_("No contact persons yet."),
                actions=[add_link(_("Add contact person"), m.ContactPerson, next_url, company=company.pk)],
            )
        ]


address_panel = MultiFieldPanel(
    [
        FieldPanel("street"),
        FieldPanel("address_addition"),
        FieldRowPanel([FieldPanel("postal_code"), FieldPanel("city"), FieldPanel("country")]),
    ],
    heading=_("Address"),
)


class PropertyViewSet(TenancyModelViewSet):
    model = m.Property
    name = "tenantportal_property"
    url_prefix = "tenantportal/properties"
    icon = "home"
    list_display = [
        "street",
        "name",
        "postal_code",
        "city",
        "company",
        "erp_id",
        Column("unit_count", label=_("Units"), sort_key="unit_count"),
    ]
    list_filter = {"company": ["exact"], "city": ["icontains"]}
    search_fields = ["name", "street", "postal_code", "city", "erp_id"]
    list_export = [
        "erp_id",
        "company",
        "name",
        "street",
        "address_addition",
        "postal_code",
        "city",
        "year_built",
        "unit_count",
    ]
    export_headings = {"unit_count": _("Units")}
    inspect_view_fields = [
        "company",
        "erp_id",
        "name",
        "street",
        "address_addition",
        "postal_code",
        "city",
        "country",
        "year_built",
        "imported_at",
    ]
    panels = [
        FieldRowPanel([FieldPanel("company"), FieldPanel("erp_id")]),
        FieldPanel("name"),
        address_panel,
        FieldPanel("year_built"),
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company").annotate(unit_count=count_subquery(m.Unit, "property"))

    def get_object_queryset(self, queryset):
        return queryset.select_related("company")

    def get_inspect_sections(self, prop):
        units = list(
            prop.units.annotate(contract_count=count_subquery(m.Contract, "unit")).order_by("number")
        )
        columns = [
            link_column("number", field_label(m.Unit, "number"), m.Unit),
            Column("kind", label=field_label(m.Unit, "kind"), accessor="get_kind_display"),
            Column("floor", label=field_label(m.Unit, "floor")),
            Column("rooms", label=field_label(m.Unit, "rooms")),
            Column("living_area", label=field_label(m.Unit, "living_area")),
            Column("contract_count", label=_("Contracts")),
        ]
        next_url = admin_url(m.Property, "inspect", prop.pk)
        return [
            InspectSection(
                heading=_("Units"),
                table=Table(columns, units),
                empty_message=_("No units yet."),
                actions=[
                    add_link(_("Add unit"), m.Unit, next_url, company=prop.company_id, property=prop.pk)
                ],
            )
        ]


class UnitViewSet(TenancyModelViewSet):
    model = m.Unit
    name = "tenantportal_unit"
    url_prefix = "tenantportal/units"
    icon = "key"
    prefill_fields = ("company", "property")
    list_display = ["number", "kind", "property", "floor", "rooms", "living_area", "company", "erp_id"]
    list_filter = ["company", "kind"]
    search_fields = ["number", "erp_id", "floor", "property__name", "property__street", "property__city"]
    list_export = [
        "erp_id",
        "company",
        "property",
        "get_kind_display",
        "number",
        "floor",
        "rooms",
        "living_area",
    ]
    export_headings = display_headings(m.Unit, "kind")
    inspect_view_fields = [
        "company",
        "property",
        "kind",
        "number",
        "erp_id",
        "floor",
        "rooms",
        "living_area",
        "imported_at",
    ]
    panels = [
        FieldRowPanel([FieldPanel("company"), FieldPanel("property")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("number"), FieldPanel("erp_id")]),
        FieldRowPanel([FieldPanel("floor"), FieldPanel("rooms"), FieldPanel("living_area")]),
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "property")

    def get_object_queryset(self, queryset):
        return queryset.select_related("company", "property")

    def get_inspect_sections(self, unit):
        contracts = list(
            unit.contracts.prefetch_related(contract_parties_prefetch()).order_by("-start_date", "number")
        )
        return [
            InspectSection(
                heading=_("Contracts"),
                table=Table(contract_columns(), contracts),
                empty_message=_("No contracts for this unit."),
            )
        ]


class PartyViewSet(TenancyModelViewSet):
    model = m.Party
    name = "tenantportal_party"
    url_prefix = "tenantportal/parties"
    icon = "group"
    list_display = [
        "last_name",
        "first_name",
        "kind",
        "city",
        "email",
        "company",
        "erp_id",
        Column("contract_count", label=_("Contracts"), sort_key="contract_count"),
    ]
    list_filter = ["company", "kind"]
    search_fields = ["last_name", "first_name", "name_addition", "erp_id", "email", "street", "city"]
    list_export = [
        "erp_id",
        "company",
        "get_kind_display",
        "get_salutation_display",
        "title",
        "first_name",
        "last_name",
        "name_addition",
        "street",
        "address_addition",
        "postal_code",
        "city",
        "email",
        "phone",
        "mobile",
        "contract_count",
    ]
    export_headings = {**display_headings(m.Party, "kind", "salutation"), "contract_count": _("Contracts")}
    inspect_view_fields = [
        "company",
        "erp_id",
        "kind",
        "salutation",
        "title",
        "first_name",
        "last_name",
        "name_addition",
        "birth_date",
        "street",
        "address_addition",
        "postal_code",
        "city",
        "country",
        "email",
        "phone",
        "mobile",
        "phone_work",
        "imported_at",
    ]
    panels = [
        FieldRowPanel([FieldPanel("company"), FieldPanel("erp_id"), FieldPanel("kind")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("salutation"), FieldPanel("title")]),
                FieldRowPanel([FieldPanel("first_name"), FieldPanel("last_name")]),
                FieldPanel("name_addition"),
                FieldPanel("birth_date"),
            ],
            heading=_("Name"),
        ),
        address_panel,
        MultiFieldPanel(
            [
                FieldPanel("email"),
                FieldRowPanel([FieldPanel("phone"), FieldPanel("mobile"), FieldPanel("phone_work")]),
            ],
            heading=_("Contact channels"),
        ),
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company").annotate(
            contract_count=count_subquery(m.ContractParty, "party")
        )

    def get_object_queryset(self, queryset):
        return queryset.select_related("company")

    def get_inspect_sections(self, party):
        links = list(
            party.contract_parties.select_related("contract__unit__property").order_by(
                "-contract__start_date"
            )
        )
        columns = [
            link_column(
                "contract", field_label(m.ContractParty, "contract"), m.Contract, pk_accessor="contract_id"
            ),
            Column("role", label=field_label(m.ContractParty, "role"), accessor="get_role_display"),
            Column("unit", label=field_label(m.Contract, "unit"), accessor="contract.unit"),
            Column("property", label=field_label(m.Unit, "property"), accessor="contract.unit.property"),
            Column("status", label=field_label(m.Contract, "status"), accessor="contract.get_status_display"),
            Column("start_date", label=field_label(m.Contract, "start_date"), accessor="contract.start_date"),
            Column("end_date", label=field_label(m.Contract, "end_date"), accessor="contract.end_date"),
        ]
        return [
            InspectSection(
                heading=_("Contracts"),
                table=Table(columns, links),
                empty_message=_("This party is not named on any contract."),
            )
        ]


def contract_parties_prefetch():
    return Prefetch(
        "contract_parties",
        queryset=m.ContractParty.objects.select_related("party").order_by("role", "pk"),
    )


def contract_party_names(contract):
    """Names of the parties of a contract; uses the prefetched ``contract_parties``."""
    return ", ".join(str(link.party) for link in contract.contract_parties.all())


def contract_columns():
    return [
        link_column("number", field_label(m.Contract, "number"), m.Contract),
        Column("parties", label=_("Contract parties"), accessor=contract_party_names),
        Column("kind", label=field_label(m.Contract, "kind"), accessor="get_kind_display"),
        Column("status", label=field_label(m.Contract, "status"), accessor="get_status_display"),
        Column("start_date", label=field_label(m.Contract, "start_date")),
        Column("end_date", label=field_label(m.Contract, "end_date")),
    ]


class ContractViewSet(TenancyModelViewSet):
    model = m.Contract
    name = "tenantportal_contract"
    url_prefix = "tenantportal/contracts"
    icon = "doc-full"
    list_display = [
        "number",
        Column("parties", label=_("Contract parties"), accessor=contract_party_names),
        "kind",
        "status",
        "unit",
        Column(
            "property",
            label=field_label(m.Unit, "property"),
            accessor="unit.property",
            sort_key="unit__property",
        ),
        "start_date",
        "end_date",
        "company",
    ]
    list_filter = ["company", "kind", "status"]
    search_fields = ["number", "unit__number", "unit__property__street", "unit__property__city"]
    list_export = [
        "number",
        "company",
        "get_kind_display",
        "get_status_display",
        "unit",
        "unit.property",
        "start_date",
        "end_date",
        "party_names",
    ]
    export_headings = {
        **display_headings(m.Contract, "kind", "status"),
        "unit.property": field_label(m.Unit, "property"),
        "party_names": _("Contract parties"),
    }
    export_getters = {"party_names": contract_party_names}
    inspect_view_fields = [
        "number",
        "company",
        "kind",
        "status",
        "unit",
        "start_date",
        "end_date",
        "account_holder",
        "iban",
        "bic",
        "sepa_mandate_reference",
        "imported_at",
        "ended_by_import_at",
    ]
    panels = [
        FieldRowPanel([FieldPanel("company"), FieldPanel("number")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("status")]),
        FieldPanel("unit"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        MultiFieldPanel(
            [
                FieldPanel("account_holder"),
                FieldRowPanel([FieldPanel("iban"), FieldPanel("bic")]),
                FieldPanel("sepa_mandate_reference"),
            ],
            heading=_("Direct debit"),
        ),
        HelpPanel(
            content=_(
                "Contract parties and rent components are shown on the contract's inspect page "
                "and can be added and changed there."
            )
        ),
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "unit__property").prefetch_related(
            contract_parties_prefetch()
        )

    def get_extra_search(self, query):
        # Party names through a subquery: a join would repeat contracts with several parties.
        matching = m.ContractParty.objects.filter(
            Q(party__last_name__icontains=query) | Q(party__first_name__icontains=query)
        ).values("contract_id")
        return Q(pk__in=matching)

    def get_object_queryset(self, queryset):
        return queryset.select_related("company", "unit__property")

    def get_inspect_sections(self, contract):
        next_url = admin_url(m.Contract, "inspect", contract.pk)
        parties = list(contract.contract_parties.select_related("party").order_by("role", "pk"))
        party_columns = [
            link_column("party", field_label(m.ContractParty, "party"), m.Party, pk_accessor="party_id"),
            Column("role", label=field_label(m.ContractParty, "role"), accessor="get_role_display"),
            Column("email", label=field_label(m.Party, "email"), accessor="party.email"),
            Column("phone", label=field_label(m.Party, "phone"), accessor="party.phone"),
            link_column(
                "edit",
                _("Change"),
                m.ContractParty,
                accessor=lambda obj: _("Edit"),
                view="edit",
                next_url=next_url,
            ),
        ]
        components = sorted(
            contract.rent_components.all(), key=lambda c: (c.sort_order, c.label, c.valid_from)
        )
        current = {c.pk for c in contract.current_rent_components()}
        component_columns = [
            link_column(
                "label",
                field_label(m.RentComponent, "label"),
                m.RentComponent,
                view="edit",
                next_url=next_url,
            ),
            Column("kind", label=field_label(m.RentComponent, "kind"), accessor="get_kind_display"),
            Column("amount", label=field_label(m.RentComponent, "amount")),
            Column("valid_from", label=field_label(m.RentComponent, "valid_from")),
            BooleanColumn("current", label=_("Valid today"), accessor=lambda c: c.pk in current),
        ]
        contacts = m.responsible_contacts([contract], [topic for topic, _label in m.Topic.choices])
        responsible = [
            {"topic": label, "person": contacts.get((contract.pk, topic))} for topic, label in m.Topic.choices
        ]
        responsible_columns = [
            Column(
                "topic", label=field_label(m.ContactResponsibility, "topic"), accessor=lambda r: r["topic"]
            ),
            TitleColumn(
                "person",
                label=field_label(m.ContactResponsibility, "contact_person"),
                accessor=lambda r: r["person"] or _("nobody"),
                get_url=lambda r: (
                    admin_url(m.ContactPerson, "inspect", r["person"].pk) if r["person"] else None
                ),
            ),
        ]
        return [
            InspectSection(
                heading=_("Contract parties"),
                table=Table(party_columns, parties),
                empty_message=_("No parties named on this contract."),
                actions=[add_link(_("Add contract party"), m.ContractParty, next_url, contract=contract.pk)],
            ),
            InspectSection(
                heading=_("Rent components"),
                table=Table(component_columns, components),
                empty_message=_("No rent components."),
                actions=[add_link(_("Add rent component"), m.RentComponent, next_url, contract=contract.pk)],
            ),
            InspectSection(
                heading=_("Responsible contact persons"),
                table=Table(responsible_columns, responsible),
            ),
        ]


class ContractPartyViewSet(TenancyModelViewSet):
    model = m.ContractParty
    name = "tenantportal_contractparty"
    url_prefix = "tenantportal/contract-parties"
    icon = "link"
    prefill_fields = ("contract", "party")
    list_display = ["contract", "party", "role"]
    list_filter = {"role": ["exact"], "contract__company": ["exact"]}
    search_fields = ["contract__number", "party__last_name", "party__first_name", "party__erp_id"]
    list_export = ["contract", "party", "party.erp_id", "get_role_display"]
    export_headings = {
        **display_headings(m.ContractParty, "role"),
        "party.erp_id": field_label(m.Party, "erp_id"),
    }
    inspect_view_fields = ["contract", "party", "role"]
    edit_handler = ObjectList(
        [FieldPanel("contract"), FieldPanel("party"), FieldPanel("role")], base_form_class=ContractPartyForm
    )

    def get_listing_queryset(self, queryset):
        return queryset.select_related("contract", "party")

    def get_object_queryset(self, queryset):
        return queryset.select_related("contract", "party")


class RentComponentViewSet(TenancyModelViewSet):
    model = m.RentComponent
    name = "tenantportal_rentcomponent"
    url_prefix = "tenantportal/rent-components"
    icon = "table"
    prefill_fields = ("contract",)
    list_display = ["label", "contract", "kind", "amount", "valid_from", "sort_order"]
    list_filter = {"kind": ["exact"], "contract__company": ["exact"]}
    search_fields = ["label", "contract__number"]
    list_export = ["contract", "get_kind_display", "label", "amount", "valid_from", "sort_order"]
    export_headings = display_headings(m.RentComponent, "kind")
    inspect_view_fields = ["contract", "kind", "label", "amount", "valid_from", "sort_order"]
    panels = [
        FieldPanel("contract"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("label")]),
        FieldRowPanel([FieldPanel("amount"), FieldPanel("valid_from"), FieldPanel("sort_order")]),
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("contract")

    def get_object_queryset(self, queryset):
        return queryset.select_related("contract")


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


class ContactPersonViewSet(TenancyModelViewSet):
    model = m.ContactPerson
    name = "tenantportal_contactperson"
    url_prefix = "tenantportal/contact-persons"
    icon = "user"
    add_to_reference_index = True  # photo
    prefill_fields = ("company",)
    list_display = [
        "name",
        "position",
        "email",
        "phone",
        "company",
        "user",
        BooleanColumn("active", label=field_label(m.ContactPerson, "active")),
        Column("responsibility_count", label=_("Responsibilities"), sort_key="responsibility_count"),
    ]
    list_filter = ["company", "active"]
    search_fields = ["name", "position", "email", "phone", "erp_id"]
    list_export = [
        "company",
        "name",
        "position",
        "email",
        "phone",
        "office_hours",
        "user",
        "erp_id",
        "active",
    ]
    inspect_view_fields = [
        "company",
        "name",
        "position",
        "phone",
        "email",
        "office_hours",
        "photo",
        "user",
        "erp_id",
        "active",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("company"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("position")]),
            FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
            FieldPanel("office_hours"),
            FieldPanel("photo"),
            FieldRowPanel([FieldPanel("user"), FieldPanel("erp_id")]),
            FieldPanel("active"),
        ],
        base_form_class=ContactPersonForm,
    )

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "user").annotate(
            responsibility_count=count_subquery(m.ContactResponsibility, "contact_person")
        )

    def get_object_queryset(self, queryset):
        return queryset.select_related("company", "user", "photo")

    def get_inspect_sections(self, person):
        next_url = admin_url(m.ContactPerson, "inspect", person.pk)
        rows = list(
            person.responsibilities.select_related("company", "property", "contract").order_by("topic", "pk")
        )
        columns = [
            link_column(
                "topic",
                field_label(m.ContactResponsibility, "topic"),
                m.ContactResponsibility,
                accessor="get_topic_display",
                view="edit",
                next_url=next_url,
            ),
            Column(
                "scope", label=_("Responsible for"), accessor=lambda r: r.contract or r.property or r.company
            ),
        ]
        return [
            InspectSection(
                heading=_("Responsibilities"),
                table=Table(columns, rows),
                empty_message=_("Not responsible for anything yet."),
                actions=[
                    add_link(
                        _("Add responsibility"),
                        m.ContactResponsibility,
                        next_url,
                        contact_person=person.pk,
                        company=person.company_id,
                    )
                ],
            )
        ]


class ContactResponsibilityViewSet(TenancyModelViewSet):
    model = m.ContactResponsibility
    name = "tenantportal_contactresponsibility"
    url_prefix = "tenantportal/responsibilities"
    icon = "tasks"
    prefill_fields = ("contact_person", "company", "property", "contract")
    list_display = ["contact_person", "topic", "company", "property", "contract"]
    list_filter = ["company", "topic"]
    search_fields = ["contact_person__name", "property__street", "property__name", "contract__number"]
    list_export = ["contact_person", "get_topic_display", "company", "property", "contract"]
    export_headings = display_headings(m.ContactResponsibility, "topic")
    inspect_view_fields = ["contact_person", "company", "topic", "property", "contract"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("contact_person"), FieldPanel("topic")]),
            FieldPanel("company"),
            HelpPanel(
                content=_(
                    "Leave property and contract empty to make the person responsible for the whole "
                    "company. A responsibility for a contract wins over one for its property, and that "
                    "over one for the company."
                )
            ),
            FieldPanel("property"),
            FieldPanel("contract"),
        ],
        base_form_class=ContactResponsibilityForm,
    )

    def get_listing_queryset(self, queryset):
        return queryset.select_related("contact_person", "company", "property", "contract")

    def get_object_queryset(self, queryset):
        return queryset.select_related("contact_person", "company", "property", "contract")


# --- Import runs and the upload ----------------------------------------------------------------


def _count(counts, name):
    return counts.get(name, 0) if isinstance(counts, dict) else getattr(counts, name, 0)


def summary_rows(counts):
    """Table rows (label and counts per entity, in import order) for a ``counts`` mapping.

    ``counts`` maps entity names to ``EntityCounts`` objects or to dicts with the same keys
    (as stored in ``ImportRun.summary``).
    """
    rows = []
    for entity, model in ENTITY_MODELS.items():
        if entity not in counts:
            continue
        entity_counts = counts[entity]
        row = {"entity": capfirst(model._meta.verbose_name_plural)}
        for name in COUNT_NAMES:
            row[name] = _count(entity_counts, name)
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


def run_counts(run):
    """The per-entity counts stored on an ``ImportRun`` (``summary`` as written by the importer)."""
    summary = run.summary or {}
    return summary.get("counts", summary) if isinstance(summary, dict) else {}


def run_error_count(run):
    """Rejected rows and files of a run (the run may store fewer than that)."""
    summary = run.summary if isinstance(run.summary, dict) else {}
    if "error_count" in summary:
        return summary["error_count"]
    return sum(_count(value, "rejected") for value in run_counts(run).values())


class ImportRunIndexView(TenancyIndexView):
    """Read-only listing: no add button, rows link to the inspect view."""

    def get_add_url(self):
        return None


class ImportRunInspectView(TenancyInspectView):
    template_name = "wagtail_tenantportal/admin/importrun_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.object
        errors = error_rows(run.errors or [])[:MAX_ERRORS_SHOWN]
        context.update(
            summary_rows=summary_rows(run_counts(run)),
            error_rows=errors,
            errors_hidden=max(run_error_count(run) - len(errors), 0),
        )
        return context


class ImportRunViewSet(TenancyModelViewSet):
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
        "user",
        Column(
            "files", label=field_label(m.ImportRun, "files"), accessor=lambda run: ", ".join(run.files or [])
        ),
        BooleanColumn("dry_run", label=field_label(m.ImportRun, "dry_run")),
        BooleanColumn("committed", label=field_label(m.ImportRun, "committed")),
        Column("errors", label=_("Errors"), accessor=run_error_count),
    ]
    list_filter = ["source", "dry_run", "committed"]
    search_fields = []
    list_export = [
        "started_at",
        "finished_at",
        "get_source_display",
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
        return queryset.select_related("user").defer("errors")

    def get_object_queryset(self, queryset):
        return queryset.select_related("user")

    def get_urlpatterns(self):
        conv = self.pk_path_converter
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(f"inspect/<{conv}:pk>/", self.inspect_view, name="inspect"),
        ]


def upload_form_class(file_factory, file_kinds):
    """An upload form for files of ``file_kinds`` (e.g. ``("meters", "consumption")``)."""
    if file_factory is None:
        return ImportUploadForm
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


class BaseImportUploadView(WagtailAdminTemplateMixin, FormView):
    """Upload of CSV export files: runs an import and shows its summary on the same page.

    Subclasses (or ``as_view`` arguments) give ``import_function(files, dry_run=, partial=)``
    returning a result with ``counts``, ``errors``, ``committed``, ``dry_run``,
    ``status_message()`` and ``entity_label(kind)``; ``file_factory`` and ``file_kinds`` for
    the form (functions as ``staticmethod`` on a class); ``permission``; ``page_title``;
    ``command_name`` (the management command for larger exports).
    """

    template_name = "wagtail_tenantportal/admin/import_upload.html"
    header_icon = "upload"
    page_title = _("Import")
    permission = None
    import_function = None
    file_factory = None
    file_kinds = ()
    command_name = "tenantportal_import"

    def dispatch(self, request, *args, **kwargs):
        if not self.permission or not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return upload_form_class(self.file_factory, self.file_kinds)

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
        )

    def get_summary_rows(self, result):
        """Rows of the summary table: the result's kinds in its order, labelled by the result."""
        rows = []
        for kind, counts in result.counts.items():
            row = {"entity": capfirst(str(result.entity_label(kind)))}
            for name in COUNT_NAMES:
                row[name] = _count(counts, name)
            rows.append(row)
        return rows

    def get_run_url(self, result):
        return None

    def form_valid(self, form):
        result = self.run_import(form)
        errors = error_rows(result.errors)
        context = self.get_context_data(
            # A fresh form: the browser cannot re-send the files anyway.
            form=self.get_form_class()(
                initial={"dry_run": result.dry_run, "partial": form.cleaned_data["partial"]}
            ),
            result=result,
            summary_rows=self.get_summary_rows(result),
            error_rows=errors[:MAX_ERRORS_SHOWN],
            errors_hidden=max(len(errors) - MAX_ERRORS_SHOWN, 0),
            run_url=self.get_run_url(result),
            status_message=result.status_message(),
        )
        return self.render_to_response(context)


class ImportUploadView(BaseImportUploadView):
    """Upload of the master-data export (recorded as an ``ImportRun``)."""

    page_title = _("Import master data")
    permission = IMPORT_PERMISSION

    def run_import(self, form):
        return import_master_data(
            form.cleaned_data["import_files"],
            dry_run=form.cleaned_data["dry_run"],
            partial=form.cleaned_data["partial"],
            user=self.request.user,
            source=m.ImportRun.Source.ADMIN,
        )

    def get_summary_rows(self, result):
        return summary_rows(result.counts)

    def get_run_url(self, result):
        return admin_url(m.ImportRun, "inspect", result.run.pk) if result.run else None


class ImportUploadViewSet(ViewSet):
    """A menu entry with an upload page (``view_class``); shown only to users with
    ``permission``. Other apps subclass it with their own name, label, permission and view."""

    name = "tenantportal_import"
    url_prefix = "tenantportal/import"
    icon = "upload"
    menu_label = _("Import master data")
    permission = IMPORT_PERMISSION
    view_class = ImportUploadView

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


# --- Choosers ----------------------------------------------------------------------------------


class TenancyChooserViewSet(ChooserViewSet):
    """Chooser modal searching the database directly (see ``OrmSearchFilterForm``).

    Registered choosers replace the select boxes of foreign keys to their model in all Wagtail
    admin forms, so a form with a contract field does not list thousands of contracts.
    """

    search_fields = ()
    list_select_related = ()
    per_page = 20

    def get_object_list(self):
        queryset = self.model._default_manager.all()
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    @cached_property
    def filter_form_class(self):
        return type(
            f"{self.model.__name__}ChooserFilterForm",
            (OrmSearchFilterForm,),
            {"search_fields": tuple(self.search_fields)},
        )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(filter_form_class=self.filter_form_class, **kwargs)


class PropertyChooserViewSet(TenancyChooserViewSet):
    model = m.Property
    name = "tenantportal_property_chooser"
    url_prefix = "tenantportal/choose-property"
    icon = "home"
    choose_one_text = _("Choose a property")
    choose_another_text = _("Choose another property")
    search_fields = ("name", "street", "postal_code", "city", "erp_id")


class UnitChooserViewSet(TenancyChooserViewSet):
    model = m.Unit
    name = "tenantportal_unit_chooser"
    url_prefix = "tenantportal/choose-unit"
    icon = "key"
    choose_one_text = _("Choose a unit")
    choose_another_text = _("Choose another unit")
    search_fields = ("number", "erp_id", "property__street", "property__name")


class PartyChooserViewSet(TenancyChooserViewSet):
    model = m.Party
    name = "tenantportal_party_chooser"
    url_prefix = "tenantportal/choose-party"
    icon = "group"
    choose_one_text = _("Choose a party")
    choose_another_text = _("Choose another party")
    search_fields = ("last_name", "first_name", "erp_id", "email")


class ContractChooserViewSet(TenancyChooserViewSet):
    model = m.Contract
    name = "tenantportal_contract_chooser"
    url_prefix = "tenantportal/choose-contract"
    icon = "doc-full"
    choose_one_text = _("Choose a contract")
    choose_another_text = _("Choose another contract")
    search_fields = ("number", "unit__number", "unit__property__street")


def menu_viewsets():
    """Viewsets shown in the "Tenant portal" menu group, in menu order."""
    return [
        CompanyViewSet(),
        PropertyViewSet(),
        UnitViewSet(),
        PartyViewSet(),
        ContractViewSet(),
        ContactPersonViewSet(),
        ContactResponsibilityViewSet(),
        ImportRunViewSet(),
        ImportUploadViewSet(),
    ]


def hidden_viewsets():
    """Viewsets with URLs but no menu entry (reached from the contract's inspect page)."""
    return [
        ContractPartyViewSet(),
        RentComponentViewSet(),
        PropertyChooserViewSet(),
        UnitChooserViewSet(),
        PartyChooserViewSet(),
        ContractChooserViewSet(),
    ]
