"""Meters, their monthly consumption and the comparison values (HeizkostenV § 6a).

Since 2022 a landlord must tell tenants whose meters can be read remotely their consumption
of heating and hot water every month (unterjährige Verbrauchsinformation, UVI), compared with
the previous month, the same month a year earlier and an average user of the same category.

- ``Meter``: one device in a unit (heat cost allocator, heat meter, water meter, ...).
- ``MonthlyConsumption``: what a meter counted in one calendar month (``month`` is its first
  day; ``month_end`` its last day, kept for the privacy filter below).
- ``Benchmark``: the average user's consumption for a month, for the whole company or one
  property, either per m² of living area or per unit (see ``Benchmark.Basis``).

Privacy: a unit's meters outlive its tenancies. ``MonthlyConsumption.objects.visible_to(user)``
returns only months that lie *completely* inside one of the user's contracts of that unit
(``start_date <= month`` and ``end_date >= month_end``; an open end counts as "still
running", a contract without start date shows nothing). So the previous and the next tenant
never see each other's consumption, not even the month they share.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..core.scope import StaffScopedQuerySet
from ..tenancy.models import Company, Contract, Property, Unit


def first_of_month(value):
    return value.replace(day=1)


def last_of_month(value):
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


def add_months(month, count):
    """The first day of the month ``count`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


class Kind(models.TextChoices):
    """What a meter measures. Heating and hot water are what § 6a HeizkostenV requires."""

    HEATING = "heating", _("Heating")
    HOT_WATER = "hot_water", _("Hot water")
    COLD_WATER = "cold_water", _("Cold water")
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas")


class MeasuringUnit(models.TextChoices):
    KWH = "kwh", "kWh"
    CUBIC_METRE = "m3", "m³"
    HCA_UNITS = "units", pgettext_lazy("heat cost allocator reading", "units")


#: Kinds a tenant sees first (the ones the law requires).
REQUIRED_KINDS = (Kind.HEATING, Kind.HOT_WATER)


class MeterQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        """Meters of the units of ``user``'s contracts (one query; empty for anonymous users)."""
        return self.filter(unit_id__in=Contract.objects.visible_to(user).values("unit_id"))


class Meter(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="meters"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="meters")
    erp_id = models.CharField(
        _("ERP id"),
        max_length=64,
        help_text=_("Key of this meter in the ERP or metering service export; used to update it on import."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    measuring_unit = models.CharField(
        _("measuring unit"), max_length=10, choices=MeasuringUnit.choices, default=MeasuringUnit.KWH
    )
    conversion_factor = models.DecimalField(
        _("kWh per measuring unit"),
        max_digits=12,
        decimal_places=5,
        null=True,
        blank=True,
        help_text=_(
            "Converts readings to kWh (e.g. for heat cost allocators or gas in m³). "
            "Empty: values are shown in the measuring unit."
        ),
    )
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True)
    location = models.CharField(
        _("location"), max_length=120, blank=True, help_text=_("Where the meter is, e.g. 'Wohnzimmer'.")
    )
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True, editable=False)

    objects = MeterQuerySet.as_manager()

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["unit", "kind", "location", "serial_number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "erp_id"], name="tenantportal_meter_erp_unique"),
        ]

    def __str__(self):
        label = self.serial_number or self.erp_id
        return f"{self.get_kind_display()} {label}" + (f" ({self.location})" if self.location else "")

    def clean(self):
        if self.unit_id and self.company_id and self.unit.company_id != self.company_id:
            raise ValidationError({"unit": _("The unit belongs to another company.")})

    @property
    def display_unit(self):
        """The unit values are shown in: kWh when they can be converted, else the measuring unit."""
        if self.measuring_unit == MeasuringUnit.KWH or self.conversion_factor:
            return MeasuringUnit.KWH
        return self.measuring_unit

    def to_display(self, value):
        """``value`` (in the measuring unit) in ``display_unit``."""
        if value is None:
            return None
        if self.measuring_unit != MeasuringUnit.KWH and self.conversion_factor:
            return value * self.conversion_factor
        return value


def _month_visible_q(user):
    """Q for ``MonthlyConsumption``: the month lies within one of ``user``'s contracts of the meter's unit."""
    contracts = Contract.objects.visible_to(user).filter(
        unit_id=OuterRef("meter__unit_id"), start_date__isnull=False, start_date__lte=OuterRef("month")
    )
    contracts = contracts.filter(
        Q(end_date__gte=OuterRef("month_end")) | (Q(end_date__isnull=True) & ~Q(status=Contract.Status.ENDED))
    )
    return Exists(contracts)


class MonthlyConsumptionQuerySet(StaffScopedQuerySet):
    staff_scope = "meter__company"

    def visible_to(self, user):
        """Months ``user`` may see: only those completely within their own contract of the unit.

        One query; never a month of a previous or later tenant (see the module docstring).
        """
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(_month_visible_q(user))


class MonthlyConsumption(models.Model):
    meter = models.ForeignKey(
        Meter, verbose_name=_("meter"), on_delete=models.CASCADE, related_name="monthly_values"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    month_end = models.DateField(_("last day of the month"), editable=False)
    value = models.DecimalField(
        _("consumption"), max_digits=14, decimal_places=3, help_text=_("In the meter's measuring unit.")
    )
    estimated = models.BooleanField(
        _("estimated"), default=False, help_text=_("The value was estimated, not read.")
    )
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True, editable=False)

    objects = MonthlyConsumptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly consumption")
        verbose_name_plural = _("monthly consumption")
        ordering = ["meter", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["meter", "month"], name="tenantportal_consumption_month_unique"),
        ]

    def __str__(self):
        return f"{self.meter}: {self.month:%m/%Y}"

    def save(self, *args, **kwargs):
        if self.month:
            self.month = first_of_month(self.month)
            self.month_end = last_of_month(self.month)
        super().save(*args, **kwargs)

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Give the first day of the month.")})


class BenchmarkQuerySet(StaffScopedQuerySet):
    pass


class Benchmark(models.Model):
    """The consumption of an average user (Durchschnittsnutzer) of a kind in one month.

    ``basis`` says how it compares with a tenant: ``per_m2`` values are multiplied by the
    unit's living area (no comparison when the area is unknown), ``per_unit`` values are
    compared as they are. Values are in ``measuring_unit``; they are compared only with
    consumption shown in the same unit (kWh after conversion). A benchmark of the unit's
    property wins over a company-wide one (``property`` empty).
    """

    class Basis(models.TextChoices):
        PER_M2 = "per_m2", _("per m² of living area")
        PER_UNIT = "per_unit", _("per unit (flat)")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="consumption_benchmarks"
    )
    property = models.ForeignKey(
        Property,
        verbose_name=_("property"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consumption_benchmarks",
        help_text=_("Empty: for every property of the company."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    value = models.DecimalField(_("average consumption"), max_digits=14, decimal_places=4)
    measuring_unit = models.CharField(
        _("measuring unit"), max_length=10, choices=MeasuringUnit.choices, default=MeasuringUnit.KWH
    )
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices, default=Basis.PER_M2)
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True, editable=False)

    objects = BenchmarkQuerySet.as_manager()

    class Meta:
        verbose_name = _("comparison value")
        verbose_name_plural = _("comparison values")
        ordering = ["company", "-month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "property", "kind", "month"],
                condition=Q(property__isnull=False),
                name="tenantportal_benchmark_property_unique",
            ),
            models.UniqueConstraint(
                fields=["company", "kind", "month"],
                condition=Q(property__isnull=True),
                name="tenantportal_benchmark_company_unique",
            ),
        ]

    def __str__(self):
        scope = self.property or self.company
        return f"{self.get_kind_display()} {self.month:%m/%Y} ({scope})"

    def save(self, *args, **kwargs):
        if self.month:
            self.month = first_of_month(self.month)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.month and self.month.day != 1:
            errors["month"] = _("Give the first day of the month.")
        if self.property_id and self.company_id and self.property.company_id != self.company_id:
            errors["property"] = _("The property belongs to another company.")
        if errors:
            raise ValidationError(errors)

    def for_unit(self, unit):
        """The benchmark for ``unit`` in ``measuring_unit``, or None (per m² without a living area)."""
        if self.basis == self.Basis.PER_UNIT:
            return self.value
        if unit.living_area:
            return self.value * unit.living_area
        return None


from .pages import ConsumptionPage  # noqa: E402, F401  (page types live in pages.py)
