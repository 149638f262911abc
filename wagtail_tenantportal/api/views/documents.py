"""Documents (``documents.services``): the list with a "new" flag, one document, its file (streamed
with the token, or through a short-lived signed link that needs no token), the read receipt,
and the self-service certificates."""

import logging

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiTypes
from rest_framework import serializers, status
from rest_framework.response import Response

from ...core.downloads import private_file_response
from ...documents import services
from .. import services as api_services
from ..base import ListView, PortalAPIView, extend_schema, paginated
from ..errors import FlowFailed
from ..permissions import Anybody
from ..serializers import documents as s

logger = logging.getLogger(__name__)


#: A document's file: PDF (or what staff uploaded).
FILE_RESPONSES = {
    (200, "application/pdf"): OpenApiTypes.BINARY,
    (200, "application/octet-stream"): OpenApiTypes.BINARY,
    404: None,
}


class DocumentFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2200, required=False)
    category = serializers.SlugField(max_length=60, required=False)
    q = serializers.CharField(max_length=100, required=False)
    new = serializers.BooleanField(required=False, allow_null=True, default=None)
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class DocumentListView(ListView):
    serializer_class = s.DocumentSerializer
    pagination_class = paginated(("-published_from", "-pk"))

    @extend_schema(operation_id="documents_list", parameters=[DocumentFilterSerializer])
    def get(self, request):
        filters = self.validated(DocumentFilterSerializer, data=request.query_params)
        documents = services.tenant_document_list(
            request.user,
            year=filters.get("year"),
            category=filters.get("category"),
            text=filters.get("q", ""),
            new=filters.get("new"),
        )
        return self.list_response(documents)


def _document(user, document_id):
    return services.get_tenant_document(user, document_id)  # Http404 for anything not the user's


class DocumentDetailView(PortalAPIView):
    serializer_class = s.DocumentSerializer

    @extend_schema(operation_id="documents_detail")
    def get(self, request, document_id):
        return Response(self.get_serializer(services.get_listed_document(request.user, document_id)).data)


def _file_response(document, user):
    try:
        response = private_file_response(
            document.file.name, filename=document.download_filename, content_type=document.content_type
        )
    except FileNotFoundError:
        logger.error(
            "The file of document %s (%s) is missing from the private storage.",
            document.pk,
            document.file.name,
        )
        raise Http404 from None
    services.record_opening(document, user)
    response["Cache-Control"] = "private, no-store"
    return response


class FileResponseMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        if not hasattr(response, "data"):  # a file: keep its own headers
            return response
        return super().finalize_response(request, response, *args, **kwargs)


class DocumentFileView(FileResponseMixin, PortalAPIView):
    """The file, streamed (or as the storage serves it); records the opening (read receipt)."""

    @extend_schema(
        operation_id="documents_file",
        responses=FILE_RESPONSES,
    )
    def get(self, request, document_id):
        return _file_response(_document(request.user, document_id), request.user)


class DocumentLinkView(PortalAPIView):
    """A signed link to the file that works without a token for ``API_DOWNLOAD_LINK_SECONDS``
    (for a browser or the system's PDF viewer); ownership is checked again when it is used."""

    @extend_schema(operation_id="documents_link", request=None, responses={200: s.DownloadLinkSerializer})
    def post(self, request, document_id):
        document = _document(request.user, document_id)
        value = api_services.sign_link(request.user, document.uuid)
        path = reverse("wagtail_tenantportal:api:documents_signed", kwargs={"signed": value})
        return Response({"url": request.build_absolute_uri(path), "expires_in": api_services.link_seconds()})


class SignedDownloadView(FileResponseMixin, PortalAPIView):
    permission_classes = [Anybody]
    authentication_classes = []

    @extend_schema(
        operation_id="documents_signed_download",
        auth=[],
        responses=FILE_RESPONSES,
    )
    def get(self, request, signed):
        found = api_services.open_link(signed)
        if found is None:
            raise Http404
        user, document_id = found
        return _file_response(_document(user, document_id), user)


class DocumentReadView(PortalAPIView):
    """Read receipt without downloading (e.g. the app shows a cached copy)."""

    @extend_schema(operation_id="documents_read", request=None, responses={200: s.ReceiptSerializer})
    def post(self, request, document_id):
        services.record_opening(_document(request.user, document_id), request.user)
        return Response({"status": "read"})


class CertificateView(PortalAPIView):
    """``GET``: the certificates each contract can produce; ``POST``: make one now (or get the
    one made today), as a document."""

    @extend_schema(
        operation_id="certificates_list", responses={200: s.CertificateContractSerializer(many=True)}
    )
    def get(self, request):
        data = [
            {
                "contract": contract.pk,
                "contract_number": contract.number,
                "options": [
                    {"kind": kind, "event": event, "label": str(label)} for kind, event, label in options
                ],
            }
            for contract, options in services.certificate_choices(request.user)
        ]
        return Response(s.CertificateContractSerializer(data, many=True).data)

    @extend_schema(
        operation_id="certificates_create",
        request=s.CertificateRequestSerializer,
        responses={201: s.DocumentSerializer, 400: None, 404: None},
    )
    def post(self, request):
        data = self.validated(s.CertificateRequestSerializer)
        today = timezone.localdate()
        contract = services.get_certificate_contract(request.user, data["contract"], today)
        try:
            document = services.generate_certificate(
                contract, data["kind"], event=data["event"] or None, user=request.user, today=today
            )
        except services.DocumentRejected as error:
            raise FlowFailed(error.message, code="not_available") from None
        listed = services.get_listed_document(request.user, document.uuid)
        return Response(
            s.DocumentSerializer(listed, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class DocumentRequestView(PortalAPIView):
    """``GET``: the documents the tenant may request per contract and the tenant's requests;
    ``POST``: request one for a contract (staff upload it; it then appears among the documents)."""

    @extend_schema(
        operation_id="document_requests_list", responses={200: s.DocumentRequestOverviewSerializer}
    )
    def get(self, request):
        catalogue = [
            {"contract": contract, "types": types}
            for contract, types in services.doc_requests.request_choices(request.user)
        ]
        data = {"catalogue": catalogue, "requests": services.doc_requests.tenant_requests(request.user)}
        return Response(s.DocumentRequestOverviewSerializer(data).data)

    @extend_schema(
        operation_id="document_requests_create",
        request=s.DocumentRequestInputSerializer,
        responses={201: s.DocumentRequestSerializer, 400: None},
    )
    def post(self, request):
        data = self.validated(s.DocumentRequestInputSerializer)
        req = services.doc_requests.submit_request(
            request.user, data["contract"], data["request_type"], data["note"]
        )
        return Response(s.DocumentRequestSerializer(req).data, status=status.HTTP_201_CREATED)
