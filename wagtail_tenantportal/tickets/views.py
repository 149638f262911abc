"""Tenant views: my requests, a request with its history and messages, new requests, "me too",
attachments and mail preferences. Thin: forms parse, ``services`` read and act (no ORM here),
``presentation`` holds what views share with the page types and blocks.

Every view requires a full portal session (``portal_login_required``). Tickets and files are
looked up through ``visible_to`` (in ``services``): another tenant's reference or file id is a
404, exactly like one that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..core.context import portal_renderer
from ..core.session import portal_login_required
from . import services
from .forms import NotificationPreferenceForm, ReplyForm, add_service_errors
from .models import TicketMessage
from .presentation import attachment_response, detail_context, handle_ticket_form, submitted_redirect

TEMPLATE_DIR = "wagtail_tenantportal/tickets/"

render_portal = portal_renderer(TEMPLATE_DIR)


def _tenant_ticket_or_404(user, reference):
    found = services.tenant_ticket(user, reference)
    if found is None:
        raise Http404
    return found


# -- views ------------------------------------------------------------------------------------------


@portal_login_required
def ticket_list_view(request):
    context = services.request_list_context(request.user, request.GET.get("page"))
    return render_portal(request, "list.html", context)


@portal_login_required
def ticket_new_choose_view(request):
    contracts = services.eligible_contracts(request.user)
    types = services.portal_types_for(request.user, contracts)
    return render_portal(request, "choose_type.html", {"ticket_types": types, "contracts": contracts})


@portal_login_required
def ticket_new_view(request, type_code):
    ticket_type = services.portal_ticket_type(type_code)
    if ticket_type is None:
        raise Http404
    contracts = services.eligible_contracts(request.user, ticket_type)
    if not contracts:
        raise Http404
    context, ticket = handle_ticket_form(request, ticket_type, contracts)
    if ticket is not None:
        return submitted_redirect(request, ticket)
    return render_portal(request, "new.html", context)


@portal_login_required
def ticket_detail_view(request, reference):
    ticket, full = _tenant_ticket_or_404(request.user, reference)
    # Replies and status changes shown now are no longer "new" in lists and on the dashboard.
    services.mark_seen(ticket, request.user)
    return render_portal(request, "detail.html", detail_context(ticket, full))


@portal_login_required
@require_POST
def ticket_reply_view(request, reference):
    ticket, full = _tenant_ticket_or_404(request.user, reference)
    if not full:
        raise Http404
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.post_message(
                ticket,
                user=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                role=TicketMessage.Role.TENANT,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your message has been sent."))
            return HttpResponseRedirect(ticket.get_absolute_url() + "#tp-messages")
    return render_portal(request, "detail.html", detail_context(ticket, full, reply_form=form))


@portal_login_required
@require_POST
def ticket_join_view(request, reference):
    ticket = services.joinable_ticket(request.user, reference)
    if ticket is None:
        raise Http404
    try:
        services.join_ticket(ticket, request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Thank you. We have noted that the damage affects you too (%(reference)s).")
            % {"reference": ticket.reference},
        )
    return HttpResponseRedirect(reverse("wagtail_tenantportal:ticket_list"))


@portal_login_required
def ticket_attachment_view(request, reference, pk, thumbnail=False):
    attachment = services.tenant_attachment(request.user, reference, pk)
    if attachment is None:
        raise Http404
    return attachment_response(attachment, thumbnail=thumbnail)


@portal_login_required
def notification_preferences_view(request):
    preference = services.notification_preference(request.user)
    form = NotificationPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings have been saved."))
        return HttpResponseRedirect(reverse("wagtail_tenantportal:ticket_notifications"))
    return render_portal(request, "notifications.html", {"form": form})
