"""The record of each run of the ERP master-data import (imported from ``models.py``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..core.scope import StaffScopedQuerySet


class ImportRunQuerySet(StaffScopedQuerySet):
    # A run for no one company (a command, or a superuser's upload of several companies) is
    # seen only by users who work for all companies.
    pass


class ImportRun(models.Model):
    """One run of the ERP master-data import, kept for staff to see what changed."""

    class Source(models.TextChoices):
        COMMAND = "command", _("Management command")
        ADMIN = "admin", _("Admin upload")
        CODE = "code", _("Code / API")

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.CODE)
    company = models.ForeignKey(
        "tenantportal_tenancy.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The company the import was limited to; empty: every company named in the files."),
    )
    files = models.JSONField(_("files"), default=list)
    dry_run = models.BooleanField(_("dry run"), default=False)
    partial = models.BooleanField(_("partial import allowed"), default=False)
    committed = models.BooleanField(_("committed"), default=False)
    summary = models.JSONField(_("summary"), default=dict)
    errors = models.JSONField(_("rejected rows"), default=list)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} ({', '.join(self.files)})"
