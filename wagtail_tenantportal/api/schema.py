"""The OpenAPI 3.1 description of the API (drf-spectacular) and its rendered docs, served offline
(the ReDoc and Swagger UI files of drf-spectacular-sidecar, from the site's static files). The
package never writes ``SPECTACULAR_SETTINGS``: its own settings are applied around each
generation (``SCHEMA_SETTINGS``). ``drf_spectacular`` need not be an installed app (its deploy
check would generate a schema of the host's whole site with the host's DRF settings).

The committed copy is ``docs/api/openapi.yaml``; ``make api-schema`` writes it and
``make api-schema-check`` (part of ``make test``) fails when code and copy differ.
"""

from django.contrib.auth.decorators import login_not_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views import View
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.settings import patched_settings
from drf_spectacular.views import SpectacularAPIView

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


def generate(server=DEFAULT_SERVER, language="en"):
    """The schema as a dict (the endpoints of the installed apps), its texts in ``language``
    (English for the committed copy; the served one follows the request's language)."""
    settings = {**SCHEMA_SETTINGS, "SERVERS": [{"url": server}]}
    with translation.override(language), patched_settings(settings):
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

        return Response(generate(server=root, language=translation.get_language() or "en"))


@method_decorator(login_not_required, name="dispatch")
class DocsView(View):
    """The rendered schema (ReDoc, or Swagger UI) from the site's own static files."""

    template_name = "wagtail_tenantportal/api/redoc.html"

    def get(self, request):
        schema_url = reverse("wagtail_tenantportal:api:schema")
        context = {
            "title": SCHEMA_SETTINGS["TITLE"],
            "schema_url": schema_url,
        }
        response = TemplateResponse(request, self.template_name, context)
        add_never_cache_headers(response)
        return response


class RedocView(DocsView):
    template_name = "wagtail_tenantportal/api/redoc.html"


class SwaggerView(DocsView):
    template_name = "wagtail_tenantportal/api/swagger.html"


__all__ = ["SchemaView", "SwaggerView", "RedocView", "generate", "render_yaml", "__version__"]
