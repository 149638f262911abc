"""Staff admin of the master data: Wagtail viewsets of companies, properties, units and
parties, the choosers, and the lists of viewsets the app registers.

Listings run a fixed number of queries however many rows a page shows: every foreign key a
column prints is fetched with ``select_related``, lists (the parties of a contract) with one
``prefetch_related`` query, and counts are correlated subqueries annotated on the listing
query (``get_listing_queryset`` of each viewset). The generic parts (viewset base, inspect
sections, upload page, choosers) are the admin toolkit's (``wagtail_tenantportal.admin``).
Contracts and their rows are in ``admin_contracts``, contact persons in ``admin_contacts``,
import runs and the upload in ``admin_imports``.

The viewsets are wired into the "Tenant portal" menu group in ``wagtail_hooks.py``.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.ui.tables import BooleanColumn, Column, Table

from ..admin.choosers import PortalChooserViewSet
from ..admin.utils import add_link, admin_url, count_subquery, display_headings, field_label, link_column
from ..admin.viewsets import InspectSection, PortalModelViewSet, PrefillCreateView
from ..core import scope
from . import models as m
from .admin_bank import BankDetailsChangeViewSet
from .admin_contacts import ContactPersonViewSet, ContactResponsibilityViewSet
from .admin_contracts import (
    ContractPartyViewSet,
    ContractViewSet,
    IbanInspectView,
    RentComponentViewSet,
    contract_columns,
    contract_parties_prefetch,
)
from .admin_imports import ImportRunViewSet, MasterDataImportViewSet

# --- Master data ---------------------------------------------------------------------------


class CompanyCreateView(PrefillCreateView):
    """Only users who work for all companies add one: staff of some companies would not
    work for the new one (their groups are not its staff groups yet)."""

    def dispatch(self, request, *args, **kwargs):
        if not scope.sees_all(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CompanyViewSet(PortalModelViewSet):
    model = m.Company
    name = "tenantportal_company"
    url_prefix = "tenantportal/companies"
    icon = "site"
    inspect_view_class = IbanInspectView
    add_view_class = CompanyCreateView
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
        "co_tenants_share_requests",
        "bank_change_countries",
        "sepa_mandate_text",
        "site",
        "base_url",
        "mail_from",
        "mail_signature",
        "frame_ancestors",
        "reply_names",
        "privacy_url",
        "terms_url",
        "e_delivery_url",
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
                    FieldPanel("co_tenants_share_requests"),
                    MultiFieldPanel(
                        [FieldPanel("bank_change_countries"), FieldPanel("sepa_mandate_text")],
                        heading=_("Bank details changes by tenants"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldPanel("site"),
                            FieldPanel("base_url"),
                            FieldPanel("mail_from"),
                            FieldPanel("mail_signature"),
                            FieldPanel("frame_ancestors"),
                        ],
                        heading=_("Website and mails"),
                    ),
                    FieldPanel("reply_names"),
                    MultiFieldPanel(
                        [FieldPanel("privacy_url"), FieldPanel("terms_url"), FieldPanel("e_delivery_url")],
                        heading=_("Texts tenants consent to"),
                    ),
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
        return queryset.select_related("logo", "site")

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


class PropertyViewSet(PortalModelViewSet):
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


class UnitViewSet(PortalModelViewSet):
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


class PartyViewSet(PortalModelViewSet):
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


# --- Choosers ----------------------------------------------------------------------------------


class PropertyChooserViewSet(PortalChooserViewSet):
    model = m.Property
    name = "tenantportal_property_chooser"
    url_prefix = "tenantportal/choose-property"
    icon = "home"
    choose_one_text = _("Choose a property")
    choose_another_text = _("Choose another property")
    search_fields = ("name", "street", "postal_code", "city", "erp_id")


class UnitChooserViewSet(PortalChooserViewSet):
    model = m.Unit
    name = "tenantportal_unit_chooser"
    url_prefix = "tenantportal/choose-unit"
    icon = "key"
    choose_one_text = _("Choose a unit")
    choose_another_text = _("Choose another unit")
    search_fields = ("number", "erp_id", "property__street", "property__name")


class PartyChooserViewSet(PortalChooserViewSet):
    model = m.Party
    name = "tenantportal_party_chooser"
    url_prefix = "tenantportal/choose-party"
    icon = "group"
    choose_one_text = _("Choose a party")
    choose_another_text = _("Choose another party")
    search_fields = ("last_name", "first_name", "erp_id", "email")


class ContractChooserViewSet(PortalChooserViewSet):
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
        BankDetailsChangeViewSet(),
        ContactPersonViewSet(),
        ContactResponsibilityViewSet(),
        ImportRunViewSet(),
        MasterDataImportViewSet(),
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
