"""Tenant views: my requests, a request with its history and messages, new requests, "me too",
attachments and mail preferences. Thin: forms parse, ``services`` read and act (no ORM here),
``presentation`` holds what views share with the page types and blocks.

Every view requires a full portal session (``portal_login_required``). Tickets and files are
looked up through ``visible_to`` (in ``services``): another tenant's reference or file id is a
404, exactly like one that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..core.conf import portal_settings
from ..core.context import portal_renderer
from ..core.session import portal_login_required
from . import services
from .forms import ContactMessageForm, NotificationPreferenceForm, ReplyForm, add_service_errors
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


# -- messages ---------------------------------------------------------------------------------------


@portal_login_required
def message_inbox_view(request):
    """Every conversation with the cooperative, the most recent first, with unread counts."""
    page = Paginator(services.conversations(request.user), portal_settings.TICKET_LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    ticket_type, contracts = services.message_contracts(request.user)
    return render_portal(
        request,
        "inbox.html",
        {
            "page_obj": page,
            "conversations": page.object_list,
            "can_write": ticket_type is not None and bool(contracts),
            "unread_total": services.unread_message_total_for_request(request),
        },
    )


@portal_login_required
def message_new_view(request):
    """Write to my contact person: a message about one of the tenant's contracts."""
    ticket_type, contracts = services.message_contracts(request.user)
    if ticket_type is None or not contracts:
        raise Http404
    form = ContactMessageForm(request.POST or None, contracts=contracts)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.write_to_contact_person(
                request.user,
                contract=form.cleaned_data["contract"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your message has been sent (%(reference)s). You will find the answer here.")
                % {"reference": ticket.reference},
            )
            return HttpResponseRedirect(ticket.get_absolute_url())
    people = services.contact_people(contracts)
    return render_portal(
        request,
        "message_new.html",
        {"form": form, "contacts": [(contract, people.get(contract.pk)) for contract in contracts]},
    )
