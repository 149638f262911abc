"""The API root (where the docs are) and the 404 of every path that names no endpoint."""

from django.urls import reverse
from rest_framework import exceptions
from rest_framework.response import Response

from ..base import PortalAPIView, extend_schema
from ..permissions import Anybody


class ApiRootView(PortalAPIView):
    permission_classes = [Anybody]
    authentication_classes = []

    @extend_schema(exclude=True)
    def get(self, request):
        def url(name):
            return request.build_absolute_uri(reverse(f"wagtail_tenantportal:api:{name}"))

        return Response(
            {"version": "1", "schema": url("schema"), "docs": url("docs"), "swagger": url("docs_swagger")}
        )


class NotFoundView(PortalAPIView):
    permission_classes = [Anybody]
    authentication_classes = []

    def _missing(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    get = post = put = patch = delete = _missing
