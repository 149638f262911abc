"""Configuration of the tickets app, maintained in the admin (imported from ``models.py``).

Editors keep ticket types (with their own form fields) and statuses as snippets; staff keep the
routing rules. Names of the seeded types and statuses are English msgids shown through the
catalogue (``label``); names editors type are shown as typed (in German). The choices
``Priority`` and ``Channel`` live here because types, rules and tickets all use them.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from ..core.scope import NOT_COMPANY_DATA, StaffScopedQuerySet
from ..tenancy.models import Contract, Topic

# Labels of the seeded types and statuses (data migration 0002): stored as English msgids and
# shown translated. Listed here so that the catalogue picks them up.
SEEDED_LABELS = (
    _("General contact request"),
    _("Complaint"),
    _("Damage report"),
    _("Document request"),
    _("Appointment request"),
    _("New"),
    _("In progress"),
    _("Awaiting your reply"),
    _("Done"),
    _("Rejected"),
)


def translated(name):
    """``name`` through the catalogue: seeded English names come out German, editors' names unchanged."""
    return gettext(name) if name else ""


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    WEB = "web", _("Portal")
    API = "api", _("App / API")
    STAFF = "staff", _("Staff")
    ERP = "erp", _("ERP")
    SYSTEM = "system", _("System")


# -- statuses and types ---------------------------------------------------------------------------


class TicketStatusQuerySet(StaffScopedQuerySet):
    # The workflow is shared by all companies.
    staff_scope = NOT_COMPANY_DATA

    def initial(self):
        """The status new tickets get: the first active status marked initial (else the first one)."""
        return self.filter(active=True).order_by("-is_initial", "sort_order", "pk").first()


class TicketStatus(models.Model):
    """A step of the workflow (new, in progress, awaiting tenant, done, rejected, ...)."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Stable key for the ERP and the API.")
    )
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.IntegerField(_("order"), default=0)
    is_initial = models.BooleanField(_("status of new requests"), default=False)
    is_closed = models.BooleanField(
        _("closed"), default=False, help_text=_("Requests in this status are finished (done or rejected).")
    )
    awaiting_tenant = models.BooleanField(
        _("awaiting the tenant"), default=False, help_text=_("Tenants see that a reply from them is needed.")
    )
    active = models.BooleanField(_("active"), default=True)
    next_statuses = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        verbose_name=_("allowed next statuses"),
        help_text=_("Empty: any active status may follow."),
    )

    objects = TicketStatusQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldRowPanel([FieldPanel("is_initial"), FieldPanel("is_closed"), FieldPanel("awaiting_tenant")]),
        FieldPanel("active"),
        FieldPanel("next_statuses", widget=forms.CheckboxSelectMultiple),
    ]

    class Meta:
        verbose_name = _("request status")
        verbose_name_plural = _("request statuses")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return translated(self.name)

    def allows(self, other, allowed_ids=None):
        """Whether a ticket in this status may move to ``other``."""
        if other is None or not other.active or other.pk == self.pk:
            return False
        if allowed_ids is None:
            allowed_ids = {status.pk for status in self.next_statuses.all()}
        return not allowed_ids or other.pk in allowed_ids


class TicketTypeQuerySet(StaffScopedQuerySet):
    # A type without a company is offered to all companies (see core.scope).
    staff_scope_shared = True

    def active(self):
        return self.filter(active=True)

    def for_portal(self):
        """Active types tenants may file themselves (``show_in_portal``)."""
        return self.active().filter(show_in_portal=True)

    def for_contract(self, contract):
        """Active types that apply to ``contract`` (its company and kind)."""
        return [
            ticket_type
            for ticket_type in self.active().filter(
                Q(company__isnull=True) | Q(company_id=contract.company_id)
            )
            if ticket_type.applies_to(contract)
        ]


class TicketTypeAdminForm(WagtailAdminModelForm):
    """Admin form of ticket types: contract kinds as check boxes (stored as a JSON list)."""

    contract_kinds = forms.MultipleChoiceField(
        label=_("contract kinds"),
        choices=Contract.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None checked: all kinds of contract."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..admin.utils import staff_users

        # Only people who can work on requests, not the thousands of tenants' users.
        self.fields["default_assignee"].queryset = staff_users()


class TicketType(ClusterableModel):
    """A kind of request tenants may file; editors add their own (Anliegen) with extra form fields."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General contact request")
        COMPLAINT = "complaint", _("Complaint")
        DAMAGE = "damage", _("Damage report")
        DOCUMENT = "document", _("Document request")
        APPOINTMENT = "appointment", _("Appointment request")
        OTHER = "other", _("Other request")

    code = models.SlugField(
        _("code"), max_length=60, unique=True, help_text=_("Stable key for the ERP and the API.")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.OTHER,
        help_text=_("Damage reports ask for location, kind of damage and access to the flat."),
    )
    description = models.TextField(
        _("description for tenants"), blank=True, help_text=_("Shown above the form.")
    )
    company = models.ForeignKey(
        "tenantportal_tenancy.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: offered to tenants of all companies."),
    )
    contract_kinds = models.JSONField(
        _("contract kinds"), default=list, blank=True, help_text=_("Empty: all kinds of contract.")
    )
    topic = models.CharField(
        _("topic"),
        max_length=20,
        choices=Topic.choices,
        default=Topic.GENERAL,
        help_text=_("Decides which contact person of the contract receives it when no rule applies."),
    )
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Receives new requests of this type unless a routing rule says otherwise."),
    )
    default_priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    due_days = models.PositiveSmallIntegerField(
        _("days to answer"), null=True, blank=True, help_text=_("Sets the due date of new requests.")
    )
    allow_attachments = models.BooleanField(_("tenants may attach photos and PDFs"), default=True)
    show_in_portal = models.BooleanField(
        _("tenants may file it"), default=True, help_text=_("Off: only staff and the ERP create it.")
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.IntegerField(_("order"), default=0)

    objects = TicketTypeQuerySet.as_manager()
    base_form_class = TicketTypeAdminForm

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("kind"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("company"), FieldPanel("contract_kinds"), FieldPanel("show_in_portal")],
            heading=_("Who may file it"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("topic"),
                FieldPanel("default_assignee"),
                FieldRowPanel([FieldPanel("default_priority"), FieldPanel("due_days")]),
            ],
            heading=_("Handling"),
        ),
        FieldRowPanel([FieldPanel("allow_attachments"), FieldPanel("active")]),
        InlinePanel("form_fields", heading=_("Extra form fields"), label=_("Form field")),
    ]

    class Meta:
        verbose_name = _("request type")
        verbose_name_plural = _("request types")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return translated(self.name)

    @property
    def is_damage_report(self):
        return self.kind == self.Kind.DAMAGE

    def applies_to(self, contract):
        """True if tenants may file this type about ``contract``: the type's company and
        contract kinds allow it, and a damage report only about premises (a flat, a parking
        space), never about a membership or a savings agreement, whatever the kinds say."""
        if self.company_id and self.company_id != contract.company_id:
            return False
        if self.is_damage_report and not contract.concerns_premises:
            return False
        return not self.contract_kinds or contract.kind in self.contract_kinds


class TicketTypeField(Orderable):
    """An extra field of a ticket type's form; answers are stored as JSON on the ticket."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Single line of text")
        TEXTAREA = "textarea", _("Several lines of text")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice from a list")
        CHECKBOX = "checkbox", _("Check box")

    ticket_type = ParentalKey(TicketType, on_delete=models.CASCADE, related_name="form_fields")
    label = models.CharField(_("label"), max_length=200)
    name = models.SlugField(
        _("key"),
        max_length=60,
        blank=True,
        help_text=_("Key in the stored answers; empty: made from the label."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(_("choices"), blank=True, help_text=_("For a choice: one option per line."))
    help_text = models.CharField(_("help text"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("label"), FieldPanel("kind"), FieldPanel("required")]),
        FieldPanel("choices"),
        FieldRowPanel([FieldPanel("help_text"), FieldPanel("name")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")

    def __str__(self):
        return self.label

    @property
    def key(self):
        return self.name or slugify(self.label).replace("-", "_")[:60] or f"field_{self.pk}"

    @property
    def choice_list(self):
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self):
        if self.kind == self.Kind.CHOICE and not self.choice_list:
            raise ValidationError({"choices": _("Enter at least one option, one per line.")})


# -- routing -------------------------------------------------------------------------------------


class RoutingRuleQuerySet(StaffScopedQuerySet):
    staff_scope_shared = True


class RoutingRule(models.Model):
    """Who receives new requests: by company, type and property. The most specific rule wins."""

    company = models.ForeignKey(
        "tenantportal_tenancy.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: any company."),
    )
    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("request type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("Empty: any type."),
    )
    property = models.ForeignKey(
        "tenantportal_tenancy.Property",
        verbose_name=_("property"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: any property."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign to"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    sort_order = models.IntegerField(
        _("order"), default=0, help_text=_("Among equally specific rules the lower number wins.")
    )
    active = models.BooleanField(_("active"), default=True)

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        parts = [str(part) for part in (self.company, self.ticket_type, self.property) if part]
        return f"{' · '.join(parts) or gettext('everything')} → {self.assignee}"

    def clean(self):
        if self.property_id and self.company_id and self.property.company_id != self.company_id:
            raise ValidationError({"property": _("The property belongs to another company.")})
