"""Tenant views: my requests, a request with its history and messages, new requests, "me too",
attachments and mail preferences. Thin: forms parse, ``services`` act.

Every view requires a full portal session (``portal_login_required``). Tickets and files are
looked up through ``visible_to``: another tenant's reference or file id is a 404, exactly like
one that does not exist.
"""

import os

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..accounts import auth
from ..core import session
from ..core.conf import portal_settings
from ..core.context import portal_context, portal_renderer
from ..core.downloads import private_file_response
from ..core.session import portal_login_required
from . import services
from .forms import NotificationPreferenceForm, ReplyForm, TicketForm, add_service_errors
from .models import (
    NotificationPreference,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketSupporter,
    TicketType,
)

TEMPLATE_DIR = "wagtail_tenantportal/tickets/"
LIST_RELATED = ("ticket_type", "status", "contract", "damage_location", "damage_category", "damage_kind")


render_portal = portal_renderer(TEMPLATE_DIR)


# -- shared pieces (views, pages, blocks) ----------------------------------------------------------


def login_prompt_context(request, state, next_url=None):
    """What a page or block shows a visitor without a full portal session (the ``step`` of
    ``elements/visitor_prompt.html``): a login link back to ``next_url`` (default: this page)
    or the step the session is missing (``session.visitor_step``)."""
    return session.visitor_step(request, state, next_url or request.get_full_path())


def supporter_count():
    rows = (
        TicketSupporter.objects.filter(ticket=OuterRef("pk"))
        .order_by()
        .values("ticket")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def list_context(request, user, page_number=None):
    """Context of "my requests": own tickets (paginated), tickets joined, open shared-area reports
    to join. A fixed number of queries however many tickets there are."""
    own = (
        Ticket.objects.visible_to(user)
        .with_news(user)
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-pk")
    )
    page = Paginator(own, portal_settings.TICKET_LIST_PAGE_SIZE).get_page(page_number)
    # Supporters do not see the messages of joined reports, so only status changes are news.
    joined = list(
        Ticket.objects.joined_by(user)
        .with_news(user, messages=False)
        .select_related(*LIST_RELATED)
        .order_by("-created_at")[:50]
    )
    shared = list(
        Ticket.objects.shared_open_for(user)
        .exclude(pk__in=[ticket.pk for ticket in joined])
        .select_related("status", "damage_location", "damage_kind", "property")
        .annotate(supporter_total=supporter_count())
        .order_by("-created_at")[:20]
    )
    contact_type = (
        TicketType.objects.active()
        .filter(show_in_portal=True, kind=TicketType.Kind.GENERAL)
        .order_by("sort_order", "pk")
        .first()
    )
    return {
        "page_obj": page,
        "tickets": page.object_list,
        "joined_tickets": joined,
        "shared_tickets": shared,
        "contact_type": contact_type,
    }


def default_damage_type():
    """The request type damage-report pages and blocks use: the first active damage type."""
    return (
        TicketType.objects.active()
        .filter(show_in_portal=True, kind=TicketType.Kind.DAMAGE)
        .order_by("sort_order", "pk")
        .first()
    )


def emergency_phones(contracts):
    """``[(company, phone)]`` of the companies of ``contracts`` that have an emergency number."""
    seen, phones = set(), []
    for contract in contracts:
        company = contract.company
        if company.pk not in seen and company.emergency_phone:
            seen.add(company.pk)
            phones.append((company, company.emergency_phone))
    return phones


def ticket_form_context(request, ticket_type, contracts, form=None):
    kinds = []
    if ticket_type.is_damage_report:
        kinds = services.damage_kinds_for({contract.company for contract in contracts})
    if form is None:
        form = TicketForm(ticket_type=ticket_type, contracts=contracts, user=request.user, damage_kinds=kinds)
    return {
        "form": form,
        "ticket_type": ticket_type,
        "contracts": contracts,
        "urgent_kinds": getattr(form, "urgent_kinds", []),
        "emergency_phones": emergency_phones(contracts),
        "form_action": reverse("wagtail_tenantportal:ticket_new", args=[ticket_type.code]),
    }


def handle_ticket_form(request, ticket_type, contracts):
    """Validate a posted ticket form and submit it. Returns ``(context, ticket)``; ``ticket`` is
    None when the form was shown or had errors."""
    if request.method != "POST":
        return ticket_form_context(request, ticket_type, contracts), None
    kinds = services.damage_kinds_for({c.company for c in contracts}) if ticket_type.is_damage_report else []
    form = TicketForm(
        request.POST,
        request.FILES,
        ticket_type=ticket_type,
        contracts=contracts,
        user=request.user,
        damage_kinds=kinds,
    )
    if form.is_valid():
        try:
            ticket = services.submit_ticket(user=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return {}, ticket
    return ticket_form_context(request, ticket_type, contracts, form=form), None


def submitted_redirect(request, ticket):
    messages.success(
        request,
        _("Thank you. Your request has been received with the reference %(reference)s.")
        % {"reference": ticket.reference},
    )
    return HttpResponseRedirect(ticket.get_absolute_url())


def tenant_ticket(user, reference):
    """``(ticket, full)``: a ticket on the user's contracts (full view) or one they joined
    (read-only, no messages or files). Http404 otherwise."""
    related = (*LIST_RELATED, "company", "property", "contract__unit")
    ticket = Ticket.objects.visible_to(user).select_related(*related).filter(reference=reference).first()
    if ticket is not None:
        return ticket, True
    ticket = Ticket.objects.joined_by(user).select_related(*related).filter(reference=reference).first()
    if ticket is not None:
        return ticket, False
    raise Http404


def detail_context(request, ticket, full, reply_form=None):
    history = list(ticket.status_changes.select_related("from_status", "to_status"))
    context = {"ticket": ticket, "full": full, "history": history}
    if full:
        public_files = TicketAttachment.objects.public()
        context["thread"] = list(
            ticket.messages.public()
            .select_related("author")
            .prefetch_related(Prefetch("attachments", queryset=public_files))
        )
        context["attachments"] = list(public_files.filter(ticket=ticket, message__isnull=True))
        context["reply_form"] = reply_form or ReplyForm()
        context["can_reply"] = not ticket.status.is_closed
        context["supporter_total"] = ticket.supporters.count()
        if ticket.is_urgent and not ticket.status.is_closed:
            context["emergency_phones"] = emergency_phones([ticket.contract])
    return context


# -- views ------------------------------------------------------------------------------------------


@portal_login_required
def ticket_list_view(request):
    return render_portal(request, "list.html", list_context(request, request.user, request.GET.get("page")))


@portal_login_required
def ticket_new_choose_view(request):
    contracts = services.eligible_contracts(request.user)
    types = services.portal_types_for(request.user, contracts)
    return render_portal(request, "choose_type.html", {"ticket_types": types, "contracts": contracts})


@portal_login_required
def ticket_new_view(request, type_code):
    ticket_type = get_object_or_404(TicketType.objects.active().filter(show_in_portal=True), code=type_code)
    contracts = services.eligible_contracts(request.user, ticket_type)
    if not contracts:
        raise Http404
    context, ticket = handle_ticket_form(request, ticket_type, contracts)
    if ticket is not None:
        return submitted_redirect(request, ticket)
    return render_portal(request, "new.html", context)


@portal_login_required
def ticket_detail_view(request, reference):
    ticket, full = tenant_ticket(request.user, reference)
    # Replies and status changes shown now are no longer "new" in lists and on the dashboard.
    services.mark_seen(ticket, request.user)
    return render_portal(request, "detail.html", detail_context(request, ticket, full))


@portal_login_required
@require_POST
def ticket_reply_view(request, reference):
    ticket, full = tenant_ticket(request.user, reference)
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
    return render_portal(request, "detail.html", detail_context(request, ticket, full, reply_form=form))


@portal_login_required
@require_POST
def ticket_join_view(request, reference):
    ticket = get_object_or_404(Ticket.objects.shared_open_for(request.user), reference=reference)
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
    attachment = get_object_or_404(
        TicketAttachment.objects.visible_to(request.user).filter(ticket__reference=reference), pk=pk
    )
    return attachment_response(attachment, thumbnail=thumbnail)


def attachment_response(attachment, *, thumbnail=False):
    """The file (or thumbnail) of an attachment the caller checked access to. Photos are shown
    inline, PDFs are downloaded."""
    stem = os.path.splitext(attachment.original_name)[0] or "file"
    if thumbnail:
        if not attachment.thumbnail:
            raise Http404
        return private_file_response(
            attachment.thumbnail.name,
            filename=f"{stem}-thumbnail.jpg",
            content_type="image/jpeg",
            as_attachment=False,
            storage=attachment.thumbnail.storage,
        )
    extension = attachment.file.name.rsplit(".", 1)[-1]
    return private_file_response(
        attachment.file.name,
        filename=f"{stem}.{extension}",
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        storage=attachment.file.storage,  # the storage the file was written to
    )


@portal_login_required
def notification_preferences_view(request):
    account = auth.get_account(request.user)
    preference = NotificationPreference.objects.filter(account=account).first() or NotificationPreference(
        account=account
    )
    form = NotificationPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings have been saved."))
        return HttpResponseRedirect(reverse("wagtail_tenantportal:ticket_notifications"))
    return render_portal(request, "notifications.html", {"form": form})


# -- pages ------------------------------------------------------------------------------------------


def _page_response(request, page, template, context, status=200):
    response = TemplateResponse(
        request, template, {**page.get_context(request), **portal_context(request), **context}, status=status
    )
    add_never_cache_headers(response)
    return response


def damage_report_page_response(request, page):
    """``DamageReportPage.serve``: the damage form inside the page, for full portal sessions."""
    template = page.get_template(request)
    state = session.portal_state(request)
    if state != session.OK:
        return _page_response(request, page, template, {"login_prompt": login_prompt_context(request, state)})
    ticket_type = default_damage_type()
    contracts = services.eligible_contracts(request.user, ticket_type) if ticket_type else []
    if not contracts:
        return _page_response(request, page, template, {"unavailable": True})
    context, ticket = handle_ticket_form(request, ticket_type, contracts)
    if ticket is not None:
        return submitted_redirect(request, ticket)
    context["form_action"] = ""  # post back to the page itself
    return _page_response(request, page, template, context)


def request_list_page_response(request, page):
    """``RequestListPage.serve``: "my requests" inside the page."""
    template = page.get_template(request)
    state = session.portal_state(request)
    if state != session.OK:
        return _page_response(request, page, template, {"login_prompt": login_prompt_context(request, state)})
    return _page_response(
        request, page, template, list_context(request, request.user, request.GET.get("page"))
    )
