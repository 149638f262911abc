"""Tenant views of the notice board: the list and one notice.

Thin: reads and actions are ``services`` functions (what a tenant may read comes from
``Notice.objects.visible_to`` there). A notice the tenant may not read (another building,
another company, outside its time window, or no such id) answers the same 404.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..accounts import auth
from ..core.context import portal_renderer
from ..core.session import portal_login_required
from . import services
from .models import NoticeMailPreference

TEMPLATE_DIR = "wagtail_tenantportal/notices/"


render_portal = portal_renderer(TEMPLATE_DIR)


@require_GET
@portal_login_required
def notice_list_view(request):
    return render_portal(request, "notice_list.html", services.notice_list_context(request.user))


@require_GET
@portal_login_required
def notice_detail_view(request, notice_id):
    """One notice; opening it marks it read for the tenant's account."""
    notice = services.get_tenant_notice(request.user, notice_id)
    services.mark_read(notice, request.user)
    return render_portal(
        request,
        "notice_detail.html",
        {"notice": notice, "all_notices_url": reverse("wagtail_tenantportal:notices")},
    )


class NoticeMailPreferenceForm(forms.ModelForm):
    class Meta:
        model = NoticeMailPreference
        fields = ["important_notices"]


@portal_login_required
def notice_mail_preference_view(request):
    """The tenant's choice whether important notices come by email as well."""
    account = auth.get_account(request.user)
    form = NoticeMailPreferenceForm(
        request.POST if request.method == "POST" else None, instance=services.mail_preference(account)
    )
    if request.method == "POST" and form.is_valid():
        services.set_mail_preference(account, form.cleaned_data["important_notices"])
        messages.success(request, _("Your email setting for the notice board has been saved."))
        return HttpResponseRedirect(reverse("wagtail_tenantportal:notice_mail_preference"))
    return render_portal(
        request,
        "mail_preference.html",
        {"form": form, "all_notices_url": reverse("wagtail_tenantportal:notices")},
    )
