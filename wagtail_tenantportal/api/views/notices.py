"""Notices of the notice board (``notices.services``) with read marks."""

from rest_framework import serializers
from rest_framework.response import Response

from ...notices import services
from ..base import ListView, PortalAPIView, extend_schema, paginated
from ..serializers import documents as s


class NoticeFilterSerializer(serializers.Serializer):
    important = serializers.BooleanField(required=False, default=False)
    new = serializers.BooleanField(required=False, allow_null=True, default=None)
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class NoticeListView(ListView):
    serializer_class = s.NoticeSerializer
    pagination_class = paginated(("-visible_from", "-pk"))

    @extend_schema(operation_id="notices_list", parameters=[NoticeFilterSerializer])
    def get(self, request):
        filters = self.validated(NoticeFilterSerializer, data=request.query_params)
        return self.list_response(
            services.tenant_notice_list(
                request.user, only_important=filters["important"], new=filters.get("new")
            )
        )


class NoticeDetailView(PortalAPIView):
    serializer_class = s.NoticeSerializer

    @extend_schema(operation_id="notices_detail")
    def get(self, request, notice_id):
        return Response(self.get_serializer(services.get_listed_notice(request.user, notice_id)).data)


class NoticeReadView(PortalAPIView):
    @extend_schema(operation_id="notices_read", request=None, responses={200: s.ReceiptSerializer})
    def post(self, request, notice_id):
        services.mark_read(services.get_tenant_notice(request.user, notice_id), request.user)
        return Response({"status": "read"})
