"""What every endpoint shares: authentication, the state predicate, parsers with size limits,
throttles on the shared rate-limit cache, the error body, cursor pagination, ETags on lists,
and the browsable API only with ``DEBUG``."""

import hashlib

from django.conf import settings
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import generics, mixins, parsers, renderers, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from ..core.adapter import get_adapter
from ..core.conf import portal_settings
from ..core.ratelimit import RateLimit
from . import errors
from .authentication import AppTokenAuthentication, PortalSessionAuthentication
from .permissions import PortalVerified

# -- parsers --------------------------------------------------------------------------------------


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


class JSONParser(parsers.JSONParser):
    """JSON bodies up to ``API_MAX_JSON_KB``; malformed JSON is a 400 with a clear message."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = int(portal_settings.API_MAX_JSON_KB) * 1024
        if request is not None and _content_length(request) > limit:
            raise errors.PayloadTooLarge()
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise errors.PayloadTooLarge()
        import io

        try:
            return super().parse(io.BytesIO(data), media_type, parser_context)
        except parsers.ParseError:
            raise parsers.ParseError(_("The body is not valid JSON.")) from None


class MultiPartParser(parsers.MultiPartParser):
    """Uploads up to the tickets' limits (files count, size per file) plus 1 MB of fields."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = (
            (int(portal_settings.TICKET_MAX_ATTACHMENTS) * int(portal_settings.TICKET_MAX_UPLOAD_MB) + 1)
            * 1024
            * 1024
        )
        if request is not None and _content_length(request) > limit:
            raise errors.PayloadTooLarge()
        return super().parse(stream, media_type, parser_context)


# -- throttles ------------------------------------------------------------------------------------


class ScopedRateLimitThrottle(BaseThrottle):
    """Counts every unsafe request of a view in the ``core.ratelimit`` scopes the view names
    (``throttle_scopes = [("api_auth_ip", "ip"), ("api_upload", "user")]``), on the shared
    rate-limit cache. The flows behind the endpoints add the limits the web has (wrong
    passwords, wrong codes, registrations...), so the web and the API share one budget."""

    def allow_request(self, request, view):
        self.wait_seconds = None
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        for scope, kind in getattr(view, "throttle_scopes", ()):
            if kind == "user":
                user = getattr(request, "user", None)
                key = f"user:{user.pk}" if user is not None and user.is_authenticated else None
            else:
                key = get_adapter().get_client_ip(request._request)
            if not key:
                continue
            limiter = RateLimit.for_scope(scope)
            wait = limiter.locked_for(key)
            if wait:
                self.wait_seconds = wait
                return False
            limiter.hit(key)
        return True

    def wait(self):
        return self.wait_seconds


# -- pagination -----------------------------------------------------------------------------------


class Pagination(CursorPagination):
    """Cursor pagination (stable while new items arrive): ``?cursor=`` from ``next``/``previous``;
    ``?page_size=`` up to 100."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-pk")
    invalid_cursor_message = _("This cursor is not valid.")

    def get_page_size(self, request):
        try:
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except (TypeError, ValueError):
            return self.page_size
        return max(1, min(size, self.max_page_size))


def paginated(ordering, page_size=25):
    return type("Pagination", (Pagination,), {"ordering": ordering, "page_size": page_size})


# -- serializers ----------------------------------------------------------------------------------


_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


def url_for(serializer, name, kwarg, value):
    """The absolute URL of the route ``name`` with ``kwarg=value``, for every item of a list:
    reversed once per list (a template kept on the root serializer), then filled in."""
    root = serializer.root
    cache = root.__dict__.setdefault("_url_templates", {})
    template = cache.get(name)
    if template is None:
        from rest_framework.reverse import reverse

        template = reverse(name, kwargs={kwarg: _PLACEHOLDER}, request=serializer.context.get("request"))
        cache[name] = template
    return template.replace(_PLACEHOLDER, str(value))


class StrictSerializer(serializers.Serializer):
    """Input serializers reject fields they do not know (a typo must not pass silently)."""

    def to_internal_value(self, data):
        if isinstance(data, dict) or hasattr(data, "keys"):
            known = set(self.fields)
            unknown = sorted(str(key) for key in data.keys() if key not in known)
            if unknown:
                raise serializers.ValidationError(
                    {key: [_("Unknown field.")] for key in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)


# -- views ----------------------------------------------------------------------------------------


class PortalAPIView(generics.GenericAPIView):
    """The base of every endpoint (see the module docstring). Responses are never cached by
    shared caches (they hold personal data); lists carry an ETag and answer 304 to
    ``If-None-Match``."""

    authentication_classes = [AppTokenAuthentication, PortalSessionAuthentication]
    permission_classes = [PortalVerified]
    parser_classes = [JSONParser]
    throttle_classes = [ScopedRateLimitThrottle]
    throttle_scopes = ()
    pagination_class = None
    versioning_class = None
    #: No OPTIONS metadata (it would describe serializers the views do not have): 405.
    metadata_class = None
    schema = AutoSchema()
    #: Lists answer with an ETag.
    etag = False

    def get_renderers(self):
        classes = [renderers.JSONRenderer]
        if settings.DEBUG:
            classes.append(renderers.BrowsableAPIRenderer)
        return [cls() for cls in classes]

    def get_exception_handler(self):
        return errors.exception_handler

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.get_serializer_class()(*args, **kwargs)

    def validated(self, serializer_class=None, data=None, **kwargs):
        """Validated input of the request body (raises the API's 400)."""
        serializer_class = serializer_class or self.get_serializer_class()
        serializer = serializer_class(
            data=self.request.data if data is None else data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.etag and request.method == "GET" and response.status_code == 200:
            response = self._with_etag(request, response)
        add_never_cache_headers(response)
        response["Cache-Control"] = "private, no-store" if not self.etag else "private, no-cache"
        response.setdefault("Vary", "Accept, Accept-Language, Authorization, Cookie")
        return response

    def _with_etag(self, request, response):
        response.render()
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        wanted = [tag.strip() for tag in request.META.get("HTTP_IF_NONE_MATCH", "").split(",")]
        if etag in wanted or f"W/{etag}" in wanted:
            not_modified = Response(status=status.HTTP_304_NOT_MODIFIED)
            not_modified["ETag"] = etag
            not_modified.accepted_renderer = response.accepted_renderer
            not_modified.accepted_media_type = response.accepted_media_type
            not_modified.renderer_context = response.renderer_context
            return not_modified
        response["ETag"] = etag
        return response


class ListView(mixins.ListModelMixin, PortalAPIView):
    """A paginated list with an ETag (``ListModelMixin`` tells the schema it is paginated; the
    views implement ``get`` themselves)."""

    etag = True
    pagination_class = Pagination

    def list_response(self, items, serializer_class=None):
        page = self.paginate_queryset(items)
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


def extend_schema(**kwargs):
    """drf-spectacular's ``extend_schema`` for the methods of these views. The package does not
    set ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``, so the method is given drf-spectacular's
    ``AutoSchema`` as its base first (the decorator would otherwise build on DRF's own)."""
    from drf_spectacular.utils import extend_schema as spectacular_extend_schema

    decorate = spectacular_extend_schema(**kwargs)

    def decorator(function):
        if not hasattr(function, "schema"):
            function.schema = AutoSchema
        return decorate(function)

    return decorator
