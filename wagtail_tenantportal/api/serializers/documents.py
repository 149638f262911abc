"""Documents, certificates and notices."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..base import StrictSerializer, url_for


class CategorySerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField(source="display_name")


class DocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    title = serializers.CharField()
    category = CategorySerializer()
    document_date = serializers.DateField()
    published_at = serializers.DateTimeField(source="published_from")
    contract_number = serializers.CharField(source="contract.number", allow_null=True, default=None)
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    filename = serializers.CharField(source="download_filename")
    is_new = serializers.SerializerMethodField(help_text=_("Not opened yet by any of your parties."))
    file_url = serializers.SerializerMethodField(help_text=_("Streams the file (with your token)."))

    def to_representation(self, document):
        # The same fields as declared above, built directly: lists serialise 25 of these per
        # call, and DRF's generic field walk costs more than the query.
        contract = document.contract if document.contract_id else None
        return {
            "id": str(document.uuid),
            "title": document.title,
            "category": {"key": document.category.key, "name": str(document.category.display_name)},
            "document_date": document.document_date.isoformat(),
            "published_at": self.fields["published_at"].to_representation(document.published_from),
            "contract_number": contract.number if contract else None,
            "content_type": document.content_type,
            "size": document.size,
            "filename": document.download_filename,
            "is_new": self.get_is_new(document),
            "file_url": self.get_file_url(document),
        }

    def get_is_new(self, document) -> bool:
        return not getattr(document, "opened", False)

    def get_file_url(self, document) -> str:
        return url_for(self, "wagtail_tenantportal:api:documents_file", "document_id", document.uuid)


class DownloadLinkSerializer(serializers.Serializer):
    url = serializers.CharField(
        help_text=_("Works without a token, for a short time, for this document only.")
    )
    expires_in = serializers.IntegerField()


class ReceiptSerializer(serializers.Serializer):
    status = serializers.CharField()


class CertificateOptionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    event = serializers.CharField(allow_blank=True)
    label = serializers.CharField()


class CertificateContractSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    contract_number = serializers.CharField()
    options = CertificateOptionSerializer(many=True)


class CertificateRequestSerializer(StrictSerializer):
    contract = serializers.IntegerField(min_value=1, max_value=2**62)
    kind = serializers.ChoiceField(choices=["rent_certificate", "landlord_confirmation"])
    event = serializers.ChoiceField(
        choices=["move_in", "move_out"], required=False, allow_blank=True, default=""
    )


class DocumentRequestTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    description = serializers.CharField()


class DocumentRequestContractSerializer(serializers.Serializer):
    contract = serializers.IntegerField(source="contract.pk")
    contract_number = serializers.CharField(source="contract.number")
    documents = DocumentRequestTypeSerializer(many=True, source="types")


class DocumentRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    contract = serializers.IntegerField(source="contract_id")
    contract_number = serializers.CharField(source="contract.number")
    document_name = serializers.CharField(source="request_type.name")
    note = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    reason = serializers.CharField(help_text="Why the request was rejected.")
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    document = serializers.SerializerMethodField(help_text="Public id of the document, once it is there.")

    def get_document(self, req) -> str | None:
        doc = req.document
        return str(doc.uuid) if doc is not None and doc.withdrawn_at is None else None


class DocumentRequestOverviewSerializer(serializers.Serializer):
    catalogue = DocumentRequestContractSerializer(many=True)
    requests = DocumentRequestSerializer(many=True)


class DocumentRequestInputSerializer(StrictSerializer):
    contract = serializers.IntegerField(min_value=1, max_value=2**62)
    request_type = serializers.IntegerField(min_value=1, max_value=2**62)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    category = serializers.CharField()
    category_label = serializers.CharField(source="get_category_display")
    important = serializers.BooleanField()
    body_html = serializers.CharField(
        source="body", help_text=_("Rich text (HTML) as written by the landlord.")
    )
    company = serializers.CharField(source="company.name")
    visible_from = serializers.DateTimeField()
    visible_until = serializers.DateTimeField(allow_null=True)
    is_new = serializers.BooleanField()
