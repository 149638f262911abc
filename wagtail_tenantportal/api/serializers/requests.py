"""Requests (tickets): list, detail with history and messages, filing one, replies; the request
types and the damage taxonomy as the form needs them."""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.reverse import reverse

from ...tickets.models import Ticket
from ..base import StrictSerializer


class TicketStatusSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="label")
    is_closed = serializers.BooleanField()
    awaiting_tenant = serializers.BooleanField()


class RequestSerializer(serializers.Serializer):
    reference = serializers.CharField()
    subject = serializers.CharField()
    type = serializers.CharField(source="ticket_type.code")
    type_name = serializers.CharField(source="ticket_type.label")
    status = TicketStatusSerializer()
    contract = serializers.IntegerField(source="contract_id")
    contract_number = serializers.CharField(source="contract.number")
    damage = serializers.CharField(source="damage_summary", allow_blank=True)
    is_urgent = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    has_new_reply = serializers.BooleanField()
    has_new_status = serializers.BooleanField()

    def to_representation(self, ticket):
        # The declared fields, built directly (see DocumentSerializer.to_representation).
        if type(self) is not RequestSerializer:
            return super().to_representation(ticket)
        status, datetime_field = ticket.status, self.fields["created_at"]
        return {
            "reference": ticket.reference,
            "subject": ticket.subject,
            "type": ticket.ticket_type.code,
            "type_name": str(ticket.ticket_type.label),
            "status": {
                "code": status.code,
                "name": str(status.label),
                "is_closed": status.is_closed,
                "awaiting_tenant": status.awaiting_tenant,
            },
            "contract": ticket.contract_id,
            "contract_number": ticket.contract.number,
            "damage": ticket.damage_summary or "",
            "is_urgent": ticket.is_urgent,
            "created_at": datetime_field.to_representation(ticket.created_at),
            "updated_at": datetime_field.to_representation(ticket.updated_at),
            "status_changed_at": datetime_field.to_representation(ticket.status_changed_at),
            "has_new_reply": bool(ticket.has_new_reply),
            "has_new_status": bool(ticket.has_new_status),
        }


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    is_image = serializers.BooleanField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return reverse(
            "wagtail_tenantportal:api:requests_attachment",
            kwargs={"reference": attachment.ticket.reference, "attachment_id": attachment.pk},
            request=self.context.get("request"),
        )  # a few files per request: no need for url_for's template


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    author_role = serializers.CharField()
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentSerializer(many=True, source="attachments.all")

    def get_author(self, message) -> str:
        if message.author_role == "tenant":
            return str(_("You")) if message.author_id == getattr(self.context.get("user"), "pk", None) else ""
        return getattr(message, "sender_label", "") or str(_("Your landlord"))


class HistorySerializer(serializers.Serializer):
    from_status = serializers.CharField(source="from_status.label", allow_null=True, default=None)
    to_status = serializers.CharField(source="to_status.label")
    to_status_code = serializers.CharField(source="to_status.code")
    comment = serializers.CharField(allow_blank=True)
    changed_at = serializers.DateTimeField()


class RequestDetailSerializer(RequestSerializer):
    description = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True)
    contact_email = serializers.CharField(allow_blank=True)
    reachability = serializers.CharField(allow_blank=True)
    access_permission = serializers.CharField(allow_blank=True)
    access_times = serializers.CharField(allow_blank=True)
    form_data = serializers.JSONField()
    full = serializers.BooleanField(
        help_text=_("False for a report joined with 'me too': no messages, no files.")
    )
    history = HistorySerializer(many=True)
    messages = MessageSerializer(many=True)
    attachments = AttachmentSerializer(many=True)
    supporter_total = serializers.IntegerField()


class SharedRequestSerializer(serializers.Serializer):
    reference = serializers.CharField()
    subject = serializers.CharField()
    status = TicketStatusSerializer()
    damage = serializers.CharField(source="damage_summary", allow_blank=True)
    property = serializers.CharField(source="property.__str__", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    supporter_total = serializers.IntegerField()


class JSONObjectField(serializers.JSONField):
    """An object of answers; in a multipart body it arrives as a JSON string."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(_("Enter a JSON object.")) from None
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Enter a JSON object."))
        return data


class RequestCreateSerializer(StrictSerializer):
    """A new request. JSON, or multipart/form-data with ``attachments`` (photos, PDFs; the same
    checks as the web: content, size, count)."""

    contract = serializers.IntegerField(min_value=1, max_value=2**62)
    type = serializers.SlugField(max_length=60, help_text=_("Code of a request type (GET request-types)."))
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    damage_kind = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True, default=None
    )
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    contact_email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    reachability = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    access_permission = serializers.ChoiceField(
        choices=Ticket.AccessPermission.choices, required=False, allow_blank=True, default=""
    )
    access_times = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    form_data = JSONObjectField(required=False, default=dict)
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False), required=False, default=list, max_length=50
    )


class MessageCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=5000)
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False), required=False, default=list, max_length=50
    )


class TypeFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    required = serializers.BooleanField()
    help_text = serializers.CharField(allow_blank=True)
    choices = serializers.ListField(child=serializers.CharField())


class RequestTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    allow_attachments = serializers.BooleanField()
    is_damage_report = serializers.BooleanField()
    contracts = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Contracts it applies to.")
    )
    fields = TypeFieldSerializer(many=True, help_text=_("The type's own fields: answers go into form_data."))


class DamageKindSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    hint = serializers.CharField(allow_blank=True)
    urgent = serializers.BooleanField(help_text=_("An emergency today: call the emergency number."))


class DamageCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kinds = DamageKindSerializer(many=True)


class DamageLocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_shared_area = serializers.BooleanField()
    categories = DamageCategorySerializer(many=True)


class EmergencyPhoneSerializer(serializers.Serializer):
    company = serializers.CharField()
    phone = serializers.CharField()


class DamageTaxonomySerializer(serializers.Serializer):
    locations = DamageLocationSerializer(many=True)
    emergency_phones = EmergencyPhoneSerializer(many=True)


class ReadMarkSerializer(serializers.Serializer):
    status = serializers.CharField()
    read_at = serializers.DateTimeField(allow_null=True)
