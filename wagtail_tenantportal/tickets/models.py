"""Tickets (Vorgänge): what tenants ask or report, with status history and messages.

The models live in modules by concern, all imported here (the app's models module, and the
import path other code uses):

- ``setup_models``: statuses, ticket types with their own form fields, routing rules, and the
  choices ``Priority`` and ``Channel``;
- ``damage_models``: the damage taxonomy (location → category → kind);
- this module: the ticket, its reference counter, status history and messages;
- ``attachment_models``: photos and PDFs on tickets and messages;
- ``tenant_models``: "me too" supporters, read marks and mail preferences.

Ownership: ``Ticket.objects.visible_to(user)`` are the user's own tickets on their contracts;
every tenant view and download starts there (attachments through
``TicketAttachment.objects.visible_to``). A co-tenant's requests and messages stay the
co-tenant's (``core.ownership.own_or_shared``) unless the company lets co-tenants see each
other's (``Company.co_tenants_share_requests``). Tickets a tenant joined with "me too" are
reachable read-only through ``joined_by(user)``; reports of shared areas (a co-tenant's too)
are offered to join through ``shared_open_for(user)``.

Reads go through the queryset methods here and ``services`` (``queries.py``); all writes go
through ``services.py``.
"""

import builtins

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..core import ownership
from ..core.scope import StaffScopedQuerySet
from ..tenancy.models import Contract
from .attachment_models import TicketAttachment, TicketAttachmentQuerySet, attachment_path
from .damage_models import DamageCategory, DamageKind, DamageLocation, TaxonomyQuerySet
from .setup_models import (
    SEEDED_LABELS,
    Channel,
    Priority,
    RoutingRule,
    TicketStatus,
    TicketStatusQuerySet,
    TicketType,
    TicketTypeAdminForm,
    TicketTypeField,
    TicketTypeQuerySet,
    translated,
)
from .tenant_models import NotificationPreference, TicketRead, TicketSupporter, portal_account_id

# -- tickets -------------------------------------------------------------------------------------


#: Relations a tenant's list of requests prints (``with_list_data``).
LIST_RELATED = ("ticket_type", "status", "contract", "damage_location", "damage_category", "damage_kind")
#: Relations the staff inbox prints (``for_inbox``).
INBOX_RELATED = ("ticket_type", "status", "contract", "property", "assignee", "company", "damage_category")


class TicketQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        """The tickets of ``user``'s own parties on their contracts, and the contract's tickets
        that name no party; with the company's ``co_tenants_share_requests`` every ticket on
        the contracts (none for anonymous users and staff without parties)."""
        scope = ownership.own_or_shared(user, shared_with_co_tenants="company__co_tenants_share_requests")
        return self.none() if scope is None else self.filter(scope)

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
        account_id = portal_account_id(user)
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

    def with_list_data(self, user, *, messages=True):
        """What a tenant's list of requests prints: type, status, contract and damage joined
        (one query), and the news marks of ``with_news``."""
        return self.with_news(user, messages=messages).select_related(*LIST_RELATED)

    def with_supporter_total(self):
        """Annotate ``supporter_total``: how many tenants joined with "me too" (a correlated
        subquery, so the listing stays one query)."""
        rows = (
            TicketSupporter.objects.filter(ticket=models.OuterRef("pk"))
            .order_by()
            .values("ticket")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        total = Coalesce(models.Subquery(rows, output_field=models.IntegerField()), models.Value(0))
        return self.annotate(supporter_total=total)

    def for_inbox(self):
        """What the staff inbox columns and the export print, in one query."""
        return self.select_related(*INBOX_RELATED).with_supporter_total()

    def search(self, query):
        """The staff inbox search: reference, subject or contract number containing ``query``,
        or exactly the ERP id."""
        return self.filter(
            Q(reference__icontains=query)
            | Q(subject__icontains=query)
            | Q(contract__number__icontains=query)
            | Q(external_id=query)
        )

    def open(self):
        return self.filter(status__is_closed=False)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def shared_open_for(self, user):
        """Open reports in shared areas of the buildings where ``user`` holds a contract, other than
        the ones the user sees as their own (a co-tenant's report of the stairwell included):
        the candidates for "me too"."""
        contracts = Contract.objects.visible_to(user).current()
        return (
            self.open()
            .filter(damage_location__is_shared_area=True, property__isnull=False)
            .filter(property__in=contracts.filter(unit__isnull=False).values("unit__property_id"))
            .exclude(pk__in=Ticket.objects.visible_to(user).values("pk"))
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


class TicketMessageQuerySet(StaffScopedQuerySet):
    staff_scope = "ticket__company"

    def public(self):
        return self.filter(internal=False)

    def staff_replies(self):
        """Public messages of staff: what tenants count as a reply (no internal notes)."""
        return self.public().filter(author_role=TicketMessage.Role.STAFF)

    def unread_by(self, user):
        """Staff replies newer than ``user``'s read mark of their ticket (all for tickets never
        opened; none for users without a portal account). Callers limit the tickets."""
        account_id = portal_account_id(user)
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


__all__ = [
    "SEEDED_LABELS",
    "Channel",
    "DamageCategory",
    "DamageKind",
    "DamageLocation",
    "DamageReportPage",
    "NotificationPreference",
    "Priority",
    "RequestListPage",
    "RoutingRule",
    "TaxonomyQuerySet",
    "Ticket",
    "TicketAttachment",
    "TicketAttachmentQuerySet",
    "TicketMessage",
    "TicketMessageQuerySet",
    "TicketQuerySet",
    "TicketRead",
    "TicketSequence",
    "TicketStatus",
    "TicketStatusChange",
    "TicketStatusQuerySet",
    "TicketSupporter",
    "TicketType",
    "TicketTypeAdminForm",
    "TicketTypeField",
    "TicketTypeQuerySet",
    "attachment_path",
    "translated",
]

# Page types live with their sub-app (see pages.py).
from .pages import DamageReportPage, RequestListPage  # noqa: E402, F401
