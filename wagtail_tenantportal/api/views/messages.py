"""Messages (``tickets.services``): the tenant's conversations with the cooperative, the most
recent first with unread counts; the unread total (the app's badge); writing to the
contact person (a general request addressed to them). Only the tenant's own requests are
listed or counted (``Ticket.objects.visible_to``)."""

from rest_framework import serializers, status
from rest_framework.response import Response

from ...tickets import services
from ...tickets.models import Channel
from ..base import ListView, PortalAPIView, extend_schema, paginated
from ..serializers import messages as s
from ..serializers import requests as request_serializers
from .common import flow_errors
from .requests import UPLOAD_THROTTLES, _detail


class ConversationFilterSerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class ConversationListView(ListView):
    """``GET``: the conversations, the most recent activity first, with unread counts;
    ``POST``: write to the contact person of one of the tenant's contracts."""

    serializer_class = s.ConversationSerializer
    pagination_class = paginated(("-last_activity_at", "-pk"))
    throttle_scopes = UPLOAD_THROTTLES

    @extend_schema(operation_id="messages_list", parameters=[ConversationFilterSerializer])
    def get(self, request):
        self.validated(ConversationFilterSerializer, data=request.query_params)
        return self.list_response(services.conversations(request.user))

    @extend_schema(
        operation_id="messages_create",
        request=s.ContactMessageCreateSerializer,
        responses={201: request_serializers.RequestDetailSerializer, 400: None, 429: None},
    )
    def post(self, request):
        data = self.validated(s.ContactMessageCreateSerializer)
        with flow_errors():
            ticket = services.write_to_contact_person(
                request.user,
                contract=data["contract"],
                subject=data["subject"],
                body=data["body"],
                channel=Channel.API,
            )
        return Response(_detail(request, request.user, ticket.reference), status=status.HTTP_201_CREATED)


class UnreadView(PortalAPIView):
    @extend_schema(operation_id="messages_unread", responses={200: s.UnreadSerializer})
    def get(self, request):
        return Response({"unread": services.unread_message_total(request.user)})
