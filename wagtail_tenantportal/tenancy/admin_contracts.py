"""Staff admin of the contracts and the rows that belong to one: contract parties and rent
components (changed from the contract's inspect page; no menu entries of their own)."""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, Table, TitleColumn

from ..admin.utils import add_link, admin_url, display_headings, field_label, link_column
from ..admin.viewsets import InspectSection, PortalInspectView, PortalModelViewSet
from . import models as m
from . import services
from .forms import ContractPartyForm


class IbanInspectView(PortalInspectView):
    """Inspect view of a record with an IBAN (companies, contracts)."""

    def get_iban_display_value(self):
        # Grouped in fours, as printed on letters.
        return self.object.iban_display


def contract_parties_prefetch():
    return Prefetch(
        "contract_parties",
        queryset=m.ContractParty.objects.with_party(),
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


class ContractViewSet(PortalModelViewSet):
    model = m.Contract
    name = "tenantportal_contract"
    url_prefix = "tenantportal/contracts"
    icon = "doc-full"
    inspect_view_class = IbanInspectView
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
        "shares",
        "share_amount",
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
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("shares"), FieldPanel("share_amount")])],
            heading=_("Cooperative shares (membership)"),
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
        return Q(pk__in=m.ContractParty.objects.naming_party(query).values("contract_id"))

    def get_object_queryset(self, queryset):
        return queryset.select_related("company", "unit__property")

    def get_inspect_sections(self, contract):
        next_url = admin_url(m.Contract, "inspect", contract.pk)
        return [
            self.parties_section(contract, next_url),
            self.rent_section(contract, next_url),
            self.responsible_section(contract),
            self.bank_changes_section(contract),
        ]

    def bank_changes_section(self, contract):
        """The tenants' changes of the contract's bank details, newest first (the last 10)."""
        changes = list(contract.bank_details_changes.order_by("-created_at", "-pk")[:10])
        columns = [
            link_column("created_at", field_label(m.BankDetailsChange, "created_at"), m.BankDetailsChange),
            Column("iban", label=field_label(m.BankDetailsChange, "iban"), accessor="iban_display"),
            Column("account_holder", label=field_label(m.BankDetailsChange, "account_holder")),
            Column("status", label=field_label(m.BankDetailsChange, "status"), accessor="get_status_display"),
        ]
        return InspectSection(
            heading=_("Bank details changes"),
            table=Table(columns, changes),
            empty_message=_("No tenant has asked to change the bank details of this contract."),
        )

    def parties_section(self, contract, next_url):
        """The contract's parties, each with a link to change the link row."""
        parties = list(contract.contract_parties.with_party())
        columns = [
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
        return InspectSection(
            heading=_("Contract parties"),
            table=Table(columns, parties),
            empty_message=_("No parties named on this contract."),
            actions=[add_link(_("Add contract party"), m.ContractParty, next_url, contract=contract.pk)],
        )

    def rent_section(self, contract, next_url):
        """All rent components of the contract, marking those valid today."""
        components = sorted(
            contract.rent_components.all(), key=lambda c: (c.sort_order, c.label, c.valid_from)
        )
        current = {c.pk for c in contract.current_rent_components()}
        columns = [
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
        return InspectSection(
            heading=_("Rent components"),
            table=Table(columns, components),
            empty_message=_("No rent components."),
            actions=[add_link(_("Add rent component"), m.RentComponent, next_url, contract=contract.pk)],
        )

    def responsible_section(self, contract):
        """Who answers each topic for this contract (the choice tenants see)."""
        contacts = services.responsible_contacts([contract], [topic for topic, _label in m.Topic.choices])
        responsible = [
            {"topic": label, "person": contacts.get((contract.pk, topic))} for topic, label in m.Topic.choices
        ]
        columns = [
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
        return InspectSection(heading=_("Responsible contact persons"), table=Table(columns, responsible))


class ContractPartyViewSet(PortalModelViewSet):
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


class RentComponentViewSet(PortalModelViewSet):
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
