"""Files on tickets (imported from ``models.py``): photos, re-encoded without metadata, and
PDFs, stored in the private storage under random names. ``uploads.py`` checks and re-encodes
them before ``services`` stores them; tenants reach them only through ``visible_to``.

``attachment_path`` is referenced by migrations as ``wagtail_tenantportal.tickets.models.
attachment_path``; ``models.py`` re-exports it, so that path keeps working.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..core.scope import StaffScopedQuerySet
from ..core.storage import get_private_storage


def attachment_path(instance, filename):
    # Never the tenant's file name in the path: a random name, the extension we chose.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    now = timezone.now()
    return f"tickets/{now:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class TicketAttachmentQuerySet(StaffScopedQuerySet):
    staff_scope = "ticket__company"

    def public(self):
        return self.filter(internal=False)

    def visible_to(self, user):
        """Attachments the tenant ``user`` may download: public ones on tickets of their contracts."""
        from .models import Ticket  # models.py imports this module

        return self.public().filter(ticket__in=Ticket.objects.visible_to(user))


class TicketAttachment(models.Model):
    """A photo (re-encoded, without metadata) or PDF on a ticket or one of its messages."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        PDF = "pdf", _("PDF")

    ticket = models.ForeignKey(
        "tenantportal_tickets.Ticket",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    message = models.ForeignKey(
        "tenantportal_tickets.TicketMessage",
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
