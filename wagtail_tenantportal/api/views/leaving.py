"""Leaving the portal (``accounts.leaving``): the data exports (ask, list, download) and
deleting the account (password and, with a second factor, a code)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiTypes
from rest_framework import status
from rest_framework.response import Response

from ...accounts import leaving
from ...core.downloads import private_file_response
from ..base import PortalAPIView, extend_schema
from ..errors import FlowFailed
from ..serializers import leaving as s
from .auth import AUTH_THROTTLES, _error_responses
from .common import client_ip, flow_errors
from .documents import FileResponseMixin


class DataExportListView(PortalAPIView):
    """``GET``: the caller's exports; ``POST``: ask for a new one (prepared in the background,
    mailed when ready). Asking while one is prepared: 409."""

    @extend_schema(operation_id="me_exports_list", responses={200: s.DataExportSerializer(many=True)})
    def get(self, request):
        return Response(s.DataExportSerializer(leaving.exports_of(request.user), many=True).data)

    @extend_schema(
        operation_id="me_exports_create",
        request=None,
        responses={202: s.DataExportSerializer, **_error_responses(409, 429)},
    )
    def post(self, request):
        with flow_errors():
            try:
                export = leaving.request_export(request.user, request=request._request)
            except leaving.ExportInProgress as error:
                raise FlowFailed(error.message, code="in_progress", status_code=409) from None
        return Response(s.DataExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


def _export(user, export_id):
    export = leaving.export_of(user, export_id)
    if export is None:
        raise Http404
    return export


class DataExportDetailView(PortalAPIView):
    @extend_schema(operation_id="me_exports_detail", responses={200: s.DataExportSerializer, 404: None})
    def get(self, request, export_id):
        return Response(s.DataExportSerializer(_export(request.user, export_id)).data)


class DataExportFileView(FileResponseMixin, PortalAPIView):
    """The ZIP while it is offered; 404 before it is ready, after it expired, and for anybody
    but its owner."""

    @extend_schema(
        operation_id="me_exports_file", responses={(200, "application/zip"): OpenApiTypes.BINARY, 404: None}
    )
    def get(self, request, export_id):
        export = leaving.export_for(request.user, export_id)
        if export is None:
            raise Http404
        try:
            return private_file_response(
                export.file.name, filename=export.filename, content_type="application/zip"
            )
        except FileNotFoundError:  # deleted with its time just now
            raise Http404 from None


class DeleteAccountView(PortalAPIView):
    """``GET``: what deleting would do (open requests stay open for staff, what the landlord
    keeps, whether a code is needed). ``POST``: delete the account with the password and, where
    the account has a second factor, a current code (``method`` "email" without a code sends
    one by email: 202). The token stops working."""

    throttle_scopes = AUTH_THROTTLES

    @extend_schema(operation_id="me_delete_preview", responses={200: s.DeletionPreviewSerializer})
    def get(self, request):
        return Response(s.DeletionPreviewSerializer(leaving.deletion_preview(request.user)).data)

    @extend_schema(
        operation_id="me_delete",
        request=s.DeleteAccountSerializer,
        responses={200: s.DeletedSerializer, 202: None, **_error_responses(400, 429)},
    )
    def post(self, request):
        data = self.validated(s.DeleteAccountSerializer)
        user = request.user
        with flow_errors():
            if (
                data["method"] == "email"
                and not data["code"]
                and "email" in leaving.second_factor_methods(user)
            ):
                leaving.send_deletion_code(user, request=request._request)
                return Response({"status": "code_sent"}, status=status.HTTP_202_ACCEPTED)
            result = leaving.delete_account(
                request._request,
                user,
                password=data["password"],
                code=data["code"],
                method=data["method"],
                ip=client_ip(request),
            )
        return Response(
            {"status": "deleted", "open_requests": [item["reference"] for item in result.open_items]}
        )
