"""The outbox's tables: every message that leaves the process, and the runs that deliver them.

The models belong to the package's root app (label ``wagtail_tenantportal``, always installed):
``wagtail_tenantportal/models.py`` imports them, its ``migrations/`` create them. They live in
the core layer because mail, deferred tasks and the ERP link all write here (see
``core/outbox.py`` for the road in and out, ``docs/outbox.md`` for why the root app).

``company_id`` is a plain number, not a foreign key: the core knows no companies; the rows
of a company can be found (and scoped for staff) without the core depending on ``tenancy``.
"""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scope import StaffScopedQuerySet


class OutboxQuerySet(StaffScopedQuerySet):
    # Staff see the rows of their companies; rows for no company (a staff user's admin mail,
    # tasks of the whole portal) only users who work for every company.
    staff_scope = "company_id"

    def undelivered(self):
        """Rows still to go out: pending ones and dead letters (which block their stream)."""
        return self.filter(state__in=(OutboxMessage.State.PENDING, OutboxMessage.State.DEAD))

    def of_stream(self, stream):
        return self.filter(stream=stream)

    def due(self, now):
        """Pending rows whose time has come and that no worker holds (its lease ran out)."""
        return self.filter(state=OutboxMessage.State.PENDING, next_attempt_at__lte=now).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now)
        )

    def heads(self):
        """Rows that are next in their stream: nothing older of the same stream is waiting or
        dead. Rows without a stream are always next."""
        older = OutboxMessage.objects.undelivered().filter(
            stream=models.OuterRef("stream"), pk__lt=models.OuterRef("pk")
        )
        return self.filter(Q(stream="") | ~models.Exists(older))


class OutboxMessage(models.Model):
    """One message to deliver: a mail, a deferred task or an event for another system.

    ``channel`` names the transport that delivers it (``"mail"``, ``"task"``, ``"erp"`` ...);
    ``topic`` what it is (the event type, the task's path, ``"mail"``); ``payload`` the JSON
    the transport needs. Rows of one ``stream`` (e.g. ``"ticket:42"``) are delivered one after
    the other in the order of their ids; rows without a stream in any order. ``uuid`` is the
    message's identity towards the receiver (the webhook-id, a mail's Message-ID): delivered
    twice, it is recognisably the same message.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Failed (dead letter)")
        DISCARDED = "discarded", _("Discarded")

    uuid = models.UUIDField(_("message id"), default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=40)
    destination = models.CharField(_("destination"), max_length=100, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    stream = models.CharField(_("stream"), max_length=100, blank=True)
    company_id = models.BigIntegerField(_("company"), null=True, blank=True, db_index=True)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    locked_by = models.CharField(_("worker"), max_length=100, blank=True)
    locked_until = models.DateTimeField(_("held until"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        app_label = "wagtail_tenantportal"
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="tp_outbox_due"),
            models.Index(fields=["stream", "state"], name="tp_outbox_stream"),
        ]

    def __str__(self):
        return f"{self.topic} ({self.get_state_display()})"

    @property
    def webhook_id(self):
        """The id receivers see (``webhook-id``): ``msg_`` and the uuid's hex digits."""
        return f"msg_{self.uuid.hex}"


class OutboxWorker(models.Model):
    """A process that delivers the outbox (a django-tasks worker, the command, a web process
    running the immediate backend): when it last ran and what it did. The health panel and
    the system check read it."""

    name = models.CharField(_("worker"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("first run"), default=timezone.now)
    last_run_at = models.DateTimeField(_("last run"), default=timezone.now, db_index=True)
    delivered = models.PositiveBigIntegerField(_("delivered in the last run"), default=0)
    failed = models.PositiveBigIntegerField(_("failures in the last run"), default=0)

    class Meta:
        app_label = "wagtail_tenantportal"
        verbose_name = _("outbox worker")
        verbose_name_plural = _("outbox workers")
        ordering = ["-last_run_at"]

    def __str__(self):
        return self.name
