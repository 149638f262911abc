"""Tickets (Vorgänge): what tenants ask or report, with status history, messages and attachments.

Configuration that editors maintain (snippets): ticket types with their own form fields,
statuses, and the damage taxonomy (location → category → kind). Routing rules are edited by
staff. Names of the seeded types and statuses are English msgids shown through the catalogue
(``label``); names editors type are shown as typed (in German).

Ownership: ``Ticket.objects.visible_to(user)`` are the tickets on the user's contracts; every
tenant view and download starts there (attachments through ``TicketAttachment.objects.visible_to``).
Tickets a tenant joined with "me too" are reachable read-only through ``joined_by(user)``.

All writes go through ``services.py``.
"""

import builtins
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from ..core.storage import get_private_storage
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


# -- configuration: statuses, types, damage taxonomy ---------------------------------------------


class TicketStatusQuerySet(models.QuerySet):
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


class TicketTypeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

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
        if self.company_id and self.company_id != contract.company_id:
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


class TaxonomyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class DamageLocation(models.Model):
    """Where the damage is: kitchen, bathroom, stairwell, lift, ... (Schadensort)."""

    name = models.CharField(_("name"), max_length=120)
    company = models.ForeignKey(
        "tenantportal_tenancy.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: for all companies."),
    )
    is_shared_area = models.BooleanField(
        _("shared area"),
        default=False,
        help_text=_(
            "Stairwell, lift, entrance: other tenants of the building see open reports and can join them."
        ),
    )
    sort_order = models.IntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = TaxonomyQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("company"), FieldPanel("is_shared_area"), FieldPanel("active")]

    class Meta:
        verbose_name = _("damage location")
        verbose_name_plural = _("damage locations")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class DamageCategory(models.Model):
    """A group of damage at a location: plumbing, electrics, windows, ... (Schadenskategorie)."""

    location = models.ForeignKey(
        DamageLocation, verbose_name=_("damage location"), on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(_("name"), max_length=120)
    sort_order = models.IntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = TaxonomyQuerySet.as_manager()

    panels = [FieldPanel("location"), FieldPanel("name"), FieldPanel("active")]

    class Meta:
        verbose_name = _("damage category")
        verbose_name_plural = _("damage categories")
        ordering = ["location__sort_order", "sort_order", "name"]

    def __str__(self):
        return f"{self.location.name} – {self.name}"


class DamageKind(models.Model):
    """What exactly is wrong: dripping tap, no heating, ... (Schadensart)."""

    class Urgency(models.TextChoices):
        NONE = "", _("Not urgent")
        ALWAYS = "always", _("Always urgent")
        HEATING_SEASON = "heating_season", _("Urgent in the heating season")

    category = models.ForeignKey(
        DamageCategory, verbose_name=_("damage category"), on_delete=models.CASCADE, related_name="kinds"
    )
    name = models.CharField(_("name"), max_length=160)
    urgency = models.CharField(
        _("urgency"),
        max_length=20,
        choices=Urgency.choices,
        blank=True,
        default=Urgency.NONE,
        help_text=_("Urgent kinds show the emergency phone number to the tenant."),
    )
    hint = models.TextField(
        _("advice for tenants"),
        blank=True,
        help_text=_("e.g. 'Close the main water valve.' Shown for urgent kinds."),
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=Priority.choices,
        blank=True,
        help_text=_("Empty: the priority of the request type (urgent kinds: urgent)."),
    )
    sort_order = models.IntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = TaxonomyQuerySet.as_manager()

    panels = [
        FieldPanel("category"),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("urgency"), FieldPanel("priority")]),
        FieldPanel("hint"),
        FieldPanel("active"),
    ]

    class Meta:
        verbose_name = _("damage kind")
        verbose_name_plural = _("damage kinds")
        ordering = ["category__location__sort_order", "category__sort_order", "sort_order", "name"]

    def __str__(self):
        return self.name

    def is_urgent(self, on=None):
        """Whether a report of this kind is an emergency on ``on`` (default today)."""
        if self.urgency == self.Urgency.ALWAYS:
            return True
        if self.urgency == self.Urgency.HEATING_SEASON:
            from ..core.conf import portal_settings

            month = (on or timezone.localdate()).month
            return month in portal_settings.TICKET_HEATING_MONTHS
        return False


# -- routing -------------------------------------------------------------------------------------


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


# -- tickets -------------------------------------------------------------------------------------


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tickets on the contracts ``user`` holds (none for anonymous users and staff without parties)."""
        return self.filter(contract__in=Contract.objects.visible_to(user))

    def joined_by(self, user):
        """Tickets ``user`` joined with "me too" (read-only for them)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(supporters__user=user)

    def with_news(self, user, *, messages=True):
        """Annotate what the tenant ``user`` has not seen yet (see ``TicketRead``).

        ``has_new_reply``: a public staff message newer than the user's read mark of the ticket;
        ``has_new_status``: a status change after filing newer than it. A ticket never opened
        has news if any such message or change exists. ``messages=False`` for tickets whose
        messages the user may not read (joined with "me too"): ``has_new_reply`` is then False.
        Two EXISTS subqueries in the same query, however many tickets there are.
        """
        account_id = _account_id(user)
        if account_id is None:
            return self.annotate(
                has_new_reply=models.Value(False, output_field=models.BooleanField()),
                has_new_status=models.Value(False, output_field=models.BooleanField()),
            )

        def seen_since(field):
            return models.Exists(
                TicketRead.objects.filter(
                    account_id=account_id,
                    ticket=models.OuterRef("ticket"),
                    last_seen_at__gte=models.OuterRef(field),
                )
            )

        new_status = TicketStatusChange.objects.filter(
            ticket=models.OuterRef("pk"), from_status__isnull=False
        ).filter(~seen_since("changed_at"))
        if messages:
            new_reply = models.Exists(
                TicketMessage.objects.staff_replies()
                .filter(ticket=models.OuterRef("pk"))
                .filter(~seen_since("created_at"))
            )
        else:
            new_reply = models.Value(False, output_field=models.BooleanField())
        return self.annotate(has_new_reply=new_reply, has_new_status=models.Exists(new_status))

    def open(self):
        return self.filter(status__is_closed=False)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def shared_open_for(self, user):
        """Open reports in shared areas of the buildings where ``user`` holds a contract, other than
        the user's own: the candidates for "me too"."""
        contracts = Contract.objects.visible_to(user).current()
        return (
            self.open()
            .filter(damage_location__is_shared_area=True, property__isnull=False)
            .filter(property__in=contracts.filter(unit__isnull=False).values("unit__property_id"))
            .exclude(contract__in=Contract.objects.visible_to(user))
        )


class Ticket(models.Model):
    """One request or report (Vorgang) on a contract.

    Not in Wagtail's search index: the staff inbox searches the database directly, and tenants'
    texts stay out of a second store.
    """

    class AccessPermission(models.TextChoices):
        ASK_FIRST = "ask_first", _("Please make an appointment with me")
        MAY_ENTER = "may_enter", _("You may enter with the master key when I am not at home")
        NOT_NEEDED = "not_needed", _("No access to my flat is needed")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    company = models.ForeignKey(
        "tenantportal_tenancy.Company", verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="tickets"
    )
    property = models.ForeignKey(
        "tenantportal_tenancy.Property",
        verbose_name=_("property"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="tickets"
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.ForeignKey(
        TicketStatus, verbose_name=_("status"), on_delete=models.PROTECT, related_name="tickets"
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tenantportal_assigned_tickets",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    channel = models.CharField(_("created via"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    external_id = models.CharField(
        _("ERP id"),
        max_length=64,
        blank=True,
        help_text=_("Key of this request in the ERP's case management."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tenantportal_created_tickets",
    )
    party = models.ForeignKey(
        "tenantportal_tenancy.Party",
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    # Damage reports: the taxonomy entries chosen (kept even if editors deactivate them).
    damage_location = models.ForeignKey(
        DamageLocation,
        verbose_name=_("damage location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    damage_category = models.ForeignKey(
        DamageCategory,
        verbose_name=_("damage category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    damage_kind = models.ForeignKey(
        DamageKind,
        verbose_name=_("damage kind"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_urgent = models.BooleanField(_("emergency"), default=False)
    # How to reach the tenant and when someone may enter.
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    reachability = models.CharField(_("best reached"), max_length=300, blank=True)
    access_permission = models.CharField(
        _("access to the flat"), max_length=20, choices=AccessPermission.choices, blank=True
    )
    access_times = models.CharField(_("when someone may come"), max_length=300, blank=True)
    # Answers to the type's extra fields: [{"key", "label", "kind", "value"}], in form order.
    form_data = models.JSONField(_("further details"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "external_id"],
                condition=~Q(external_id=""),
                name="tenantportal_ticket_external_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "created_at"], name="tenantportal_ticket_contract"),
            models.Index(fields=["assignee", "status"], name="tenantportal_ticket_assignee"),
            models.Index(fields=["property", "status"], name="tenantportal_ticket_property"),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("wagtail_tenantportal:ticket_detail", args=[self.reference])

    @builtins.property  # the field 'property' shadows the builtin in this class body
    def has_news(self):
        """A staff reply or status change the tenant has not seen (needs ``with_news``)."""
        return bool(getattr(self, "has_new_reply", False) or getattr(self, "has_new_status", False))

    @builtins.property  # the field 'property' shadows the builtin in this class body
    def is_closed(self):
        return self.status.is_closed

    @builtins.property  # the field 'property' shadows the builtin in this class body
    def is_overdue(self):
        return bool(self.due_date and not self.status.is_closed and self.due_date < timezone.localdate())

    @builtins.property  # the field 'property' shadows the builtin in this class body
    def damage_summary(self):
        """ "Location – category – kind" of a damage report ("" for other requests)."""
        parts = [
            getattr(self.damage_location, "name", ""),
            getattr(self.damage_category, "name", ""),
            getattr(self.damage_kind, "name", ""),
        ]
        return " – ".join(part for part in parts if part)


class TicketSequence(models.Model):
    """Last reference number issued per year (``2026-004217``)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference number counter")
        verbose_name_plural = _("reference number counters")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class TicketStatusChange(models.Model):
    """One step of a ticket's history: who moved it from which status to which, when, and why."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("request"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.ForeignKey(
        TicketStatus,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_status = models.ForeignKey(
        TicketStatus, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    comment = models.TextField(_("comment for the tenant"), blank=True)
    channel = models.CharField(_("via"), max_length=10, choices=Channel.choices, default=Channel.STAFF)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.ticket.reference}: {self.from_status} → {self.to_status}"


class TicketMessageQuerySet(models.QuerySet):
    def public(self):
        return self.filter(internal=False)

    def staff_replies(self):
        """Public messages of staff: what tenants count as a reply (no internal notes)."""
        return self.public().filter(author_role=TicketMessage.Role.STAFF)

    def unread_by(self, user):
        """Staff replies newer than ``user``'s read mark of their ticket (all for tickets never
        opened; none for users without a portal account). Callers limit the tickets."""
        account_id = _account_id(user)
        if account_id is None:
            return self.none()
        seen = TicketRead.objects.filter(
            account_id=account_id,
            ticket=models.OuterRef("ticket"),
            last_seen_at__gte=models.OuterRef("created_at"),
        )
        return self.staff_replies().filter(~models.Exists(seen))


class TicketMessage(models.Model):
    """A message in a ticket's thread; internal notes are for staff only."""

    class Role(models.TextChoices):
        TENANT = "tenant", _("Tenant")
        STAFF = "staff", _("Staff")
        SYSTEM = "system", _("System")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("request"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_role = models.CharField(_("from"), max_length=10, choices=Role.choices, default=Role.TENANT)
    body = models.TextField(_("message"))
    internal = models.BooleanField(_("internal note"), default=False)
    channel = models.CharField(_("via"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    external_id = models.CharField(_("ERP id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    objects = TicketMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.ticket.reference}: {self.body[:40]}"


def attachment_path(instance, filename):
    # Never the tenant's file name in the path: a random name, the extension we chose.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    now = timezone.now()
    return f"tickets/{now:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class TicketAttachmentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(internal=False)

    def visible_to(self, user):
        """Attachments the tenant ``user`` may download: public ones on tickets of their contracts."""
        return self.public().filter(ticket__in=Ticket.objects.visible_to(user))


class TicketAttachment(models.Model):
    """A photo (re-encoded, without metadata) or PDF on a ticket or one of its messages."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        PDF = "pdf", _("PDF")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("request"), on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        TicketMessage,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), storage=get_private_storage, upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField(
        _("thumbnail"), storage=get_private_storage, upload_to=attachment_path, max_length=200, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = TicketAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.kind == self.Kind.IMAGE


class TicketSupporter(models.Model):
    """A tenant of the same building who joined a report in a shared area ("me too")."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("request"), on_delete=models.CASCADE, related_name="supporters"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("tenant who also reported it")
        verbose_name_plural = _("tenants who also reported it")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="tenantportal_ticket_supporter_unique")
        ]

    def __str__(self):
        return f"{self.ticket.reference}: {self.user}"


def _account_id(user):
    """Id of the ``PortalAccount`` of ``user`` (None for anonymous users and staff without one);
    no query once the session check has loaded the account."""
    from ..accounts.auth import get_account

    account = get_account(user)
    return account.pk if account is not None else None


class TicketRead(models.Model):
    """When a tenant last opened a request in the portal: replies and status changes after that
    are "new" for them (``Ticket.objects.with_news``). One row per account and request, written
    by ``services.mark_seen`` (an upsert) when the tenant opens the request's page."""

    account = models.ForeignKey(
        "tenantportal_accounts.PortalAccount",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="ticket_reads",
    )
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("request"), on_delete=models.CASCADE, related_name="reads"
    )
    last_seen_at = models.DateTimeField(_("last opened"), default=timezone.now)

    class Meta:
        verbose_name = _("read mark of a request")
        verbose_name_plural = _("read marks of requests")
        constraints = [
            models.UniqueConstraint(fields=["account", "ticket"], name="tenantportal_ticket_read_unique")
        ]

    def __str__(self):
        return f"{self.ticket_id}: {self.account_id} {self.last_seen_at:%Y-%m-%d %H:%M}"


class NotificationPreference(models.Model):
    """Which ticket emails a tenant wants. Without a record every email is sent."""

    account = models.OneToOneField(
        "tenantportal_accounts.PortalAccount",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="ticket_notifications",
    )
    status_changes = models.BooleanField(_("email me when the status of a request changes"), default=True)
    replies = models.BooleanField(_("email me when I get a reply"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.account)


# Page types live with their sub-app (see pages.py).
from .pages import DamageReportPage, RequestListPage  # noqa: E402, F401
