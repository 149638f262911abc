"""What the portal views, the page types, the blocks and the staff admin of the tickets app share
around the data of ``services``: the ticket form round trip, the detail context, page responses
and file responses. No ORM here: every read and write is a ``services`` call.
"""

import os

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from ..core import session
from ..core.context import portal_context
from ..core.downloads import private_file_response
from . import services
from .forms import ReplyForm, TicketForm, add_service_errors


def login_prompt_context(request, state, next_url=None):
    """What a page or block shows a visitor without a full portal session (the ``step`` of
    ``elements/visitor_prompt.html``): a login link back to ``next_url`` (default: this page)
    or the step the session is missing (``session.visitor_step``)."""
    return session.visitor_step(request, state, next_url or request.get_full_path())


# -- the ticket form ------------------------------------------------------------------------------


def _damage_kinds(ticket_type, contracts):
    if not ticket_type.is_damage_report:
        return []
    return services.damage_kinds_for({contract.company for contract in contracts})


def ticket_form_context(request, ticket_type, contracts, form=None):
    """The context of ``_ticket_form.html``: a new (or the given bound) form for ``ticket_type``
    on ``contracts``, the urgent damage kinds and the landlords' emergency numbers."""
    if form is None:
        form = TicketForm(
            ticket_type=ticket_type,
            contracts=contracts,
            user=request.user,
            damage_kinds=_damage_kinds(ticket_type, contracts),
        )
    return {
        "form": form,
        "ticket_type": ticket_type,
        "contracts": contracts,
        "urgent_kinds": getattr(form, "urgent_kinds", []),
        "emergency_phones": services.emergency_phones(contracts),
        "form_action": reverse("wagtail_tenantportal:ticket_new", args=[ticket_type.code]),
    }


def handle_ticket_form(request, ticket_type, contracts):
    """Validate a posted ticket form and submit it. Returns ``(context, ticket)``; ``ticket`` is
    None when the form was shown or had errors."""
    if request.method != "POST":
        return ticket_form_context(request, ticket_type, contracts), None
    form = TicketForm(
        request.POST,
        request.FILES,
        ticket_type=ticket_type,
        contracts=contracts,
        user=request.user,
        damage_kinds=_damage_kinds(ticket_type, contracts),
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
    """Thank the tenant (a message with the reference) and show the new ticket."""
    messages.success(
        request,
        _("Thank you. Your request has been received with the reference %(reference)s.")
        % {"reference": ticket.reference},
    )
    return HttpResponseRedirect(ticket.get_absolute_url())


# -- a ticket -------------------------------------------------------------------------------------


def detail_context(ticket, full, reply_form=None):
    """The context of a tenant's ticket page: ``services.ticket_detail`` plus, for full access,
    the reply form, whether replying is possible and emergency numbers of an open emergency."""
    context = {"ticket": ticket, "full": full, **services.ticket_detail(ticket, full=full)}
    if full:
        context["reply_form"] = reply_form or ReplyForm()
        context["can_reply"] = not ticket.status.is_closed
        if ticket.is_urgent and not ticket.status.is_closed:
            context["emergency_phones"] = services.emergency_phones([ticket.contract])
    return context


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


# -- pages ----------------------------------------------------------------------------------------


def page_response(request, page, context, status=200):
    """``page``'s own template with the page's, the portal's and the given context; never cached
    (it shows a tenant's data or a form with their CSRF token)."""
    response = TemplateResponse(
        request,
        page.get_template(request),
        {**page.get_context(request), **portal_context(request), **context},
        status=status,
    )
    add_never_cache_headers(response)
    return response
