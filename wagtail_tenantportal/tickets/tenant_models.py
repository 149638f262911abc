"""What tenants add around a ticket (imported from ``models.py``): joining a report in a shared
area ("me too", ``TicketSupporter``), read marks that decide what is "new" for them
(``TicketRead``), and which ticket emails they want (``NotificationPreference``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..tenancy.models import Contract


class TicketSupporter(models.Model):
    """A tenant of the same building who joined a report in a shared area ("me too")."""

    ticket = models.ForeignKey(
        "tenantportal_tickets.Ticket",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="supporters",
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


def portal_account_id(user):
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
        "tenantportal_tickets.Ticket",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="reads",
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
