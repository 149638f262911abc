"""What the consumption app shows about a user (``core.personal_data``): the meters of the
user's flats and the monthly values the user may see (only months within their own
contract). The values come from the company's metering provider and are kept when an
account is deleted; nothing here is linked to the login."""

from ..core.personal_data import PersonalDataProvider, iso, register
from .models import Meter, MonthlyConsumption


@register
class ConsumptionPersonalData(PersonalDataProvider):
    app = "consumption"
    order = 100

    def export(self, user):
        meters = Meter.objects.visible_to(user).select_related("unit__property").order_by("pk")
        values = {}
        for row in (
            MonthlyConsumption.objects.visible_to(user).filter(meter__in=meters).order_by("meter_id", "month")
        ):
            values.setdefault(row.meter_id, []).append(
                {"month": iso(row.month), "value": str(row.value), "estimated": row.estimated}
            )
        return {
            "meters": [
                {
                    "unit": str(meter.unit),
                    "kind": meter.kind,
                    "measuring_unit": meter.measuring_unit,
                    "serial_number": meter.serial_number,
                    "location": meter.location,
                    "months": values.get(meter.pk, []),
                }
                for meter in meters
            ]
        }
