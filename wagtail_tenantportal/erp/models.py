"""The ERP link's data: one connection per company, how its requests map to the ERP's case
types and clerks, what the ERP last said about a request, and every call the ERP made.

Secrets: the inbound API key is stored as its SHA-256 digest only (it is a random 256-bit
value, so a slow password hash would only slow every call down without adding safety); the
signing secret of the Standard Webhooks signatures must be readable to sign and verify, so it
is stored as it is and shown to staff who may change the connection.
"""

import base64
import hashlib
import hmac
import ipaddress
import secrets

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from ..core.scope import StaffScopedQuerySet

KEY_PREFIX = "tperp_"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of Standard Webhooks secrets, not a secret
DUMMY_CONNECTOR = "wagtail_tenantportal.erp.connectors.DummyConnector"
WEBHOOK_CONNECTOR = "wagtail_tenantportal.erp.connectors.WebhookConnector"


def default_connector():
    return {"CLASS": WEBHOOK_CONNECTOR, "OPTIONS": {"url": "https://erp.example.org/webhooks/portal"}}


def new_signing_secret():
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def key_digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def parse_networks(text):
    """The addresses and networks of ``text`` (one per line, ``#`` starts a comment).
    Raises ``ValueError`` naming the first line that is neither."""
    networks = []
    for line in (text or "").splitlines():
        value = line.split("#", 1)[0].strip()
        if value:
            networks.append(ipaddress.ip_network(value, strict=False))
    return networks


class ConnectionQuerySet(StaffScopedQuerySet):
    staff_scope = "company"

    def active(self):
        return self.filter(active=True)

    def by_key(self, key):
        """The active connection whose current key, or previous key within its grace period,
        is ``key``; None for any other value. One query."""
        if not key or not key.startswith(KEY_PREFIX):
            return None
        prefix = key[len(KEY_PREFIX) : len(KEY_PREFIX) + 8]
        digest = key_digest(key)
        now = timezone.now()
        candidates = self.active().filter(
            Q(key_prefix=prefix) | Q(previous_key_prefix=prefix, previous_key_expires_at__gt=now)
        )
        for connection in candidates.select_related("company"):
            if connection.key_hash and hmac.compare_digest(connection.key_hash, digest):
                return connection
            if (
                connection.previous_key_hash
                and connection.previous_key_expires_at
                and connection.previous_key_expires_at > now
                and hmac.compare_digest(connection.previous_key_hash, digest)
            ):
                return connection
        return None


class Connection(ClusterableModel):
    """How one company's portal talks to its ERP, both ways.

    Outgoing: ``connector`` names the connector class and its options,
    ``{"CLASS": "dotted.path", "OPTIONS": {...}}`` (``connectors.WebhookConnector`` posts
    signed JSON; ``connectors.DummyConnector`` keeps events in memory for demos and tests).
    Incoming: the ERP authenticates with its API key (``Authorization: Bearer tperp_…``) and
    signs each call with the signing secret (Standard Webhooks); ``allowed_addresses``
    optionally limits where calls may come from.
    """

    company = models.OneToOneField(
        "tenantportal_tenancy.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="erp_connection",
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. the ERP's product name."))
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive: no events are recorded and no calls accepted.")
    )
    connector = models.JSONField(
        _("connector"),
        default=default_connector,
        encoder=DjangoJSONEncoder,
        help_text=_('{"CLASS": "dotted.path.Connector", "OPTIONS": {...}}; see the ERP documentation.'),
    )
    send_internal_notes = models.BooleanField(
        _("send internal notes"), default=False, help_text=_("Also send staff's internal notes to the ERP.")
    )
    default_case_type = models.CharField(
        _("default case type"), max_length=100, blank=True, help_text=_("When no mapping below matches.")
    )
    default_clerk = models.CharField(_("default clerk"), max_length=100, blank=True)
    key_prefix = models.CharField(_("key id"), max_length=8, blank=True, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, blank=True, editable=False)
    key_created_at = models.DateTimeField(_("key issued"), null=True, blank=True, editable=False)
    previous_key_prefix = models.CharField(max_length=8, blank=True, editable=False)
    previous_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    previous_key_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    signing_secret = models.CharField(
        _("signing secret"), max_length=100, default=new_signing_secret, editable=False
    )
    previous_signing_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    allowed_addresses = models.TextField(
        _("allowed addresses"),
        blank=True,
        help_text=_(
            "Addresses or networks the ERP calls from, one per line (e.g. 203.0.113.0/24). Empty: any."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ConnectionQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("company"), FieldPanel("name")]),
        FieldPanel("active"),
        FieldPanel("connector"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("default_case_type"), FieldPanel("default_clerk")]),
                InlinePanel("case_mappings", label=_("Case mapping")),
            ],
            heading=_("Case types and clerks"),
        ),
        FieldPanel("send_internal_notes"),
        FieldPanel("allowed_addresses"),
    ]

    class Meta:
        verbose_name = _("ERP connection")
        verbose_name_plural = _("ERP connections")
        ordering = ["company__name"]

    def __str__(self):
        return f"{self.name} ({self.company})"

    def clean(self):
        from .connectors import connector_errors

        errors = {}
        problems = connector_errors(self.connector)
        if problems:
            errors["connector"] = problems
        try:
            parse_networks(self.allowed_addresses)
        except ValueError as exc:
            errors["allowed_addresses"] = [_("Not an address or network: %(error)s") % {"error": exc}]
        if errors:
            raise ValidationError(errors)

    # -- secrets -------------------------------------------------------------------------------

    def issue_key(self, *, grace=None, now=None):
        """A new API key (returned once, stored as its digest). With ``grace`` (a timedelta)
        the key before it keeps working that long. Saves the connection."""
        now = now or timezone.now()
        prefix = secrets.token_hex(4)
        key = f"{KEY_PREFIX}{prefix}{secrets.token_urlsafe(32)}"
        if grace and self.key_hash:
            self.previous_key_prefix, self.previous_key_hash = self.key_prefix, self.key_hash
            self.previous_key_expires_at = now + grace
        else:
            self.previous_key_prefix, self.previous_key_hash, self.previous_key_expires_at = "", "", None
        self.key_prefix, self.key_hash, self.key_created_at = prefix, key_digest(key), now
        self.save()
        return key

    def rotate_signing_secret(self, *, grace=None, now=None):
        """A new signing secret; with ``grace`` the old one still verifies calls and still
        signs events (a second signature) that long. Saves the connection; returns the secret."""
        now = now or timezone.now()
        if grace:
            self.previous_signing_secret = self.signing_secret
            self.previous_secret_expires_at = now + grace
        else:
            self.previous_signing_secret, self.previous_secret_expires_at = "", None
        self.signing_secret = new_signing_secret()
        self.save()
        return self.signing_secret

    def signing_secrets(self, now=None):
        """The secrets that sign and verify now: the current one, and the previous one during
        its grace period."""
        now = now or timezone.now()
        found = [self.signing_secret]
        if (
            self.previous_signing_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > now
        ):
            found.append(self.previous_signing_secret)
        return found

    def allows_address(self, address):
        networks = parse_networks(self.allowed_addresses)
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in network for network in networks)


class CaseMapping(Orderable):
    """Which ERP case type and clerk a request gets: the most specific matching row wins
    (damage kind, then category, then location, then request type), else the connection's
    defaults."""

    connection = ParentalKey(Connection, on_delete=models.CASCADE, related_name="case_mappings")
    ticket_type = models.ForeignKey(
        "tenantportal_tickets.TicketType",
        verbose_name=_("request type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    damage_location = models.ForeignKey(
        "tenantportal_tickets.DamageLocation",
        verbose_name=_("damage location"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    damage_category = models.ForeignKey(
        "tenantportal_tickets.DamageCategory",
        verbose_name=_("damage category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    damage_kind = models.ForeignKey(
        "tenantportal_tickets.DamageKind",
        verbose_name=_("damage kind"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    case_type = models.CharField(_("ERP case type"), max_length=100)
    clerk = models.CharField(_("ERP clerk"), max_length=100, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("ticket_type"), FieldPanel("damage_location")]),
        FieldRowPanel([FieldPanel("damage_category"), FieldPanel("damage_kind")]),
        FieldRowPanel([FieldPanel("case_type"), FieldPanel("clerk")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("case mapping")
        verbose_name_plural = _("case mappings")

    def __str__(self):
        return self.case_type

    @property
    def specificity(self):
        if self.damage_kind_id:
            return 4
        if self.damage_category_id:
            return 3
        if self.damage_location_id:
            return 2
        return 1 if self.ticket_type_id else 0

    def matches(self, ticket):
        return (
            (not self.ticket_type_id or self.ticket_type_id == ticket.ticket_type_id)
            and (not self.damage_location_id or self.damage_location_id == ticket.damage_location_id)
            and (not self.damage_category_id or self.damage_category_id == ticket.damage_category_id)
            and (not self.damage_kind_id or self.damage_kind_id == ticket.damage_kind_id)
        )


class CaseLink(models.Model):
    """What the ERP said last about a request: the time of the status it set (out-of-order
    updates older than it are ignored)."""

    ticket = models.OneToOneField(
        "tenantportal_tickets.Ticket",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="erp_link",
    )
    status_at = models.DateTimeField(_("ERP status time"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ERP case link")
        verbose_name_plural = _("ERP case links")

    def __str__(self):
        return str(self.ticket_id)


class InboundCallQuerySet(StaffScopedQuerySet):
    staff_scope = "connection__company"


class InboundCall(models.Model):
    """One call of the ERP to the inbound API: the audit trail, and the record that makes a
    second call with the same ``webhook-id`` a replay (answered with the first result)."""

    connection = models.ForeignKey(
        Connection, verbose_name=_("connection"), on_delete=models.CASCADE, related_name="calls"
    )
    webhook_id = models.CharField(_("webhook-id"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=40)
    target = models.CharField(_("target"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("answer"))
    body_sha256 = models.CharField(max_length=64, blank=True)
    response = models.JSONField(_("result"), default=dict, encoder=DjangoJSONEncoder)

    objects = InboundCallQuerySet.as_manager()

    class Meta:
        verbose_name = _("ERP call")
        verbose_name_plural = _("ERP calls")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "webhook_id"],
                condition=~Q(webhook_id=""),
                name="tenantportal_erp_call_once",
            )
        ]

    def __str__(self):
        return f"{self.action} {self.target} ({self.status_code})"
