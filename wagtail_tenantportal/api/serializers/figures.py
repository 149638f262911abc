"""Consumption information (UVI) and savings accounts (read-only)."""

from rest_framework import serializers


class ComparisonSerializer(serializers.Serializer):
    label = serializers.CharField()
    month = serializers.DateField(allow_null=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=3, allow_null=True)
    change_percent = serializers.DecimalField(
        source="change", max_digits=8, decimal_places=1, allow_null=True
    )
    estimated = serializers.BooleanField()
    text = serializers.CharField(source="versus_text", allow_blank=True)


class BarSerializer(serializers.Serializer):
    month = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=3, allow_null=True)
    estimated = serializers.BooleanField()


class ConsumptionCardSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.__str__")
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    unit_of_measure = serializers.CharField(source="display_unit")
    unit_label = serializers.CharField()
    month = serializers.DateField(allow_null=True)
    value = serializers.DecimalField(source="current", max_digits=14, decimal_places=3, allow_null=True)
    estimated = serializers.BooleanField()
    comparisons = ComparisonSerializer(many=True)
    history = BarSerializer(many=True)


class ConsumptionSerializer(serializers.Serializer):
    month = serializers.DateField(allow_null=True)
    available_months = serializers.ListField(child=serializers.DateField())
    has_meters = serializers.BooleanField()
    cards = ConsumptionCardSerializer(many=True)


class SavingsAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    product_name = serializers.CharField()
    company = serializers.CharField(source="company.name")
    interest_rate = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)
    opened_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)
    last_booking_date = serializers.DateField(allow_null=True)


class SavingsTransactionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    booking_date = serializers.DateField()
    value_date = serializers.DateField(allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    text = serializers.CharField(allow_blank=True)
    balance_after = serializers.DecimalField(max_digits=14, decimal_places=2)


class ExemptionPartySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")


class ExemptionHolderSerializer(ExemptionPartySerializer):
    company = serializers.CharField(source="company.display_name")
    partners = ExemptionPartySerializer(many=True, help_text="Who may give a joint order with this holder.")


class ExemptionOrderSerializer(serializers.Serializer):
    holder = serializers.IntegerField(source="party_id")
    holder_name = serializers.CharField(source="party.full_name")
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    joint = serializers.BooleanField()
    partner_name = serializers.CharField(source="partner.full_name", allow_null=True, default=None)


class ExemptionRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    holder = serializers.IntegerField(source="party_id")
    year = serializers.IntegerField()
    action = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    joint = serializers.BooleanField()
    partner_name = serializers.CharField(source="partner.full_name", allow_null=True, default=None)
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    note = serializers.CharField(help_text="The reason of a rejection.")
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class ExemptionOverviewSerializer(serializers.Serializer):
    holders = ExemptionHolderSerializer(many=True)
    years = serializers.ListField(
        child=serializers.IntegerField(), help_text="Years an order may be given for."
    )
    allowance_single = serializers.DecimalField(max_digits=10, decimal_places=2)
    allowance_joint = serializers.DecimalField(max_digits=10, decimal_places=2)
    orders = ExemptionOrderSerializer(many=True)
    requests = ExemptionRequestSerializer(many=True)
