"""The ERP's inbound API (Django REST framework), apart from the tenants' API.

Every call carries the connection's API key (``Authorization: Bearer tperp_…``); calls that
change something are signed per Standard Webhooks (``webhook-id``, ``webhook-timestamp``,
``webhook-signature`` over the raw body, with the connection's signing secret; verified by
the ``standardwebhooks`` package, which refuses timestamps more than five minutes off). An
address allow-list per connection is optional. Errors are JSON ``{"error": code, "detail":
text}`` with a 4xx status; the views are thin: they validate with serializers and call
``erp.services``.
"""

import json

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from standardwebhooks import Webhook, WebhookVerificationError

from ..core.adapter import get_adapter
from ..core.conf import portal_settings
from ..core.downloads import private_file_response
from ..tickets import services as ticket_services
from . import services
from .models import Connection

SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class ErpApiError(exceptions.APIException):
    """A refusal with the error body of this API."""

    def __init__(self, status, code, detail):
        super().__init__(detail=detail, code=code)
        self.status_code = status
        self.error_code = code


def read_body(request):
    """The raw body, at most ``ERP_MAX_BODY_MB`` (read from the stream: Django's in-memory limit
    for ``request.body`` is meant for forms, not for documents sent as JSON)."""
    django_request = request._request
    if hasattr(django_request, "_erp_body"):
        return django_request._erp_body
    limit = int(portal_settings.ERP_MAX_BODY_MB * 1024 * 1024)
    try:
        length = int(django_request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise ErpApiError(
            413,
            "body_too_large",
            _("The body is larger than %(mb)s MB.") % {"mb": portal_settings.ERP_MAX_BODY_MB},
        )
    body = django_request.read(limit + 1)
    if len(body) > limit:
        raise ErpApiError(
            413,
            "body_too_large",
            _("The body is larger than %(mb)s MB.") % {"mb": portal_settings.ERP_MAX_BODY_MB},
        )
    django_request._erp_body = body
    return body


def verify_signature(connection, body, headers):
    """Raise ``ErpApiError`` (401) unless ``headers`` sign ``body`` with one of the
    connection's current secrets within the allowed time."""
    wanted = {name: headers.get(name, "") for name in SIGNATURE_HEADERS}
    if not all(wanted.values()):
        raise ErpApiError(
            401, "missing_signature", _("Sign the call: webhook-id, webhook-timestamp and webhook-signature.")
        )
    reason = ""
    for secret in connection.signing_secrets():
        try:
            Webhook(secret).verify(body, wanted, json_parse=False)
            return
        except WebhookVerificationError as exc:
            reason = str(exc)
    if "too old" in reason or "too new" in reason:
        raise ErpApiError(401, "signature_expired", _("The webhook-timestamp is more than five minutes off."))
    raise ErpApiError(401, "bad_signature", _("The signature does not match the body."))


class ErpAuthentication(BaseAuthentication):
    """API key, address allow-list and (for calls with a body) the Standard Webhooks signature.
    ``request.auth`` is the ``Connection``."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer":
            raise ErpApiError(
                401, "missing_key", _("Send the connection's API key: Authorization: Bearer tperp_…")
            )
        connection = Connection.objects.by_key(parts[1].decode("latin-1"))
        if connection is None:
            raise ErpApiError(401, "invalid_key", _("Unknown or revoked API key."))
        address = get_adapter().get_client_ip(request._request)
        if not connection.allows_address(address):
            services.record_refusal(
                connection,
                action="refused",
                status=403,
                body={"error": "address_not_allowed"},
                remote_addr=address,
            )
            raise ErpApiError(
                403,
                "address_not_allowed",
                _("Calls from %(address)s are not allowed.") % {"address": address},
            )
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            body = read_body(request)
            try:
                verify_signature(connection, body, request.headers)
            except ErpApiError as error:
                services.record_refusal(
                    connection,
                    action="refused",
                    status=401,
                    body={"error": error.error_code},
                    remote_addr=address,
                )
                raise
        return AnonymousUser(), connection

    def authenticate_header(self, request):
        return 'Bearer realm="erp"'


class IsErpConnection(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, Connection)


def erp_exception_handler(exc, context):
    """Every refusal as ``{"error": code, "detail": text}``."""
    if isinstance(exc, ErpApiError):
        return Response({"error": exc.error_code, "detail": str(exc.detail)}, status=exc.status_code)
    if isinstance(exc, Http404):
        return Response({"error": "not_found", "detail": _("Not found.")}, status=404)
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "invalid"
        detail = exc.detail if isinstance(exc.detail, str) else _("Invalid input.")
        body = {"error": code, "detail": str(detail)}
        if isinstance(exc.detail, dict | list):
            body["fields"] = exc.detail
        response = Response(body, status=exc.status_code)
        if getattr(exc, "auth_header", None):
            response["WWW-Authenticate"] = exc.auth_header
        return response
    return None


class ErpView(APIView):
    """Base of the inbound endpoints: own authentication, no throttles or parsers of the
    site's REST_FRAMEWORK settings, one error shape."""

    authentication_classes = [ErpAuthentication]
    permission_classes = [IsErpConnection]
    renderer_classes = [JSONRenderer]
    parser_classes = []
    throttle_classes = []
    versioning_class = None
    action = ""

    def get_exception_handler(self):
        return erp_exception_handler

    def payload(self, serializer_class=None):
        """The verified body as JSON, validated by ``serializer_class``."""
        try:
            data = json.loads(read_body(self.request) or b"null")
        except (UnicodeDecodeError, ValueError):
            raise ErpApiError(400, "invalid_json", _("The body is not valid JSON.")) from None
        if serializer_class is None:
            return data
        serializer = serializer_class(data=data)
        if not serializer.is_valid():
            raise exceptions.ValidationError(serializer.errors)
        return serializer.validated_data

    def run(self, target, handler):
        connection = self.request.auth
        status, result = services.run_call(
            connection,
            self.action,
            target,
            handler,
            webhook_id=self.request.headers.get("webhook-id", ""),
            body=read_body(self.request),
            remote_addr=get_adapter().get_client_ip(self.request._request),
        )
        return Response(result, status=status)


# -- serializers -------------------------------------------------------------------------------


class StatusSerializer(serializers.Serializer):
    status = serializers.SlugField(max_length=40)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    occurred_at = serializers.DateTimeField(required=False, default=None)
    case_id = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")


class MessageSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=60)
    body = serializers.CharField(max_length=5000)


class DocumentTargetSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=services.TARGETS)
    id = serializers.CharField(max_length=64)


class DocumentSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=54)
    target = DocumentTargetSerializer()
    title = serializers.CharField(max_length=200)
    category = serializers.SlugField(required=False, default="letter")
    document_date = serializers.DateField(required=False, default=None)
    filename = serializers.CharField(required=False, max_length=200, default="document.pdf")
    content_base64 = serializers.CharField()
    notify = serializers.BooleanField(required=False, default=True)


class MasterDataSerializer(serializers.Serializer):
    data = serializers.DictField(child=serializers.ListField(child=serializers.DictField()))
    partial = serializers.BooleanField(required=False, default=False)
    dry_run = serializers.BooleanField(required=False, default=False)


# -- endpoints ---------------------------------------------------------------------------------


class PingView(ErpView):
    """``GET …/erp/v1/ping``: check the key (and the address)."""

    def get(self, request):
        connection = request.auth
        return Response({"connection": connection.name, "company": connection.company.erp_id, "ok": True})


class StatusView(ErpView):
    """``POST …/erp/v1/requests/<reference or ERP id>/status``."""

    action = "status"

    def post(self, request, key):
        data = self.payload(StatusSerializer)
        return self.run(key, lambda: services.set_status(request.auth, key, **data))


class MessageView(ErpView):
    """``POST …/erp/v1/requests/<reference or ERP id>/messages``."""

    action = "message"

    def post(self, request, key):
        data = self.payload(MessageSerializer)
        return self.run(
            key, lambda: services.post_message(request.auth, key, erp_id=data["id"], body=data["body"])
        )


class DocumentView(ErpView):
    """``POST …/erp/v1/documents``: a PDF for a party, a contract or a request."""

    action = "document"

    def post(self, request):
        data = self.payload(DocumentSerializer)
        target = data["target"]

        def handler():
            return services.attach_document(
                request.auth,
                erp_id=data["id"],
                target_type=target["type"],
                target_id=target["id"],
                title=data["title"],
                file=services.decode_file(data["content_base64"], data["filename"]),
                category=data["category"],
                document_date=data["document_date"],
                notify=data["notify"],
            )

        return self.run(f"{target['type']}:{target['id']}", handler)


class MasterDataView(ErpView):
    """``POST …/erp/v1/master-data``: upsert rows by the import's rules."""

    action = "master_data"

    def post(self, request):
        data = self.payload(MasterDataSerializer)
        return self.run(
            ",".join(data["data"]),
            lambda: services.upsert_master_data(
                request.auth, data["data"], partial=data["partial"], dry_run=data["dry_run"]
            ),
        )


class AttachmentView(ErpView):
    """``GET …/erp/v1/attachments/<id>``: a file of a request of the connection's company
    (the events link here)."""

    def get(self, request, pk):
        attachment = ticket_services.company_attachment(request.auth.company_id, pk)
        if attachment is None:
            raise ErpApiError(404, "unknown_attachment", _("No such attachment at this company."))
        return private_file_response(
            attachment.file.name,
            filename=attachment.original_name,
            content_type=attachment.content_type,
            storage=attachment.file.storage,
        )
