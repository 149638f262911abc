"""StreamField blocks of the tenancy app for the host's pages: "My contract" and "Your
contact person". Render them with ``{% include_block %}`` (they need the request)."""

from decimal import Decimal
from types import SimpleNamespace

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..core.blocks import PortalBlock
from .models import Contract, Topic

#: Request attribute holding the page a block is rendered on (for the company of visitors).
PAGE_ATTR = "_tenantportal_block_page"


class ContractBlock(PortalBlock):
    """The tenant's current contracts of the chosen kinds: unit, address and, if wanted, the
    current monthly rent with its parts; each links to the contract's page."""

    heading = blocks.CharBlock(
        label=_("heading"),
        required=False,
        default=_("My contract"),
        help_text=_("Shown above the contracts. Empty: no heading."),
    )
    contract_kinds = blocks.MultipleChoiceBlock(
        label=_("contract kinds"),
        choices=Contract.Kind.choices,
        default=["rental", "parking"],
        required=False,
        help_text=_("Which contracts are shown. None chosen: tenancy and parking agreements."),
    )
    show_rent = blocks.BooleanBlock(
        label=_("show the rent and its parts"),
        required=False,
        default=True,
        help_text=_("Base rent, advance payments for operating and heating costs, and the total."),
    )

    class Meta:
        template = "wagtail_tenantportal/tenancy/blocks/contract_block.html"
        icon = "home"
        label = _("My contract")
        description = _("The logged-in tenant's contract: flat, address and the current monthly rent.")

    def get_tenant_context(self, value, request):
        from .models import PREMISES_KINDS
        from .services import current_contracts, current_rent

        kinds = list(value.get("contract_kinds") or PREMISES_KINDS)
        show_rent = bool(value.get("show_rent"))
        contracts = current_contracts(request.user, kinds, components=show_rent)
        for contract in contracts:
            contract.portal_url = reverse("wagtail_tenantportal:contract_detail", args=(contract.pk,))
            contract.rent = current_rent(contract) if show_rent else None
        return {"contracts": contracts, "list_url": reverse("wagtail_tenantportal:contract_list")}

    def get_preview_portal_context(self, value, request):
        from .services import Rent

        unit = SimpleNamespace(
            get_kind_display=_("Flat"),
            number="0.03",
            floor="2. OG links",
            property=SimpleNamespace(address_lines=["Lindenstraße 12", "04109 Leipzig"]),
        )
        components = [
            SimpleNamespace(label="Grundmiete", amount=Decimal("412.50")),
            SimpleNamespace(label="Betriebskosten-Vorauszahlung", amount=Decimal("145.00")),
            SimpleNamespace(label="Heizkosten-Vorauszahlung", amount=Decimal("78.00")),
        ]
        rent = Rent(components=components) if value.get("show_rent") else None
        contract = SimpleNamespace(
            pk=0,
            number="10004711",
            get_kind_display=_("Tenancy agreement"),
            get_status_display=_("Active"),
            start_date=None,
            end_date=None,
            unit=unit,
            rent=rent,
            portal_url="#",
        )
        return {"contracts": [contract], "list_url": "#"}


class ContactPersonBlock(PortalBlock):
    """The block "Your contact person": who at the landlord answers the tenant's questions on a topic,
    with phone, email and office hours. Visitors see the landlord's general contact channels
    when the page or site belongs to one landlord, otherwise a login prompt."""

    heading = blocks.CharBlock(
        label=_("heading"),
        required=False,
        default=_("Your contact person"),
        help_text=_("Shown above the contact details. Empty: no heading."),
    )
    topic = blocks.ChoiceBlock(
        label=_("topic"),
        choices=Topic.choices,
        default=Topic.GENERAL,
        help_text=_(
            "Whose contact details are shown, e.g. the caretaker for technical matters. Where nobody is "
            "named for the topic, the general contact person is shown."
        ),
    )
    show_photo = blocks.BooleanBlock(
        label=_("show photo"),
        required=False,
        default=True,
        help_text=_("Show the contact person's photo if one is on file."),
    )

    class Meta:
        template = "wagtail_tenantportal/tenancy/blocks/contact_person_block.html"
        icon = "user"
        label = _("Your contact person")
        description = _(
            "The logged-in tenant's contact person for a topic with phone, email and office hours; "
            "visitors see the landlord's general contact details."
        )

    def render(self, value, context=None):
        request = context.get("request") if context else None
        if request is not None:
            setattr(request, PAGE_ATTR, context.get("page"))
        return super().render(value, context)

    @staticmethod
    def site_company(request):
        """The landlord of the page (a page with a ``company``) or of the site (the only
        landlord tenants can register with), or None."""
        from ..core.adapter import get_adapter
        from .models import Company

        page = getattr(request, PAGE_ATTR, None)
        company = getattr(getattr(page, "specific", page), "company", None)
        if isinstance(company, Company):
            return company
        companies = list(get_adapter().registration_companies(request)[:2])
        return companies[0] if len(companies) == 1 else None

    def get_visitor_context(self, value, request, state):
        return {
            "visitor_company": self.site_company(request),
            **super().get_visitor_context(value, request, state),
        }

    def get_tenant_context(self, value, request):
        from .services import contact_context

        return contact_context(request.user, value.get("topic") or Topic.GENERAL)

    def get_preview_portal_context(self, value, request):
        person = SimpleNamespace(
            name="Sabine Krüger",
            position="Kundenbetreuerin",
            phone="0341 123 45-67",
            email="s.krueger@wg-beispiel.de",
            office_hours="Di 9–12 und 14–18 Uhr, Do 9–12 Uhr",
            photo=None,
        )
        return {"people": [(person, ["10004711"])], "companies": [], "several_contracts": False}


#: The blocks ``wagtail_tenantportal.blocks.portal_blocks()`` offers hosts, by name.
PORTAL_BLOCKS = [
    ("portal_contract", ContractBlock),
    ("portal_contact_person", ContactPersonBlock),
]
