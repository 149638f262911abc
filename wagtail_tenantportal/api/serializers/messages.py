"""Messages: the tenant's conversations with unread counts, writing to the contact person."""

from rest_framework import serializers
from rest_framework.reverse import reverse

from ..base import StrictSerializer
from .requests import TicketStatusSerializer

_REFERENCE_PLACEHOLDER = "REFERENCE0PLACEHOLDER"[:19]


class ConversationSerializer(serializers.Serializer):
    reference = serializers.CharField()
    subject = serializers.CharField()
    type = serializers.CharField(source="ticket_type.code")
    type_name = serializers.CharField(source="ticket_type.label")
    status = TicketStatusSerializer()
    contract = serializers.IntegerField(source="contract_id")
    contract_number = serializers.CharField(source="contract.number")
    message_count = serializers.IntegerField(help_text="Public messages in the thread.")
    unread_count = serializers.IntegerField(help_text="Replies of the cooperative not read yet.")
    last_activity_at = serializers.DateTimeField(help_text="The newest message, or the filing.")
    url = serializers.SerializerMethodField(help_text="The request with its thread.")

    def get_url(self, ticket) -> str:
        # Reversed once per list (like ``url_for``, whose placeholder is a UUID), then filled in.
        cache = self.root.__dict__.setdefault("_url_templates", {})
        template = cache.get("request")
        if template is None:
            template = reverse(
                "wagtail_tenantportal:api:request",
                kwargs={"reference": _REFERENCE_PLACEHOLDER},
                request=self.context.get("request"),
            )
            cache["request"] = template
        return template.replace(_REFERENCE_PLACEHOLDER, ticket.reference)


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="Replies of the cooperative not read yet, on all requests.")


class ContactMessageCreateSerializer(StrictSerializer):
    contract = serializers.IntegerField(min_value=1, max_value=2**62)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=5000)
