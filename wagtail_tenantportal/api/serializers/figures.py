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
