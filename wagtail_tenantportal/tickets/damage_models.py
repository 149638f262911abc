"""The damage taxonomy editors maintain (Schadensort → Schadenskategorie → Schadensart),
imported from ``models.py``. Damage reports point at one kind and keep its category and
location; ``services.damage_kinds_for`` is what tenants are offered, ``taxonomy.py`` seeds a
German starter set.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from ..core.scope import StaffScopedQuerySet
from .setup_models import Priority


class TaxonomyQuerySet(StaffScopedQuerySet):
    # A location without a company is for all companies: every staff user reads it, only
    # users who work for all companies change it (core.scope).
    staff_scope_shared = True

    def active(self):
        return self.filter(active=True)


class DamageCategoryQuerySet(TaxonomyQuerySet):
    staff_scope = "location__company"


class DamageKindQuerySet(TaxonomyQuerySet):
    staff_scope = "category__location__company"


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

    objects = DamageCategoryQuerySet.as_manager()

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

    objects = DamageKindQuerySet.as_manager()

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
