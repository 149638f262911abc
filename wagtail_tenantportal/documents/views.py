"""Tenant views of the documents: list, download, self-service certificates.

Thin: every read and action is a ``services`` function (ownership from
``Document.objects.visible_to`` / ``portal_contracts`` there). A URL that names a document
answers 404 to everybody who may not open it: other tenants, anonymous visitors and sessions
that are not fully verified (a half-logged-in session gets the same answer as a wrong id).
"""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..core.context import portal_renderer
from ..core.downloads import private_file_response
from ..core.session import is_portal_verified, portal_login_required
from . import services
from .files import DocumentRejected
from .forms import DocumentRequestForm
from .listing import document_request_url

TEMPLATE_DIR = "wagtail_tenantportal/documents/"

logger = logging.getLogger(__name__)


render_portal = portal_renderer(TEMPLATE_DIR)


@require_GET
@portal_login_required
def document_list_view(request):
    return render_portal(
        request, "document_list.html", services.document_list_context(request.user, request.GET)
    )


@require_GET
def document_download_view(request, document_id):
    """The file of a document the user may open; 404 for everything else.

    Records the opening (read receipt) before the bytes leave.
    """
    if not is_portal_verified(request):
        raise Http404
    document = services.get_tenant_document(request.user, document_id)
    try:
        response = private_file_response(
            document.file.name, filename=document.download_filename, content_type=document.content_type
        )
    except FileNotFoundError:  # the record exists, its file does not: tell the logs, not the tenant
        logger.error(
            "The file of document %s (%s) is missing from the private storage.",
            document.pk,
            document.file.name,
        )
        raise Http404 from None
    services.record_opening(document, request.user)
    add_never_cache_headers(response)
    response["Cache-Control"] = "private, no-store"  # add_never_cache_headers adds max-age=0
    return response


@require_http_methods(["GET", "POST"])
@portal_login_required
def certificates_view(request):
    """Self-service certificates: one button per certificate a contract can produce.

    POST generates (or finds today's) certificate and returns here with a link to it.
    """
    today = timezone.localdate()
    if request.method == "POST":
        contract = services.get_certificate_contract(request.user, request.POST.get("contract", ""), today)
        kind = request.POST.get("kind", "")
        event = request.POST.get("event") or None
        try:
            document = services.generate_certificate(
                contract, kind, event=event, user=request.user, today=today
            )
        except DocumentRejected as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("wagtail_tenantportal:document_certificates"))
        messages.success(request, _("Your certificate is ready."))
        url = (
            reverse("wagtail_tenantportal:document_certificates") + "?" + urlencode({"ready": document.uuid})
        )
        return HttpResponseRedirect(url)
    ready = None
    if request.GET.get("ready"):
        try:  # the certificate just made; nothing when the id is not one of the user's documents
            ready = services.get_tenant_document(request.user, request.GET["ready"])
        except Http404:
            ready = None
    return render_portal(
        request,
        "certificates.html",
        {
            "choices": services.certificate_choices(request.user, today),
            "ready": ready,
            "documents_url": reverse("wagtail_tenantportal:documents"),
            "document_request_url": document_request_url(),
        },
    )


@require_http_methods(["GET", "POST"])
@portal_login_required
def document_requests_view(request):
    """Request a document of the company's catalogue for a contract; the tenant's requests with
    their state and, once staff uploaded it, the link to the document."""
    choices = services.doc_requests.request_choices(request.user)
    form = DocumentRequestForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.doc_requests.submit_request(
                request.user,
                form.cleaned_data["contract"],
                form.cleaned_data["request_type"],
                form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your request was sent. The document will appear under your documents.")
            )
            return HttpResponseRedirect(reverse("wagtail_tenantportal:document_requests"))
    return render_portal(
        request,
        "requests.html",
        {
            "form": form,
            "choices": choices,
            "requests": services.doc_requests.tenant_requests(request.user),
            "documents_url": reverse("wagtail_tenantportal:documents"),
            "certificates_url": reverse("wagtail_tenantportal:document_certificates"),
            "document_request_url": document_request_url(),
        },
    )
