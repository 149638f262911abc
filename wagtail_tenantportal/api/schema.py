"""The OpenAPI 3.1 description of the API (drf-spectacular) and its rendered docs, served offline
(drf-spectacular-sidecar). The package never writes ``SPECTACULAR_SETTINGS``: its own settings are
applied around each generation (``SCHEMA_SETTINGS``).

The committed copy is ``docs/api/openapi.yaml``; ``make api-schema`` writes it and
``make api-schema-check`` (part of ``make test``) fails when code and copy differ.
"""

from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.settings import patched_settings
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .. import __version__
from .permissions import Anybody

#: The server of the committed schema: the API where the quickstart mounts the portal.
DEFAULT_SERVER = "/portal/api/v1"

SCHEMA_SETTINGS = {
    "TITLE": "wagtail-tenantportal API",
    "DESCRIPTION": (
        "The REST API of the tenant portal for the cooperatives' apps and headless front ends. "
        "Authentication, errors, throttles and versioning: see docs/api.md of the package."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVERS": [{"url": DEFAULT_SERVER}],
    "SCHEMA_PATH_PREFIX": "/",
    "SCHEMA_PATH_PREFIX_TRIM": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {
        "SecondFactorMethodEnum": ["totp", "email", "backup"],
        "TwoFactorMethodEnum": ["totp", "email"],
        "RemovableMethodEnum": ["totp", "email", "all"],
    },
    "DISABLE_ERRORS_AND_WARNINGS": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "wagtail_tenantportal.api.schema.add_error_responses",
    ],
}

#: The one error body (``errors.error_body``).
ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "code", "message", "fields"],
    "properties": {
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "Stable, for programs."},
        "message": {"type": "string", "description": "Translated (Accept-Language de/en), for people."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages by input field; empty when no field is to blame.",
        },
        "step": {
            "type": "string",
            "description": "The missing step of a login (403) or two_factor_pending (401).",
        },
        "retry_after": {"type": "integer", "description": "Seconds to wait (429)."},
    },
}
ERROR_STATUSES = {
    "400": "Invalid input",
    "401": "Not logged in, or the token is not valid (or only opens the second factor)",
    "403": "The login misses a step (see step), or CSRF failed",
    "404": "Not found (also for what belongs to somebody else)",
    "405": "Method not allowed",
    "406": "Format not acceptable",
    "413": "Request too large",
    "414": "URI too long (answered by the web server in front)",
    "415": "Unsupported content type",
    "429": "Too many requests (see retry_after and Retry-After)",
}


def add_error_responses(result, generator, request, public):
    """Every operation may answer with the one error body (drf-spectacular post-processing hook)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                responses[code] = {"description": description}
                if code != "414":
                    responses[code]["content"] = {"application/json": {"schema": reference}}
    return result


class AppTokenScheme(OpenApiAuthenticationExtension):
    target_class = "wagtail_tenantportal.api.authentication.AppTokenAuthentication"
    name = "appToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An app token from POST auth/login (or auth/2fa/verify, auth/email/verify).",
        }


class PortalSessionScheme(OpenApiAuthenticationExtension):
    target_class = "wagtail_tenantportal.api.authentication.PortalSessionAuthentication"
    name = "portalSession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


def api_patterns():
    from . import urls

    return urls.endpoint_patterns()


def generate(server=DEFAULT_SERVER):
    """The schema as a dict (the endpoints of the installed apps)."""
    settings = {**SCHEMA_SETTINGS, "SERVERS": [{"url": server}]}
    with patched_settings(settings):
        generator = SchemaGenerator(patterns=api_patterns())
        return generator.get_schema(request=None, public=True)


def render_yaml(schema):
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode("utf-8")


class SchemaView(SpectacularAPIView):
    """``GET schema`` (YAML; ``?format=json`` for JSON): the schema with this site's server."""

    authentication_classes = []
    permission_classes = [Anybody]
    renderer_classes = [OpenApiYamlRenderer, OpenApiJsonRenderer]

    def get(self, request, *args, **kwargs):
        root = request.build_absolute_uri(reverse("wagtail_tenantportal:api:root")).rstrip("/")
        from rest_framework.response import Response

        return Response(generate(server=root))


class _PatchedDocsMixin:
    authentication_classes = []
    permission_classes = [Anybody]
    url_name = "wagtail_tenantportal:api:schema"
    title = SCHEMA_SETTINGS["TITLE"]

    def get(self, request, *args, **kwargs):
        with patched_settings(SCHEMA_SETTINGS):
            return super().get(request, *args, **kwargs)


class SwaggerView(_PatchedDocsMixin, SpectacularSwaggerView):
    """Swagger UI, from the sidecar's static files (no CDN)."""


class RedocView(_PatchedDocsMixin, SpectacularRedocView):
    """ReDoc, from the sidecar's static files (no CDN)."""


__all__ = ["SchemaView", "SwaggerView", "RedocView", "generate", "render_yaml", "__version__"]
