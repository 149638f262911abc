"""Bodies of leaving the portal: the data exports and deleting the account."""

from rest_framework import serializers

from ..base import StrictSerializer


class DataExportSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    state = serializers.CharField()
    requested_at = serializers.DateTimeField()
    ready_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    size = serializers.IntegerField()
    files = serializers.IntegerField(source="file_count")
    available = serializers.BooleanField()


class OpenItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    reference = serializers.CharField()
    label = serializers.CharField()


class DeletionPreviewSerializer(serializers.Serializer):
    open_requests = OpenItemSerializer(many=True, source="open_items")
    kept = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    needs_code = serializers.BooleanField()
    methods = serializers.ListField(child=serializers.CharField())


class DeleteAccountSerializer(StrictSerializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    method = serializers.ChoiceField(choices=["totp", "email", "backup"], required=False, default="")


class DeletedSerializer(serializers.Serializer):
    status = serializers.CharField()
    open_requests = serializers.ListField(child=serializers.CharField())
