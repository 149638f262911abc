"""Staff admin of meters and comparison values: Wagtail viewsets in the "Tenant portal" menu.

Monthly values come from the import (``tenantportal_import_consumption``); staff see them on
the meter's inspect page. Listings run a fixed number of queries (``select_related`` of every
column's foreign key). "Import consumption data" uploads the CSV files through the
master-data upload page with the consumption import (permission: add meters).
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, Table

from ..admin.uploads import BaseImportUploadView, ImportUploadViewSet
from ..admin.utils import display_headings, field_label
from ..admin.viewsets import InspectSection, PortalModelViewSet
from ..tenancy.models import Unit
from .importer import FILE_KINDS, import_consumption, upload_file
from .models import Benchmark, Meter, MonthlyConsumption

#: Monthly values shown on a meter's inspect page (the latest first).
INSPECT_MONTHS = 36


class MeterViewSet(PortalModelViewSet):
    model = Meter
    name = "tenantportal_meter"
    url_prefix = "tenantportal/meters"
    icon = "pick"
    menu_label = _("Meters")
    prefill_fields = ("company", "unit")
    list_display = [
        "__str__",
        "kind",
        "unit",
        Column("property", label=field_label(Unit, "property"), accessor="unit.property"),
        "location",
        "measuring_unit",
        "company",
        "erp_id",
    ]
    list_filter = {"company": ["exact"], "unit__property": ["exact"], "kind": ["exact"]}
    search_fields = ["erp_id", "serial_number", "location", "unit__number", "unit__property__street"]
    list_export = [
        "erp_id",
        "company",
        "unit",
        "get_kind_display",
        "get_measuring_unit_display",
        "conversion_factor",
        "serial_number",
        "location",
    ]
    export_headings = display_headings(Meter, "kind", "measuring_unit")
    inspect_view_fields = [
        "company",
        "unit",
        "erp_id",
        "kind",
        "measuring_unit",
        "conversion_factor",
        "serial_number",
        "location",
        "imported_at",
    ]
    panels = [
        FieldRowPanel([FieldPanel("company"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("erp_id")]),
        FieldRowPanel([FieldPanel("measuring_unit"), FieldPanel("conversion_factor")]),
        FieldRowPanel([FieldPanel("serial_number"), FieldPanel("location")]),
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "unit__property")

    def get_object_queryset(self, queryset):
        return queryset.select_related("company", "unit__property")

    def get_inspect_sections(self, meter):
        values = list(meter.monthly_values.order_by("-month")[:INSPECT_MONTHS])
        columns = [
            Column(
                "month",
                label=field_label(MonthlyConsumption, "month"),
                accessor=lambda v: v.month.strftime("%m/%Y"),
            ),
            Column("value", label=field_label(MonthlyConsumption, "value")),
            Column(
                "unit",
                label=field_label(Meter, "measuring_unit"),
                accessor=lambda v: meter.get_measuring_unit_display(),
            ),
            BooleanColumn("estimated", label=field_label(MonthlyConsumption, "estimated")),
        ]
        return [
            InspectSection(
                heading=_("Monthly values (the latest %(count)d)") % {"count": INSPECT_MONTHS},
                table=Table(columns, values),
                empty_message=_("No monthly values yet. They come from the consumption import."),
            )
        ]


class BenchmarkViewSet(PortalModelViewSet):
    model = Benchmark
    name = "tenantportal_benchmark"
    url_prefix = "tenantportal/comparison-values"
    icon = "table"
    menu_label = _("Comparison values")
    list_display = ["__str__", "kind", "month", "value", "measuring_unit", "basis", "property", "company"]
    list_filter = {"company": ["exact"], "property": ["exact"], "kind": ["exact"], "month": ["exact"]}
    search_fields = ["property__street", "property__name", "property__erp_id"]
    list_export = [
        "company",
        "property",
        "get_kind_display",
        "month",
        "value",
        "get_measuring_unit_display",
        "get_basis_display",
    ]
    export_headings = display_headings(Benchmark, "kind", "measuring_unit", "basis")
    inspect_view_fields = [
        "company",
        "property",
        "kind",
        "month",
        "value",
        "measuring_unit",
        "basis",
        "imported_at",
    ]
    panels = [
        FieldRowPanel([FieldPanel("company"), FieldPanel("property")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("month")]),
        FieldRowPanel([FieldPanel("value"), FieldPanel("measuring_unit"), FieldPanel("basis")]),
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "property")

    def get_object_queryset(self, queryset):
        return queryset.select_related("company", "property")


#: Who may upload consumption files: those who may add meters.
IMPORT_PERMISSION = "tenantportal_consumption.add_meter"


class ConsumptionImportUploadView(BaseImportUploadView):
    import_function = staticmethod(import_consumption)
    file_factory = staticmethod(upload_file)
    file_kinds = FILE_KINDS
    command_name = "tenantportal_import_consumption"


class ConsumptionImportUploadViewSet(ImportUploadViewSet):
    name = "tenantportal_consumption_import"
    url_prefix = "tenantportal/consumption-import"
    menu_label = _("Import consumption data")
    permission = IMPORT_PERMISSION
    view_class = ConsumptionImportUploadView


def menu_viewsets():
    """Viewsets shown in the "Tenant portal" menu group, in menu order."""
    return [MeterViewSet(), BenchmarkViewSet(), ConsumptionImportUploadViewSet()]
