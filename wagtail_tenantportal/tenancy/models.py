"""Master data of the landlord: who lets what to whom.

Every record belongs to one ``Company`` (Mandant), so several cooperatives can share one
portal. ERP ids are unique per company; contract numbers too. Records come in from the ERP
(see ``importer.py``) and are never deleted by an import: contracts that vanish from an
export are marked ended.

Ownership lives in one queryset method per model: ``visible_to(user)`` returns only the rows
a portal user may see. Views, API and downloads use it and nothing else.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.search import index

from ..core import ownership
from ..core.scope import StaffScopedQuerySet
from .company_texts import CompanyTexts
from .validators import (
    format_iban,
    mask_iban,
    validate_base_url,
    validate_bic,
    validate_frame_ancestors,
    validate_iban,
    validate_sender,
)


class ErpKeyed(models.Model):
    erp_id = models.CharField(
        _("ERP id"),
        max_length=64,
        help_text=_("Key of this record in the ERP export; used to update it on every import."),
    )
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class AddressFields(models.Model):
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    address_addition = models.CharField(_("address addition"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DE", blank=True)

    class Meta:
        abstract = True

    @property
    def address_lines(self):
        lines = [self.street, self.address_addition, f"{self.postal_code} {self.city}".strip()]
        if self.country and self.country != "DE":
            lines.append(self.country)
        return [line for line in lines if line]


class BankCountries(models.TextChoices):
    SEPA = "sepa", _("Accounts in all SEPA countries")
    GERMANY = "de", _("German accounts only")


class CompanyQuerySet(StaffScopedQuerySet):
    staff_scope = "pk"

    def visible_to(self, user):
        party_ids = ownership.party_ids(user)
        if party_ids is None:
            return self.none()
        return self.filter(pk__in=Party.objects.filter(pk__in=party_ids).values("company_id"))


class Company(index.Indexed, AddressFields, CompanyTexts, models.Model):
    class RegistrationFlow(models.TextChoices):
        CODE_FIRST = "code_first", _("Registration code by letter first")
        VERIFY_LATER = "verify_later", _("Register first, activation code by letter later")

    class TwoFactorPolicy(models.TextChoices):
        OPTIONAL = "optional", _("Optional")
        REQUIRED = "required", _("Required for everyone")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=60, blank=True, help_text=_("Used where space is short.")
    )
    slug = models.SlugField(_("slug"), unique=True)
    legal_form = models.CharField(_("legal form"), max_length=60, blank=True, help_text=_("e.g. eG, GmbH"))
    erp_id = models.CharField(_("ERP id"), max_length=64, unique=True, null=True, blank=True)
    # Contact channels
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    emergency_phone = models.CharField(
        _("emergency phone"),
        max_length=40,
        blank=True,
        help_text=_("Shown for urgent damage (water, heating, gas) outside office hours."),
    )
    # Letterhead
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sender_line = models.CharField(
        _("sender line"),
        max_length=120,
        blank=True,
        help_text=_(
            "Return address above the address field of letters, e.g. 'WG Beispiel eG · Hauptstr. 1 · 04109 Leipzig'."
        ),
    )
    management_board = models.CharField(_("management board"), max_length=200, blank=True)
    supervisory_board_chair = models.CharField(
        _("chair of the supervisory board"), max_length=120, blank=True
    )
    register_court = models.CharField(_("register court"), max_length=120, blank=True)
    register_number = models.CharField(_("register number"), max_length=60, blank=True)
    tax_number = models.CharField(_("tax number or VAT id"), max_length=60, blank=True)
    bank_name = models.CharField(_("bank"), max_length=120, blank=True)
    iban = models.CharField(_("IBAN"), max_length=42, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    # Portal options per company
    portal_name = models.CharField(
        _("portal name"),
        max_length=100,
        blank=True,
        help_text=_("e.g. 'Serviceportal'. Empty: the global name."),
    )
    portal_enabled = models.BooleanField(
        _("portal enabled"), default=True, help_text=_("Tenants of this company may register and log in.")
    )
    registration_flow = models.CharField(
        _("registration flow"),
        max_length=20,
        choices=RegistrationFlow.choices,
        default=RegistrationFlow.CODE_FIRST,
    )
    two_factor_policy = models.CharField(
        _("two-factor authentication"),
        max_length=20,
        choices=TwoFactorPolicy.choices,
        default=TwoFactorPolicy.OPTIONAL,
    )
    has_savings_scheme = models.BooleanField(_("has a savings scheme"), default=False)
    # Bank-details changes by tenants (bank_models.py): which accounts, and the mandate text.
    bank_change_countries = models.CharField(
        _("accounts accepted for direct debit"),
        max_length=10,
        choices=BankCountries.choices,
        default=BankCountries.SEPA,
        help_text=_(
            "Which IBANs tenants may enter when they change their bank details. A creditor must "
            "accept accounts in every SEPA country (EU Regulation 260/2012, Art. 9)."
        ),
    )
    sepa_mandate_text = models.TextField(
        _("SEPA mandate text"),
        blank=True,
        help_text=_(
            "The mandate tenants confirm with a new account, with your creditor identifier. "
            "Empty: the standard wording with the company's name."
        ),
    )
    # Staff scope: members of these groups work for this company in the admin (core.scope).
    staff_groups = models.ManyToManyField(
        "auth.Group",
        verbose_name=_("staff groups"),
        blank=True,
        related_name="tenantportal_companies",
        help_text=_(
            "Members of these groups work for this company in the admin: they see and change the "
            "data of this company only. Set it on the group's page under Settings → Groups."
        ),
    )
    co_tenants_share_requests = models.BooleanField(
        _("co-tenants see each other's requests"),
        default=False,
        help_text=_(
            "Off: each tenant sees only the requests and messages of their own party; reports about "
            "shared areas, contract documents and notices are shared. On: everybody named on a "
            "contract sees all its requests and messages."
        ),
    )
    # Its own voice: the website, the address links lead to, the sender and signature of mails.
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("website"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tenantportal_companies",
        help_text=_(
            "The Wagtail site with this company's portal pages. Links in its mails and letters lead "
            "there, and its pages show its portal name."
        ),
    )
    base_url = models.URLField(
        _("web address"),
        max_length=200,
        blank=True,
        validators=[validate_base_url],
        help_text=_(
            "e.g. 'https://www.bauverein-elsteraue.de'. Links in mails, letters and QR codes start "
            "with it. Empty: the address of the website above."
        ),
    )
    mail_from = models.CharField(
        _("mail sender"),
        max_length=254,
        blank=True,
        validators=[validate_sender],
        help_text=_(
            "Sender of the portal's mails to this company's tenants, e.g. 'Bauverein Elsteraue eG "
            "<service@bauverein-elsteraue.de>'. Empty: the portal's general sender."
        ),
    )
    mail_signature = models.TextField(
        _("mail signature"),
        blank=True,
        help_text=_(
            "Closing lines of every mail to tenants, e.g. name, address, phone and office hours. "
            "Empty: the name, address, phone and website above."
        ),
    )
    frame_ancestors = models.TextField(
        _("websites that may embed the portal"),
        blank=True,
        validators=[validate_frame_ancestors],
        help_text=_(
            "Addresses of websites that may show the portal's pages in a frame, one per line, e.g. "
            "'https://www.bauverein-elsteraue.de'. Empty: only the portal's own website."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CompanyQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("city"),
        index.FilterField("portal_enabled"),
    ]

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.legal_form and not self.name.endswith(self.legal_form):
            return f"{self.name} {self.legal_form}"
        return self.name

    @property
    def iban_display(self):
        return format_iban(self.iban)


class PropertyQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        contracts = Contract.objects.visible_to(user).filter(unit__isnull=False)
        return self.filter(pk__in=contracts.values("unit__property_id"))


class Property(index.Indexed, ErpKeyed, AddressFields, models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="properties"
    )
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("e.g. 'Wohnanlage Am Park'"))
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)

    objects = PropertyQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.SearchField("street"),
        index.SearchField("city"),
        index.SearchField("erp_id"),
        index.AutocompleteField("street"),
        index.FilterField("company"),
    ]

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["company", "street"]
        constraints = [
            models.UniqueConstraint(fields=["company", "erp_id"], name="tenantportal_property_erp_unique"),
        ]

    def __str__(self):
        return self.name or ", ".join(filter(None, [self.street, self.city])) or self.erp_id


class UnitQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        return self.filter(pk__in=Contract.objects.visible_to(user).values("unit_id"))


class Unit(index.Indexed, ErpKeyed, models.Model):
    class Kind(models.TextChoices):
        FLAT = "flat", _("Flat")
        PARKING = "parking", _("Parking space or garage")
        COMMERCIAL = "commercial", _("Commercial unit")

    # company is the partition key; it always equals property.company (checked in clean and import).
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="units"
    )
    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.PROTECT, related_name="units"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FLAT)
    number = models.CharField(_("unit number"), max_length=40)
    floor = models.CharField(_("floor"), max_length=40, blank=True, help_text=_("e.g. '2. OG links'"))
    rooms = models.DecimalField(_("rooms"), max_digits=4, decimal_places=1, null=True, blank=True)
    living_area = models.DecimalField(
        _("living area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    objects = UnitQuerySet.as_manager()

    search_fields = [
        index.SearchField("number"),
        index.SearchField("erp_id"),
        index.FilterField("company"),
        index.FilterField("kind"),
    ]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["property", "number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "erp_id"], name="tenantportal_unit_erp_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def clean(self):
        if self.property_id and self.company_id and self.property.company_id != self.company_id:
            raise ValidationError({"property": _("The property belongs to another company.")})


class PartyQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        party_ids = ownership.party_ids(user)
        if party_ids is None:
            return self.none()
        return self.filter(pk__in=party_ids)


class Party(index.Indexed, ErpKeyed, AddressFields, models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        HOUSEHOLD = "household", _("Household")
        ORGANISATION = "organisation", _("Organisation")

    class Salutation(models.TextChoices):
        NONE = "", _("(none)")
        MR = "mr", _("Mr")
        MS = "ms", _("Ms")
        DIVERSE = "diverse", _("Diverse")
        FAMILY = "family", _("Family")
        COMPANY = "company", pgettext_lazy("salutation", "Company")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="parties"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    salutation = models.CharField(_("salutation"), max_length=10, choices=Salutation.choices, blank=True)
    title = models.CharField(_("title"), max_length=40, blank=True, help_text=_("e.g. 'Dr.'"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name or name"), max_length=200)
    name_addition = models.CharField(
        _("name addition"), max_length=200, blank=True, help_text=_("e.g. a second person of the household")
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("email on file"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=40, blank=True)
    phone_work = models.CharField(_("work phone"), max_length=40, blank=True)

    objects = PartyQuerySet.as_manager()

    search_fields = [
        index.SearchField("last_name"),
        index.SearchField("first_name"),
        index.SearchField("erp_id"),
        index.SearchField("email"),
        index.AutocompleteField("last_name"),
        index.FilterField("company"),
    ]

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "erp_id"], name="tenantportal_party_erp_unique"),
        ]
        indexes = [models.Index(fields=["company", "last_name"], name="tenantportal_party_name_idx")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    @property
    def letter_name_lines(self):
        """Name lines of the address field (DIN 5008): salutation line, then name."""
        first = self.get_salutation_display() if self.salutation else ""
        lines = [first, self.full_name, self.name_addition]
        return [line for line in lines if line]


class ContractQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        contract_ids = ownership.contract_ids(user)
        if contract_ids is None:
            return self.none()
        return self.filter(pk__in=contract_ids)

    def current(self, today=None):
        today = today or timezone.localdate()
        return self.exclude(status=Contract.Status.ENDED).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )


class Contract(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        RENTAL = "rental", _("Tenancy agreement")
        PARKING = "parking", _("Parking agreement")
        MEMBERSHIP = "membership", _("Membership")
        SAVINGS = "savings", _("Savings agreement")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        TERMINATED = "terminated", _("Notice given")
        ENDED = "ended", _("Ended")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(
        _("contract number"), max_length=40, help_text=_("As printed on the contract and on every letter.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RENTAL)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Bank details of the direct debit for this contract
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=42, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    sepa_mandate_reference = models.CharField(_("SEPA mandate reference"), max_length=35, blank=True)
    # Membership (Mitgliedschaft): the cooperative shares the member holds (Geschäftsanteile).
    shares = models.PositiveIntegerField(_("number of shares"), null=True, blank=True)
    share_amount = models.DecimalField(
        _("amount per share (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    parties = models.ManyToManyField(
        Party, through="ContractParty", related_name="contracts", verbose_name=_("parties")
    )
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True, editable=False)
    ended_by_import_at = models.DateTimeField(
        _("ended because missing from the ERP export"), null=True, blank=True, editable=False
    )

    objects = ContractQuerySet.as_manager()

    search_fields = [
        index.SearchField("number"),
        index.AutocompleteField("number"),
        index.FilterField("company"),
        index.FilterField("kind"),
        index.FilterField("status"),
    ]

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["company", "number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="tenantportal_contract_number_unique"),
        ]
        indexes = [models.Index(fields=["status"], name="tenantportal_contract_status")]

    def __str__(self):
        return f"{self.number} ({self.get_kind_display()})"

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end lies before the start.")
        if self.unit_id and self.company_id and self.unit.company_id != self.company_id:
            errors["unit"] = _("The unit belongs to another company.")
        if errors:
            raise ValidationError(errors)

    @property
    def iban_display(self):
        return format_iban(self.iban)

    @property
    def concerns_premises(self):
        """True for contracts about a flat, parking space or commercial unit (damage reports
        apply), False for memberships and savings agreements."""
        return self.kind in PREMISES_KINDS

    @property
    def shares_total(self):
        """Shares times the amount per share (None unless both are known)."""
        if self.shares is None or self.share_amount is None:
            return None
        return self.shares * self.share_amount

    @property
    def iban_masked(self):
        """IBAN as shown to tenants: the country and the last four characters (``mask_iban``)."""
        return mask_iban(self.iban)

    def current_rent_components(self, on=None):
        """The rent components valid on ``on`` (default today): per label the latest valid_from."""
        on = on or timezone.localdate()
        latest = {}
        for component in sorted(self.rent_components.all(), key=lambda c: (c.valid_from, c.pk)):
            if component.valid_from <= on:
                latest[component.label] = component
        return sorted(latest.values(), key=lambda c: (c.sort_order, c.label))


#: Contract kinds about premises (what damage reports are filed against).
PREMISES_KINDS = (Contract.Kind.RENTAL, Contract.Kind.PARKING)


class ContractPartyQuerySet(StaffScopedQuerySet):
    staff_scope = "contract__company"

    def visible_to(self, user):
        return self.filter(contract__in=Contract.objects.visible_to(user))

    def with_party(self):
        """With the party loaded, main tenants first (the order contracts list their parties)."""
        return self.select_related("party").order_by("role", "pk")

    def naming_party(self, query):
        """Links whose party's first or last name contains ``query`` (case-insensitive)."""
        return self.filter(Q(party__last_name__icontains=query) | Q(party__first_name__icontains=query))


class ContractParty(models.Model):
    class Role(models.TextChoices):
        MAIN_TENANT = "main_tenant", _("Main tenant")
        CO_TENANT = "co_tenant", _("Co-tenant")
        MEMBER = "member", _("Member")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="contract_parties"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="contract_parties"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MAIN_TENANT)

    objects = ContractPartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract party")
        verbose_name_plural = _("contract parties")
        constraints = [
            models.UniqueConstraint(fields=["contract", "party"], name="tenantportal_contract_party_unique"),
        ]

    def __str__(self):
        return f"{self.party} – {self.get_role_display()}"


class RentComponentQuerySet(StaffScopedQuerySet):
    staff_scope = "contract__company"

    def visible_to(self, user):
        return self.filter(contract__in=Contract.objects.visible_to(user))


class RentComponent(models.Model):
    class Kind(models.TextChoices):
        BASE_RENT = "base_rent", _("Base rent")
        OPERATING_COSTS = "operating_costs", _("Operating costs advance")
        HEATING_COSTS = "heating_costs", _("Heating costs advance")
        SURCHARGE = "surcharge", _("Surcharge")
        PARKING = "parking", _("Parking rent")
        MEMBERSHIP = "membership", _("Membership fee")
        OTHER = "other", _("Other")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="rent_components"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    label = models.CharField(_("label"), max_length=120, help_text=_("As printed, e.g. 'Grundmiete'."))
    amount = models.DecimalField(_("monthly amount (EUR)"), max_digits=10, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RentComponentQuerySet.as_manager()

    class Meta:
        verbose_name = _("rent component")
        verbose_name_plural = _("rent components")
        ordering = ["contract", "sort_order", "label", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "label", "valid_from"], name="tenantportal_rent_component_unique"
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.amount} €"


class ContactPersonQuerySet(StaffScopedQuerySet):
    pass


class ContactPerson(index.Indexed, models.Model):
    """A named person tenants may contact (Ansprechpartner), a staff user or not."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="contact_persons"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tenantportal_contact_roles",
        help_text=_("Staff user who receives tickets routed to this contact person."),
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(
        _("position"), max_length=120, blank=True, help_text=_("e.g. 'Kundenbetreuerin'")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    erp_id = models.CharField(_("ERP id"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ContactPersonQuerySet.as_manager()

    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.FilterField("company")]

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.position})" if self.position else self.name


class Topic(models.TextChoices):
    GENERAL = "general", _("General")
    TECHNICAL = "technical", _("Technical matters and damage")
    RENT = "rent", _("Rent and operating costs")
    LETTING = "letting", _("Letting and contracts")
    MEMBERSHIP = "membership", _("Membership")
    SAVINGS = "savings", _("Savings")


class ContactResponsibilityQuerySet(StaffScopedQuerySet):
    pass


class ContactResponsibility(models.Model):
    """Who is responsible for what: a property, a single contract or the whole company, per topic."""

    contact_person = models.ForeignKey(
        ContactPerson,
        verbose_name=_("contact person"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="+"
    )
    property = models.ForeignKey(
        Property,
        verbose_name=_("property"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, default=Topic.GENERAL)

    objects = ContactResponsibilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self):
        scope = self.contract or self.property or self.company
        return f"{self.contact_person}: {scope} ({self.get_topic_display()})"

    def clean(self):
        if self.contact_person_id and self.company_id and self.contact_person.company_id != self.company_id:
            raise ValidationError(_("The contact person belongs to another company."))


from .audit import ScopedModelLogEntry  # noqa: E402, F401  (the scoped audit log)
from .bank_models import BankDetailsChange  # noqa: E402, F401  (the tenants' bank-details changes)
from .import_models import ImportRun  # noqa: E402, F401  (kept in import_models.py)
from .pages import ContractsPage  # noqa: E402, F401  (page types live in pages.py)
