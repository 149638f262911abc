"""Pages of leaving the portal: the data export (ask, see, download) and deleting the account.
Thin: they call ``leaving.py`` and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..core import session
from ..core.downloads import private_file_response
from . import auth, flows, leaving
from .leaving_forms import DeleteAccountForm
from .views import render_portal

#: What the page after a deletion shows (the session is a new, anonymous one by then).
DELETED_SESSION_KEY = "tenantportal_account_deleted"


@login_not_required
@session.portal_login_required
@require_http_methods(["GET", "POST"])
def data_export_view(request):
    """The tenant's exports, and the button that asks for a new one."""
    if request.method == "POST":
        try:
            leaving.request_export(request.user, request=request)
        except flows.FlowError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("We are preparing your data export. We will send you an email as soon as it is ready."),
            )
        return HttpResponseRedirect(reverse("wagtail_tenantportal:data_export"))
    exports = list(leaving.exports_of(request.user))
    return render_portal(
        request,
        "data_export.html",
        {
            "exports": exports,
            "in_preparation": any(export.state == export.State.PENDING for export in exports),
            "days": leaving.portal_settings.DATA_EXPORT_DAYS,
        },
    )


@login_not_required
@session.portal_login_required
@never_cache
def data_export_download_view(request, export_id):
    export = leaving.export_for(request.user, export_id)
    if export is None:
        raise Http404("No such export")
    try:
        return private_file_response(
            export.file.name, filename=export.filename, content_type="application/zip"
        )
    except FileNotFoundError:  # deleted with its time just now
        raise Http404("No such export") from None


@login_not_required
@sensitive_post_parameters()
@session.portal_login_required
@require_http_methods(["GET", "POST"])
def delete_account_view(request):
    user = request.user
    preview = leaving.deletion_preview(user)
    form = DeleteAccountForm(request.POST or None, methods=preview.methods)
    if request.method == "POST" and request.POST.get("action") == "send_code":
        try:
            leaving.send_deletion_code(user, request=request)
        except flows.FlowError as error:
            messages.error(request, error.message)
        else:
            messages.info(request, _("We have sent you a code by email."))
        return HttpResponseRedirect(reverse("wagtail_tenantportal:delete_account"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = leaving.delete_account(
                request,
                user,
                password=data["password"],
                code=data.get("code", ""),
                method=data.get("method", ""),
                ip=flows.client_ip(request),
            )
        except flows.FlowError as error:
            form.add_error(None, error.message)
        else:
            auth.logout(request)
            request.session[DELETED_SESSION_KEY] = {
                "open_requests": [item["reference"] for item in result.open_items]
            }
            return HttpResponseRedirect(reverse("wagtail_tenantportal:account_deleted"))
    return render_portal(
        request,
        "delete_account.html",
        {"form": form, "preview": preview, "companies": leaving.companies_of(user)},
    )


@login_not_required
@never_cache
def account_deleted_view(request):
    """Said plainly after the deletion; only the session that deleted the account sees it."""
    done = request.session.get(DELETED_SESSION_KEY)
    if not isinstance(done, dict):
        return HttpResponseRedirect(reverse("wagtail_tenantportal:login"))
    return render_portal(
        request,
        "account_deleted.html",
        {"open_requests": done.get("open_requests") or []},
    )
