"""The notice board (Schwarzes Brett): news of the company for some or all of its properties.

A ``Notice`` belongs to one ``Company`` and is meant for a set of its properties (none: all of
them). Tenants see the notices of the companies and buildings of their current contracts
while the notice's time window is open. ``NoticeRead`` records per portal account which
notices it has opened, so the portal can mark the others "new".
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField

from ..core.scope import StaffScopedQuerySet
from ..tenancy.models import Company, Contract, Property


class NoticeQuerySet(StaffScopedQuerySet):
    def current(self, now=None):
        """Notices whose time window is open at ``now``."""
        now = now or timezone.now()
        return self.filter(visible_from__lte=now).filter(
            Q(visible_until__isnull=True) | Q(visible_until__gt=now)
        )

    def visible_to(self, user, now=None):
        """Notices ``user`` may read now: current, of a company where the user holds a current
        contract, and meant for all its properties or for a building of such a contract.
        One query (subqueries); empty for anonymous users and users without parties."""
        now = now or timezone.now()
        contracts = Contract.objects.visible_to(user).current(timezone.localdate(now))
        targets = Notice.properties.through.objects.filter(notice_id=OuterRef("pk"))
        mine = targets.filter(
            property_id__in=contracts.filter(unit__isnull=False).values("unit__property_id")
        )
        return (
            self.current(now)
            .filter(company_id__in=contracts.values("company_id"))
            .filter(~Exists(targets) | Exists(mine))
        )

    def with_new(self, user):
        """Annotate ``is_new``: ``user``'s portal account has not opened the notice yet."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.annotate(is_new=models.Value(True, output_field=models.BooleanField()))
        reads = NoticeRead.objects.filter(notice_id=OuterRef("pk"), account__user=user)
        return self.annotate(is_new=~Exists(reads))

    def for_tenant(self, user, now=None):
        """What the tenant's lists show: visible, ``is_new`` annotated, important first, newest first."""
        return (
            self.visible_to(user, now)
            .with_new(user)
            .select_related("company")
            .order_by("-important", "-visible_from", "-pk")
        )


class Notice(models.Model):
    """One notice on the board: water shut-off, maintenance, an event, general information."""

    class Category(models.TextChoices):
        WATER_SHUT_OFF = "water_shut_off", _("Water shut-off")
        MAINTENANCE = "maintenance", _("Maintenance work")
        INFORMATION = "information", _("Information")
        EVENT = "event", _("Event")
        OTHER = "other", _("Other")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="notices"
    )
    properties = models.ManyToManyField(
        Property,
        verbose_name=_("properties"),
        blank=True,
        related_name="notices",
        help_text=_("Empty: the notice is for all properties of the company."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = RichTextField(_("text"), features=["bold", "italic", "link", "ol", "ul"])
    category = models.CharField(
        _("category"), max_length=30, choices=Category.choices, default=Category.INFORMATION
    )
    important = models.BooleanField(
        _("important"),
        default=False,
        help_text=_("Important notices are shown first and marked as important."),
    )
    visible_from = models.DateTimeField(
        _("visible from"), default=timezone.now, help_text=_("Tenants see the notice from this time on.")
    )
    visible_until = models.DateTimeField(
        _("visible until"),
        null=True,
        blank=True,
        help_text=_("Empty: until staff remove it. E.g. the end of the water shut-off."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    mailed_at = models.DateTimeField(
        _("mailed to tenants"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the tenants were told about this important notice by email."),
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-visible_from", "-pk"]
        indexes = [
            models.Index(fields=["company", "visible_from"], name="tenantportal_notice_company"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_current(self):
        now = timezone.now()
        return self.visible_from <= now and (self.visible_until is None or self.visible_until > now)

    def get_state_display(self):
        now = timezone.now()
        if self.visible_from > now:
            return _("Scheduled")
        if self.visible_until is not None and self.visible_until <= now:
            return _("Expired")
        return _("Visible")


class NoticeRead(models.Model):
    """A portal account has opened a notice (for the "new" marks)."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="reads"
    )
    account = models.ForeignKey(
        "tenantportal_accounts.PortalAccount",
        verbose_name=_("portal account"),
        on_delete=models.CASCADE,
        related_name="notice_reads",
    )
    read_at = models.DateTimeField(_("read"), default=timezone.now)

    class Meta:
        verbose_name = _("notice read")
        verbose_name_plural = _("notices read")
        constraints = [
            models.UniqueConstraint(fields=["notice", "account"], name="tenantportal_notice_read_unique"),
        ]

    def __str__(self):
        return f"{self.notice} – {self.account}"


class NoticeMail(models.Model):
    """A portal account was mailed about an important notice: at most once per notice."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="mails"
    )
    account = models.ForeignKey(
        "tenantportal_accounts.PortalAccount",
        verbose_name=_("portal account"),
        on_delete=models.CASCADE,
        related_name="notice_mails",
    )
    created_at = models.DateTimeField(_("mailed"), default=timezone.now)

    class Meta:
        verbose_name = _("notice email")
        verbose_name_plural = _("notice emails")
        constraints = [
            models.UniqueConstraint(fields=["notice", "account"], name="tenantportal_notice_mail_unique"),
        ]

    def __str__(self):
        return f"{self.notice} – {self.account}"


class NoticeMailPreference(models.Model):
    """Whether a tenant wants an email about important notices. Without a record: yes."""

    account = models.OneToOneField(
        "tenantportal_accounts.PortalAccount",
        verbose_name=_("portal account"),
        on_delete=models.CASCADE,
        related_name="notice_mail_preference",
    )
    important_notices = models.BooleanField(
        _("email me about important notices"),
        default=True,
        help_text=_(
            "For example a water shut-off or work in your building. The email names the notice; you read it in the portal."
        ),
    )

    class Meta:
        verbose_name = _("notice email setting")
        verbose_name_plural = _("notice email settings")

    def __str__(self):
        return str(self.account)


from .pages import NoticesPage  # noqa: E402, F401  (page types live with their sub-app)
