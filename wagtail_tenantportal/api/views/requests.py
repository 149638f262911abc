"""Requests (``tickets.services``): the tenant's list with filters, filing one with photos
(multipart), the detail with history and messages, replies, "me too", read marks, files; the
request types and the damage taxonomy as the form needs them.

Every lookup goes through the services' ownership (``Ticket.objects.visible_to``): another
tenant's reference and a missing one give the same 404.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes
from rest_framework import serializers, status
from rest_framework.response import Response

from ...tickets import services
from ...tickets.models import Channel
from ...tickets.presentation import attachment_response
from ..base import (
    JSONParser,
    ListView,
    MultiPartParser,
    PortalAPIView,
    extend_schema,
    paginated,
)
from ..serializers import requests as s
from .common import flow_errors

UPLOAD_THROTTLES = [("api_upload", "user")]


def _ticket_or_404(user, reference):
    found = services.tenant_ticket(user, reference)
    if found is None:
        raise Http404
    return found


class RequestFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=sorted(services.STATE_FILTERS), required=False)
    contract = serializers.IntegerField(min_value=1, max_value=2**62, required=False)
    type = serializers.SlugField(max_length=60, required=False)
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class RequestListView(ListView):
    """``GET``: the tenant's requests, newest first; ``POST``: file a request (JSON or multipart
    with ``attachments``)."""

    serializer_class = s.RequestSerializer
    pagination_class = paginated(("-created_at", "-pk"))
    parser_classes = [JSONParser, MultiPartParser]
    throttle_scopes = UPLOAD_THROTTLES

    @extend_schema(operation_id="requests_list", parameters=[RequestFilterSerializer])
    def get(self, request):
        filters = self.validated(RequestFilterSerializer, data=request.query_params)
        tickets = services.tenant_requests(
            request.user,
            state=filters.get("state"),
            contract_id=filters.get("contract"),
            type_code=filters.get("type"),
            unread=filters.get("unread"),
        )
        return self.list_response(tickets)

    @extend_schema(
        operation_id="requests_create",
        request={
            "application/json": s.RequestCreateSerializer,
            "multipart/form-data": s.RequestCreateSerializer,
        },
        responses={201: s.RequestDetailSerializer, 400: None, 429: None},
    )
    def post(self, request):
        data = self.validated(s.RequestCreateSerializer)
        user = request.user
        contract = next((c for c in services.eligible_contracts(user) if c.pk == data["contract"]), None)
        ticket_type = services.portal_ticket_type(data["type"])
        fields = {}
        if contract is None:
            fields["contract"] = [_("Choose one of your contracts.")]
        if ticket_type is None:
            fields["type"] = [_("This kind of request is not available.")]
        if fields:
            from ..errors import GENERIC_MESSAGES, FlowFailed

            raise FlowFailed(GENERIC_MESSAGES[400], fields=fields)
        with flow_errors():
            ticket = services.submit_ticket(
                contract=contract,
                ticket_type=ticket_type,
                user=user,
                channel=Channel.API,
                subject=data["subject"],
                description=data["description"],
                damage_kind=data["damage_kind"],
                form_data=data["form_data"],
                attachments=data["attachments"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                reachability=data["reachability"],
                access_permission=data["access_permission"],
                access_times=data["access_times"],
            )
        return Response(_detail(request, user, ticket.reference), status=status.HTTP_201_CREATED)


def _detail(request, user, reference):
    ticket, full = _ticket_or_404(user, reference)
    detail = services.ticket_detail(ticket, full=full)
    context = {"request": request, "user": user}
    data = s.RequestSerializer(_with_news(user, ticket), context=context).data
    data.update(
        {
            "description": ticket.description,
            "contact_phone": ticket.contact_phone,
            "contact_email": ticket.contact_email,
            "reachability": ticket.reachability,
            "access_permission": ticket.access_permission,
            "access_times": ticket.access_times,
            "form_data": ticket.form_data,
            "full": full,
            "history": s.HistorySerializer(detail["history"], many=True).data,
            "messages": s.MessageSerializer(
                [_own(m, ticket) for m in detail.get("thread", [])], many=True, context=context
            ).data,
            "attachments": s.AttachmentSerializer(
                [_own(a, ticket) for a in detail.get("attachments", [])], many=True, context=context
            ).data,
            "supporter_total": detail.get("supporter_total", 0),
        }
    )
    return data


def _own(item, ticket):
    """Give a message or file (and its files) the ticket already loaded: no query per item."""
    item.ticket = ticket
    for attachment in getattr(item, "_prefetched_objects_cache", {}).get("attachments", []):
        attachment.ticket = ticket
    return item


def _with_news(user, ticket):
    if not hasattr(ticket, "has_new_reply"):
        ticket.has_new_reply = ticket.has_new_status = False
    return ticket


class RequestDetailView(PortalAPIView):
    @extend_schema(operation_id="requests_detail", responses={200: s.RequestDetailSerializer})
    def get(self, request, reference):
        return Response(_detail(request, request.user, reference))


class RequestMessageView(PortalAPIView):
    """A reply on the tenant's own request (JSON or multipart with ``attachments``)."""

    parser_classes = [JSONParser, MultiPartParser]
    throttle_scopes = UPLOAD_THROTTLES

    @extend_schema(
        operation_id="requests_reply",
        request={
            "application/json": s.MessageCreateSerializer,
            "multipart/form-data": s.MessageCreateSerializer,
        },
        responses={201: s.MessageSerializer, 400: None, 404: None},
    )
    def post(self, request, reference):
        ticket, full = _ticket_or_404(request.user, reference)
        if not full:
            raise Http404
        data = self.validated(s.MessageCreateSerializer)
        with flow_errors():
            message = services.post_message(
                ticket,
                user=request.user,
                body=data["body"],
                attachments=data["attachments"],
                channel=Channel.API,
            )
        context = {"request": request, "user": request.user}
        return Response(s.MessageSerializer(_own(message, ticket), context=context).data, status=201)


class RequestReadView(PortalAPIView):
    """Read mark: replies and status changes until now are no longer new."""

    @extend_schema(operation_id="requests_read", request=None, responses={200: s.ReadMarkSerializer})
    def post(self, request, reference):
        ticket, _full = _ticket_or_404(request.user, reference)
        read_at = services.mark_seen(ticket, request.user)
        return Response({"status": "read", "read_at": read_at})


class RequestJoinView(PortalAPIView):
    """ "Me too": join an open report in a shared area of the tenant's building."""

    @extend_schema(operation_id="requests_me_too", request=None, responses={200: s.ReadMarkSerializer})
    def post(self, request, reference):
        ticket = services.joinable_ticket(request.user, reference)
        if ticket is None:
            raise Http404
        with flow_errors():
            services.join_ticket(ticket, request.user)
        return Response({"status": "joined", "read_at": None})


class SharedRequestListView(PortalAPIView):
    """Open reports in shared areas of the tenant's buildings that they may join."""

    etag = True

    @extend_schema(operation_id="requests_shared", responses={200: s.SharedRequestSerializer(many=True)})
    def get(self, request):
        return Response(s.SharedRequestSerializer(services.shared_requests(request.user), many=True).data)


class RequestAttachmentView(PortalAPIView):
    """The file of a request or message (photos inline, PDFs as download); ``?thumbnail=1``."""

    @extend_schema(
        operation_id="requests_attachment",
        parameters=[OpenApiParameter("thumbnail", OpenApiTypes.BOOL, required=False)],
        responses={
            **{(200, kind): OpenApiTypes.BINARY for kind in ("image/jpeg", "image/png", "application/pdf")},
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: None,
        },
    )
    def get(self, request, reference, attachment_id):
        attachment = services.tenant_attachment(request.user, reference, attachment_id)
        if attachment is None:
            raise Http404
        thumbnail = request.query_params.get("thumbnail") in ("1", "true")
        try:
            return attachment_response(attachment, thumbnail=thumbnail)
        except FileNotFoundError:
            raise Http404 from None

    def finalize_response(self, request, response, *args, **kwargs):
        if not hasattr(response, "data"):  # a file: no renderer, keep the file's headers
            return response
        return super().finalize_response(request, response, *args, **kwargs)


class RequestTypesView(PortalAPIView):
    """What the tenant may file, on which contracts, with which own fields."""

    etag = True

    @extend_schema(operation_id="request_types", responses={200: s.RequestTypeSerializer(many=True)})
    def get(self, request):
        data = []
        for ticket_type, contract_ids in services.request_types_for(request.user):
            data.append(
                {
                    "code": ticket_type.code,
                    "name": ticket_type.label,
                    "kind": ticket_type.kind,
                    "description": ticket_type.description,
                    "allow_attachments": ticket_type.allow_attachments,
                    "is_damage_report": ticket_type.is_damage_report,
                    "contracts": contract_ids,
                    "fields": [
                        {
                            "key": key,
                            "label": spec.label,
                            "kind": spec.kind,
                            "required": spec.required,
                            "help_text": spec.help_text,
                            "choices": list(spec.choice_list),
                        }
                        for key, spec, _field in services.extra_form_fields(ticket_type)
                    ],
                }
            )
        return Response(s.RequestTypeSerializer(data, many=True).data)


class DamageTaxonomyView(PortalAPIView):
    """Locations, categories and kinds of damage for the tenant's landlords, and emergency numbers."""

    etag = True

    @extend_schema(operation_id="damage_taxonomy", responses={200: s.DamageTaxonomySerializer})
    def get(self, request):
        contracts, kinds = services.damage_taxonomy_for(request.user)
        today = timezone.localdate()
        locations = {}
        for kind in kinds:
            category = kind.category
            location = category.location
            entry = locations.setdefault(
                location.pk,
                {
                    "id": location.pk,
                    "name": location.name,
                    "is_shared_area": location.is_shared_area,
                    "categories": {},
                },
            )
            cat = entry["categories"].setdefault(
                category.pk, {"id": category.pk, "name": category.name, "kinds": []}
            )
            cat["kinds"].append(
                {"id": kind.pk, "name": kind.name, "hint": kind.hint, "urgent": kind.is_urgent(today)}
            )
        data = {
            "locations": [
                {**loc, "categories": list(loc["categories"].values())} for loc in locations.values()
            ],
            "emergency_phones": [
                {"company": company.name, "phone": phone}
                for company, phone in services.emergency_phones(contracts)
            ],
        }
        return Response(s.DamageTaxonomySerializer(data).data)
