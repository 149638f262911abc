"""The reads of the tickets app: what tenant views, pages, blocks, the dashboard widget and the
staff admin show. Import them from ``services`` (which re-exports every public name here);
this module holds the reads, ``services.py`` the writes.

What callers may rely on:

- Tenant reads take the user and start at ``Ticket.objects.visible_to(user)`` (or
  ``joined_by``/``shared_open_for`` for "me too"): another tenant's ticket or file is
  indistinguishable from a missing one.
- Lookups of one object return it or None (never raise ``Http404``); views turn None into a 404.
- Listings run a fixed number of queries however many tickets there are; functions returning
  lists have evaluated them, functions returning querysets say so.
- Staff reads take the staff user and start at ``for_staff(user)`` (``core.scope``): a
  request of a company the user does not work for is indistinguishable from a missing one.
  Requests go only to staff who work for their company.
"""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone

from ..admin.utils import staff_users
from ..core import scope
from ..core.conf import portal_settings
from ..tenancy.models import Company, Contract, Party
from ..tenancy.services import contact_person_for
from .models import (
    LIST_RELATED,
    DamageKind,
    NotificationPreference,
    RoutingRule,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatus,
    TicketStatusChange,
    TicketType,
)


def _one_or_none(queryset, **lookup):
    """``queryset.get(**lookup)`` or None (the query ``get_object_or_404`` runs)."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        return None


# -- what a tenant may file -----------------------------------------------------------------------


def eligible_contracts(user, ticket_type=None):
    """Current contracts of ``user`` (for ``ticket_type``: those it applies to), with unit, property
    and company loaded."""
    contracts = list(
        Contract.objects.visible_to(user)
        .current()
        .select_related("company", "unit__property")
        .order_by("company__name", "number")
    )
    if ticket_type is not None:
        contracts = [contract for contract in contracts if ticket_type.applies_to(contract)]
    return contracts


def portal_types_for(user, contracts=None):
    """Active types tenants may file that apply to at least one of ``user``'s current contracts."""
    contracts = eligible_contracts(user) if contracts is None else contracts
    types = TicketType.objects.for_portal()
    return [t for t in types if any(t.applies_to(contract) for contract in contracts)]


def portal_ticket_types():
    """Queryset: every active type tenants may file, in the editors' order (for choices)."""
    return TicketType.objects.for_portal().order_by("sort_order", "pk")


def portal_ticket_type(code):
    """The active type tenants may file with ``code``, or None."""
    return _one_or_none(TicketType.objects.for_portal(), code=code)


def damage_report_types():
    """Queryset: the active damage-report types tenants may file, in the editors' order."""
    return TicketType.objects.for_portal().filter(kind=TicketType.Kind.DAMAGE).order_by("sort_order", "pk")


def default_damage_type():
    """The request type damage-report pages and blocks use: the first active damage type (or None)."""
    return damage_report_types().first()


def damage_type_for(code):
    """The active damage report type ``code`` names, else the first one (None if there is none)."""
    if code:
        chosen = damage_report_types().filter(code=code).first()
        if chosen is not None:
            return chosen
    return default_damage_type()


def contact_type():
    """The first active general contact type tenants may file (the "contact us" link), or None."""
    return (
        TicketType.objects.for_portal()
        .filter(kind=TicketType.Kind.GENERAL)
        .order_by("sort_order", "pk")
        .first()
    )


def damage_kinds_for(companies):
    """Active damage kinds (with category and location loaded) offered to tenants of ``companies``."""
    company_ids = [company.pk for company in companies]
    return list(
        DamageKind.objects.active()
        .filter(category__active=True, category__location__active=True)
        .filter(
            Q(category__location__company__isnull=True) | Q(category__location__company_id__in=company_ids)
        )
        .select_related("category__location")
    )


def acting_party(user, contract):
    """The party of ``contract`` that ``user`` acts for (the lowest id if several), or None."""
    if user is None:
        return None
    return Party.objects.visible_to(user).filter(contract_parties__contract=contract).order_by("pk").first()


def emergency_phones(contracts):
    """``[(company, phone)]`` of the companies of ``contracts`` that have an emergency number
    (no query: the contracts carry their company)."""
    seen, phones = set(), []
    for contract in contracts:
        company = contract.company
        if company.pk not in seen and company.emergency_phone:
            seen.add(company.pk)
            phones.append((company, company.emergency_phone))
    return phones


# -- the tenant's requests ------------------------------------------------------------------------


def request_list_context(user, page_number=None):
    """Context of "my requests": own tickets (``page_obj``/``tickets``, paginated, with news
    marks), ``joined_tickets`` ("me too"), ``shared_tickets`` (open shared-area reports to join,
    with ``supporter_total``) and ``contact_type``. A fixed number of queries however many
    tickets there are."""
    own = Ticket.objects.visible_to(user).with_list_data(user).order_by("-created_at", "-pk")
    page = Paginator(own, portal_settings.TICKET_LIST_PAGE_SIZE).get_page(page_number)
    # Supporters do not see the messages of joined reports, so only status changes are news.
    joined = list(
        Ticket.objects.joined_by(user).with_list_data(user, messages=False).order_by("-created_at")[:50]
    )
    shared = list(
        Ticket.objects.shared_open_for(user)
        .exclude(pk__in=[ticket.pk for ticket in joined])
        .select_related("status", "damage_location", "damage_kind", "property")
        .with_supporter_total()
        .order_by("-created_at")[:20]
    )
    return {
        "page_obj": page,
        "tickets": page.object_list,
        "joined_tickets": joined,
        "shared_tickets": shared,
        "contact_type": contact_type(),
    }


def latest_requests(user, *, count=5, open_only=False):
    """The ``count`` newest tickets of ``user`` (only open ones if ``open_only``) with news marks,
    as a list (one query)."""
    tickets = Ticket.objects.visible_to(user).with_list_data(user)
    if open_only:
        tickets = tickets.open()
    return list(tickets.order_by("-created_at", "-pk")[:count])


def tenant_ticket(user, reference):
    """``(ticket, full)``: the ticket ``reference`` on the user's contracts (``full``: True) or
    one they joined with "me too" (``full``: False: read-only, no messages or files); None for
    anything else."""
    related = (*LIST_RELATED, "company", "property", "contract__unit")
    ticket = Ticket.objects.visible_to(user).select_related(*related).filter(reference=reference).first()
    if ticket is not None:
        return ticket, True
    ticket = Ticket.objects.joined_by(user).select_related(*related).filter(reference=reference).first()
    if ticket is not None:
        return ticket, False
    return None


def sender_label(ticket, message):
    """Who a tenant reads as the sender of a staff or system ``message`` on ``ticket``: the
    clerk's name where the ticket's company allows it (``Company.reply_names``), else "Your
    team at <company>"; "" for tenants' messages (the template names them)."""
    if message.author_role == TicketMessage.Role.TENANT:
        return ""
    author = message.author if message.author_role == TicketMessage.Role.STAFF else None
    return ticket.company.reply_author(author)


def ticket_detail(ticket, *, full):
    """What a tenant sees of ``ticket``: ``history`` (status changes), and with ``full`` the
    public ``thread`` (messages with their public ``attachments`` prefetched and their
    ``sender_label``), the files of the
    request itself (``attachments``) and ``supporter_total``."""
    detail = {"history": list(ticket.status_changes.select_related("from_status", "to_status"))}
    if full:
        public_files = TicketAttachment.objects.public()
        detail["thread"] = list(
            ticket.messages.public()
            .select_related("author")
            .prefetch_related(Prefetch("attachments", queryset=public_files))
        )
        for message in detail["thread"]:
            message.sender_label = sender_label(ticket, message)
        detail["attachments"] = list(public_files.filter(ticket=ticket, message__isnull=True))
        detail["supporter_total"] = ticket.supporters.count()
    return detail


def joinable_ticket(user, reference):
    """The open shared-area report ``reference`` that ``user`` may join ("me too"), or None."""
    return _one_or_none(Ticket.objects.shared_open_for(user), reference=reference)


def tenant_attachment(user, reference, pk):
    """The public file ``pk`` of the ticket ``reference`` on ``user``'s contracts, or None."""
    return _one_or_none(TicketAttachment.objects.visible_to(user).filter(ticket__reference=reference), pk=pk)


def notification_preference(user):
    """The mail preferences of ``user``'s portal account: the stored ones, or unsaved defaults
    (every mail on) for the form to save."""
    from ..accounts.auth import get_account

    account = get_account(user)
    return NotificationPreference.objects.filter(account=account).first() or NotificationPreference(
        account=account
    )


def request_counts(user):
    """``{"open", "awaiting", "unread"}``: open tickets of ``user``, those awaiting their reply,
    and those with a staff reply they have not seen (one query)."""
    return (
        Ticket.objects.visible_to(user)
        .with_news(user)
        .aggregate(
            open=Count("pk", filter=Q(status__is_closed=False)),
            awaiting=Count("pk", filter=Q(status__is_closed=False, status__awaiting_tenant=True)),
            unread=Count("pk", filter=Q(has_new_reply=True)),
        )
    )


def newest_unread_replies(user, limit):
    """The newest unseen staff reply of up to ``limit`` tickets of ``user``, newest first, with
    their ticket loaded (one query). Messages of reports joined with "me too" are not shown to
    supporters, so they are not among them."""
    unread = (
        TicketMessage.objects.unread_by(user)
        .filter(ticket__in=Ticket.objects.visible_to(user))
        .select_related("ticket")
        .order_by("-created_at", "-pk")[: limit * 4]
    )
    replies, seen = [], set()
    for message in unread:
        if message.ticket_id in seen:
            continue
        seen.add(message.ticket_id)
        replies.append(message)
        if len(replies) == limit:
            break
    return replies


# -- the API's reads --------------------------------------------------------------------------------

#: Filters of ``tenant_requests`` by state.
STATE_FILTERS = {
    "open": Q(status__is_closed=False),
    "closed": Q(status__is_closed=True),
    "awaiting": Q(status__is_closed=False, status__awaiting_tenant=True),
}


def tenant_requests(user, *, state=None, contract_id=None, type_code=None, unread=None):
    """Queryset: the tickets on ``user``'s contracts with news marks and what a list prints
    (one query per page), filtered by ``state`` ("open", "closed", "awaiting"), contract id,
    type code and ``unread`` (True: with a staff reply or status change not seen yet)."""
    tickets = Ticket.objects.visible_to(user).with_list_data(user)
    if state in STATE_FILTERS:
        tickets = tickets.filter(STATE_FILTERS[state])
    if contract_id is not None:
        tickets = tickets.filter(contract_id=contract_id)
    if type_code:
        tickets = tickets.filter(ticket_type__code=type_code)
    if unread is not None:
        news = Q(has_new_reply=True) | Q(has_new_status=True)
        tickets = tickets.filter(news) if unread else tickets.exclude(news)
    return tickets


def shared_requests(user, limit=20):
    """Open reports in shared areas of ``user``'s buildings they may join ("me too") and have
    not joined, newest first, with ``supporter_total`` (a list; one query)."""
    return list(
        Ticket.objects.shared_open_for(user)
        .exclude(supporters__user=user)
        .select_related("status", "damage_location", "damage_kind", "property", "ticket_type")
        .with_supporter_total()
        .order_by("-created_at", "-pk")[:limit]
    )


def request_types_for(user):
    """``[(ticket_type, [contract ids it applies to])]``: the types ``user`` may file, their own
    fields prefetched (two queries: contracts, types with fields)."""
    contracts = eligible_contracts(user)
    types = TicketType.objects.for_portal().prefetch_related("form_fields").order_by("sort_order", "pk")
    result = []
    for ticket_type in types:
        ids = [contract.pk for contract in contracts if ticket_type.applies_to(contract)]
        if ids:
            result.append((ticket_type, ids))
    return result


def damage_taxonomy_for(user):
    """``(contracts, kinds)``: ``user``'s current contracts and the active damage kinds offered
    to their companies (category and location loaded; two queries)."""
    contracts = eligible_contracts(user)
    companies = {contract.company_id: contract.company for contract in contracts}.values()
    return contracts, damage_kinds_for(list(companies))


def changes_since(user, since, until, limit=50):
    """What happened on ``user``'s requests in (``since``, ``until``]: status changes after
    filing and public staff replies, oldest first, at most ``limit`` of each, with the ticket
    and status loaded (two queries). Returns ``(status_changes, replies)``."""
    own = Ticket.objects.visible_to(user)
    changes = list(
        TicketStatusChange.objects.filter(
            ticket__in=own, from_status__isnull=False, changed_at__gt=since, changed_at__lte=until
        )
        .select_related("ticket", "to_status")
        .order_by("changed_at", "pk")[:limit]
    )
    replies = list(
        TicketMessage.objects.staff_replies()
        .filter(ticket__in=own, created_at__gt=since, created_at__lte=until)
        .select_related("ticket")
        .order_by("created_at", "pk")[:limit]
    )
    return changes, replies


# -- staff ----------------------------------------------------------------------------------------


def is_staff_user(user):
    """Whether ``user`` may receive tickets: active and able to use the Wagtail admin."""
    return bool(
        user is not None
        and user.is_active
        and (user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
    )


def serves(user, ticket):
    """Whether ``user`` may receive ``ticket``: active staff who works for its company."""
    return is_staff_user(user) and scope.allows(user, ticket.company_id)


def assignable_staff(ticket):
    """Queryset: the active staff users who work for ``ticket``'s company (assignee choices)."""
    return staff_users().filter(scope.member_condition([ticket.company_id]))


def route_ticket(ticket):
    """The staff user a new ticket goes to, or None.

    Order: the most specific active routing rule that matches (a rule naming the type counts more
    than one naming the property, which counts more than one naming only the company; then the
    rule's order), else the type's responsible staff member, else the user of the contract's
    contact person for the type's topic. Only staff who work for the ticket's company
    receive it (``serves``); a rule, type or contact person naming anybody else is passed over.
    """
    members = get_user_model()._default_manager.filter(scope.member_condition([ticket.company_id]))
    rules = (
        RoutingRule.objects.filter(active=True, assignee__is_active=True, assignee__in=members.values("pk"))
        .filter(Q(company__isnull=True) | Q(company_id=ticket.company_id))
        .filter(Q(ticket_type__isnull=True) | Q(ticket_type_id=ticket.ticket_type_id))
        .filter(Q(property__isnull=True) | Q(property_id=ticket.property_id))
        .annotate(
            specificity=Case(
                When(ticket_type__isnull=False, then=Value(4)), default=Value(0), output_field=IntegerField()
            )
            + Case(When(property__isnull=False, then=Value(2)), default=Value(0), output_field=IntegerField())
            + Case(When(company__isnull=False, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by("-specificity", "sort_order", "pk")
        .select_related("assignee")
    )
    for rule in rules[:5]:
        if is_staff_user(rule.assignee):
            return rule.assignee
    default = ticket.ticket_type.default_assignee
    if serves(default, ticket):
        return default
    person = contact_person_for(ticket.contract, ticket.ticket_type.topic)
    if person is not None and serves(person.user, ticket):
        return person.user
    return None


def allowed_statuses(ticket):
    """Statuses ``ticket`` may move to now."""
    allowed_ids = {status.pk for status in ticket.status.next_statuses.all()}
    return [
        status
        for status in TicketStatus.objects.filter(active=True)
        if ticket.status.allows(status, allowed_ids)
    ]


def tickets_by_ids(ids, user):
    """The tickets of ``user``'s companies with the primary keys ``ids`` (status loaded), as a
    list; unknown and foreign ids are left out."""
    return list(Ticket.objects.for_staff(user).filter(pk__in=ids).select_related("status"))


def company_ticket(company_id, key):
    """The ticket of the company ``company_id`` whose reference or ERP id is ``key`` (status,
    company and contract loaded), or None: how the ERP names a request."""
    key = str(key or "").strip()
    if not key:
        return None
    return (
        Ticket.objects.filter(company_id=company_id)
        .filter(Q(reference=key) | Q(external_id=key))
        .select_related("status", "company", "contract")
        .first()
    )


def company_ticket_by_reference(company_id, reference):
    """The ticket ``reference`` of the company ``company_id`` (only its keys loaded), or None."""
    return (
        Ticket.objects.filter(company_id=company_id, reference=reference)
        .only("pk", "company_id", "reference", "external_id")
        .first()
    )


def company_attachment(company_id, pk):
    """The attachment ``pk`` of a ticket of the company ``company_id``, or None."""
    return _one_or_none(TicketAttachment.objects.filter(ticket__company_id=company_id), pk=pk)


def staff_ticket(pk, user):
    """The ticket ``pk`` of ``user``'s companies with everything its staff page prints (the
    inbox's relations and ``supporter_total``, damage, creator, party, unit), or None."""
    queryset = (
        Ticket.objects.for_staff(user)
        .for_inbox()
        .select_related("damage_location", "damage_kind", "created_by", "party", "contract__unit")
    )
    return _one_or_none(queryset, pk=pk)


def staff_ticket_detail(ticket):
    """What the staff page of ``ticket`` lists, internal notes and files included: ``history``,
    ``thread`` (each message with its ``files``), ``files``, ``ticket_files`` (not on a
    message), ``files_by_message`` and ``supporters``. Four queries."""
    files = list(ticket.attachments.all())
    files_by_message = {f.message_id: [] for f in files if f.message_id}
    for item in files:
        if item.message_id:
            files_by_message[item.message_id].append(item)
    detail = {
        "history": list(ticket.status_changes.select_related("from_status", "to_status", "changed_by")),
        "thread": list(ticket.messages.select_related("author").order_by("created_at", "pk")),
        "files": files,
        "files_by_message": files_by_message,
        "ticket_files": [f for f in files if f.message_id is None],
        "supporters": list(ticket.supporters.select_related("user", "contract")),
    }
    for message in detail["thread"]:
        message.files = files_by_message.get(message.pk, [])
    return detail


def staff_attachments(user):
    """Queryset: the files (internal ones included) of the tickets of ``user``'s companies."""
    return TicketAttachment.objects.for_staff(user)


def staff_attachment(pk, user):
    """The file ``pk`` (internal ones included) of a ticket of ``user``'s companies, or None."""
    return _one_or_none(staff_attachments(user), pk=pk)


def contract_by_number(company, number):
    """The contract ``number`` of ``company`` (unit loaded), or None."""
    return Contract.objects.select_related("unit").filter(company=company, number=number).first()


def sole_company(user):
    """The company if ``user`` works for exactly one (the staff form preselects it), else None."""
    companies = list(Company.objects.for_staff(user)[:2])
    return companies[0] if len(companies) == 1 else None


def inbox_counts(user):
    """``{"open", "overdue", "open_mine", "overdue_mine", "urgent"}`` for the admin's homepage
    panel: the open and overdue tickets of ``user``'s companies, those assigned to ``user``,
    open emergencies (one query)."""
    today = timezone.localdate()
    open_q = Q(status__is_closed=False)
    overdue_q = open_q & Q(due_date__lt=today)
    mine = Q(assignee=user)
    return Ticket.objects.for_staff(user).aggregate(
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=overdue_q),
        open_mine=Count("pk", filter=open_q & mine),
        overdue_mine=Count("pk", filter=overdue_q & mine),
        urgent=Count("pk", filter=open_q & Q(is_urgent=True)),
    )
