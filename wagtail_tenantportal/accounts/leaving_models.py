"""The data export of a portal account (GDPR Art. 15/20): a ZIP prepared in the background on
the private storage, offered to its owner for ``DATA_EXPORT_DAYS`` days (see ``leaving.py``)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..core.storage import LazyPrivateStorage


def data_export_upload_to(instance, filename):
    """``exports/<uuid>.zip``: the name says nothing about the person."""
    return f"exports/{instance.uuid.hex}.zip"


class DataExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The exports of ``user`` (nobody else's: staff neither; an export is the tenant's own)."""
        if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
            return self.none()
        return self.filter(user=user)

    def in_preparation(self):
        return self.filter(state=DataExport.State.PENDING)

    def expired(self, now=None):
        """Exports past their offer, and ones that failed or got stuck for more than a day (so the
        tenant can ask again)."""
        now = now or timezone.now()
        stuck = Q(
            state__in=[DataExport.State.PENDING, DataExport.State.FAILED],
            requested_at__lte=now - timedelta(days=1),
        )
        return self.filter(Q(expires_at__lte=now) | stuck)


class DataExport(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(_("export id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="tenantportal_data_exports",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True, db_index=True)
    file = models.FileField(
        _("file"), storage=LazyPrivateStorage(), upload_to=data_export_upload_to, max_length=255, blank=True
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    file_count = models.PositiveIntegerField(_("files"), default=0)

    objects = DataExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One export in preparation per user: asking twice starts no second job.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state="pending"),
                name="tenantportal_one_pending_export",
            )
        ]

    def __str__(self):
        return f"{self.uuid} ({self.get_state_display()})"

    @property
    def available(self):
        return (
            self.state == self.State.READY
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def filename(self):
        return f"portal-data-{self.requested_at:%Y-%m-%d}.zip"
