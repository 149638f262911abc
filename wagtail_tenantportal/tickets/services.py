"""The one road for every ticket action: portal views, pages, blocks, the staff admin and (later)
the REST API and the ERP import all call these functions. ``tickets.services`` is the module
other code imports.

The seam: this module holds the writes (filing a ticket, status changes, assignment, details;
the conversation, i.e. messages, read marks and "me too", is in ``conversation.py``; audit
actions, signals and reference numbers in ``events.py``) and re-exports every read of ``queries.py`` (what tenant pages,
blocks, the dashboard widget and the admin show), so callers need one import. ``inputs.py``
holds what the writes check and store from their input (texts, rate limits, the type's own
fields, uploaded files; ``extra_form_fields`` and ``clean_form_data`` are re-exported here).
``submit_ticket``
is a short list of named steps (``_check_*``, ``_clean_*``, ``_schedule``, ``_create_ticket``,
``_record_submission``, ``_assign_by_routing``, ``_announce_submission``).

What callers may rely on:

- Invalid input raises ``django.core.exceptions.ValidationError`` with a dict of translated
  messages (keys are the argument names, ``"__all__"`` for the whole request). Nothing is saved
  then: a ticket is stored whole with its history entry, attachments and routing, or not at all
  (files already written are removed again when the transaction fails).
- Tenants (``channel`` "web" or "api") may act only on contracts and tickets
  ``visible_to`` them; the services check that themselves. Staff actions (``change_status``,
  ``assign``, internal notes) do not check permissions: the admin views and the API do.
- Every change writes a history entry or message and an audit-log entry
  (``tenantportal.ticket_*``), mails the people concerned after the commit (see
  ``notifications.py``) and sends the public signals of ``signals.py`` after the commit.
- Reads (``queries.py``) return the object or None for single lookups; views turn None into a 404.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..core.phones import clean_phone
from ..tenancy.models import Contract
from . import notifications, signals
from .conversation import join_ticket, mark_seen, post_message
from .events import (
    ACTION_ASSIGNED,
    ACTION_DETAILS,
    ACTION_JOINED,
    ACTION_MESSAGE,
    ACTION_NOTE,
    ACTION_STATUS_CHANGED,
    ACTION_SUBMITTED,
    LOG_ACTIONS,
    SUBJECT_MAX_LENGTH,
    TENANT_CHANNELS,
    next_reference,
    record_event,
    send_signal,
)
from .inbox import (
    contact_people,
    conversations,
    message_contracts,
    unread_message_total,
    unread_message_total_for_request,
    write_to_contact_person,
)
from .inputs import (
    check_rate,
    clean_form_data,
    clean_text,
    collect,
    count_rate,
    extra_form_fields,
    process_attachments,
    remove_files,
    store_attachments,
)
from .models import (
    Channel,
    DamageKind,
    Priority,
    Ticket,
    TicketStatus,
    TicketStatusChange,
)
from .queries import (
    STATE_FILTERS,
    acting_party,
    allowed_statuses,
    assignable_staff,
    changes_since,
    company_attachment,
    company_ticket,
    company_ticket_by_reference,
    contact_type,
    contract_by_number,
    damage_kinds_for,
    damage_report_types,
    damage_taxonomy_for,
    damage_type_for,
    default_damage_type,
    eligible_contracts,
    emergency_phones,
    inbox_counts,
    is_staff_user,
    joinable_ticket,
    latest_requests,
    newest_unread_replies,
    notification_preference,
    portal_ticket_type,
    portal_ticket_types,
    portal_types_for,
    request_counts,
    request_list_context,
    request_types_for,
    route_ticket,
    serves,
    shared_requests,
    sole_company,
    staff_attachment,
    staff_attachments,
    staff_ticket,
    staff_ticket_detail,
    tenant_attachment,
    tenant_requests,
    tenant_ticket,
    ticket_detail,
    tickets_by_ids,
)

# -- submit --------------------------------------------------------------------------------------


@dataclass
class _Submission:
    """One ``submit_ticket`` call as its steps fill it in: who files what on which contract, the
    cleaned input, then the initial status, urgency, priority and due date."""

    contract: object
    ticket_type: object
    user: object
    channel: str
    tenant_channel: bool
    subject: str = ""
    description: str = ""
    reachability: str = ""
    access_times: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    access_permission: str = ""
    external_id: str = ""
    kind: object = None
    answers: list = field(default_factory=list)
    files: list = field(default_factory=list)
    status: object = None
    now: object = None
    urgent: bool = False
    priority: str = ""
    due_date: object = None
    counted: bool = False  # counted against the tenant's ticket_submit limit already


def submit_ticket(
    *,
    contract,
    ticket_type,
    user=None,
    channel=Channel.WEB,
    subject="",
    description="",
    damage_kind=None,
    form_data=None,
    attachments=(),
    contact_phone="",
    contact_email="",
    reachability="",
    access_permission="",
    access_times="",
    priority=None,
    external_id="",
    created_at=None,
    assignee=None,
):
    """File a ticket on ``contract`` and return it (saved, routed, with history and attachments).

    ``user`` is the tenant filing it (channels "web"/"api": required, must hold the contract) or the
    staff member (channel "staff"); None for the ERP. ``damage_kind`` is a ``DamageKind`` or its
    id (required for damage reports). ``form_data`` maps the keys of the type's own fields to
    raw values. ``attachments`` are uploaded files (photos, PDFs). ``external_id`` is the ERP's
    key (unique per company). ``assignee``: the staff user it goes to instead of the routing
    rules (a message to the tenant's contact person), if they work for the contract's company.
    Raises ``ValidationError`` (dict) and saves nothing on bad input.
    """
    submission = _Submission(contract, ticket_type, user, channel, tenant_channel=channel in TENANT_CHANNELS)
    _check_sender(submission)
    _check_contract_and_type(submission)
    errors = {}
    _clean_texts(
        submission, errors, subject, description, reachability, access_times, contact_phone, contact_email
    )
    _clean_damage_report(submission, errors, damage_kind, access_permission)
    _clean_answers(submission, errors, form_data)
    _check_complete(submission, errors, external_id)
    _process_files(submission, errors, attachments)
    if errors:
        raise ValidationError(errors)
    _schedule(submission, priority, now=created_at or timezone.now())
    stored = []
    try:
        with transaction.atomic():
            ticket = _create_ticket(submission)
            attachments = _record_submission(ticket, submission, stored_names=stored)
            _assign_by_routing(ticket, preferred=assignee)
            record_event("submitted", ticket, submission.channel, attachments=attachments)
            _announce_submission(ticket, submission.channel)
    except IntegrityError:
        remove_files(stored)
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("The request could not be saved. Please try again.")]}
        ) from None
    except BaseException:
        remove_files(stored)
        raise
    if submission.tenant_channel and not submission.counted:
        count_rate("ticket_submit", user)
    return ticket


def _check_sender(submission):
    """Tenants must be logged in and within their rate limit."""
    if submission.tenant_channel:
        if submission.user is None:
            raise ValidationError({NON_FIELD_ERRORS: [_("Please log in first.")]})
        check_rate("ticket_submit", submission.user)


def _check_contract_and_type(submission):
    """The contract must be given (tenants: one of theirs and current), the type active (tenants:
    one they may file) and applicable to the contract; raises before anything else is checked."""
    contract, ticket_type, errors = submission.contract, submission.ticket_type, {}
    if contract is None:
        errors["contract"] = [_("Choose the contract this request is about.")]
    elif (
        submission.tenant_channel
        and not Contract.objects.visible_to(submission.user).current().filter(pk=contract.pk).exists()
    ):
        errors["contract"] = [_("Choose one of your contracts.")]
    if (
        ticket_type is None
        or not ticket_type.active
        or (submission.tenant_channel and not ticket_type.show_in_portal)
    ):
        errors["ticket_type"] = [_("This kind of request is not available.")]
    elif contract is not None and "contract" not in errors and not ticket_type.applies_to(contract):
        errors["contract"] = [_("This kind of request is not available for this contract.")]
    if errors:
        raise ValidationError(errors)


def _clean_texts(submission, errors, subject, description, reachability, access_times, phone, email):
    """Subject, description, reachability and access times, phone number and email address."""
    submission.subject = collect(errors, "subject", clean_text, subject, max_length=SUBJECT_MAX_LENGTH) or ""
    submission.description = collect(errors, "description", clean_text, description) or ""
    submission.reachability = collect(errors, "reachability", clean_text, reachability, max_length=300) or ""
    submission.access_times = collect(errors, "access_times", clean_text, access_times, max_length=300) or ""
    # Stored in E.164, shown formatted (core.phones); the web form's PhoneField normalised it already.
    submission.contact_phone = collect(errors, "contact_phone", clean_phone, phone) or ""
    submission.contact_email = (email or "").strip()
    if submission.contact_email:
        validate_email = EmailValidator(message=_("Enter a valid email address."))
        collect(errors, "contact_email", validate_email, submission.contact_email)


def _clean_damage_report(submission, errors, damage_kind, access_permission):
    """Damage reports: the kind of damage from the taxonomy (its name is the default subject);
    tenants must say whether someone may enter and how to reach them."""
    if submission.ticket_type.is_damage_report:
        submission.kind = _resolve_kind(damage_kind, submission.contract, errors)
        if submission.kind is not None and not submission.subject:
            submission.subject = submission.kind.name[:SUBJECT_MAX_LENGTH]
        if submission.tenant_channel:
            if not access_permission:
                errors["access_permission"] = [_("Tell us whether someone may enter your flat.")]
            if not submission.contact_phone:
                errors["contact_phone"] = [_("Enter a phone number so that we can reach you.")]
    if access_permission and access_permission not in Ticket.AccessPermission.values:
        errors["access_permission"] = [_("Choose one of the options.")]
    submission.access_permission = access_permission or ""


def _resolve_kind(value, contract, errors):
    if value in (None, ""):
        errors["damage_kind"] = [_("Choose what is damaged.")]
        return None
    pk = value.pk if isinstance(value, DamageKind) else value
    kind = None
    try:
        kind = DamageKind.objects.select_related("category__location").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        kind = None
    location = kind.category.location if kind else None
    if (
        kind is None
        or not (kind.active and kind.category.active and location.active)
        or (location.company_id and location.company_id != contract.company_id)
    ):
        errors["damage_kind"] = [_("Choose a kind of damage from the list.")]
        return None
    return kind


def _clean_answers(submission, errors, form_data):
    """Answers to the type's own fields (errors under ``form_data.<key>``)."""
    submission.answers, field_errors = clean_form_data(submission.ticket_type, form_data)
    for key, messages in field_errors.items():
        errors.setdefault(f"form_data.{key}", []).extend(messages)


def _check_complete(submission, errors, external_id):
    """A subject always; tenants describe the request (or answer the type's fields); an ERP id
    not used yet at the company."""
    if not submission.subject:
        errors.setdefault("subject", []).append(_("Enter a subject."))
    if not submission.description and submission.tenant_channel and not submission.answers:
        errors.setdefault("description", []).append(_("Describe your request."))
    contract = submission.contract
    if (
        external_id
        and Ticket.objects.filter(company_id=contract.company_id, external_id=external_id).exists()
    ):
        errors["external_id"] = [_("A request with this ERP id exists already.")]
    submission.external_id = external_id or ""


def _process_files(submission, errors, attachments):
    """Check and re-encode the uploads, unless the type takes none from tenants or the request
    is refused anyway (no need to decode photos then). A tenant's request with files counts
    against ``ticket_submit`` once its files were looked at, whether it is saved or not: files
    cost work even when they are refused."""
    if attachments and not submission.ticket_type.allow_attachments and submission.tenant_channel:
        errors["attachments"] = [_("This kind of request takes no attachments.")]
    elif not errors:
        if submission.tenant_channel and any(attachments):
            count_rate("ticket_submit", submission.user)
            submission.counted = True
        submission.files = process_attachments(attachments, errors, user=submission.user)


def _schedule(submission, priority, *, now):
    """Initial status, emergency, priority (given, else urgent, else the kind's, else the
    type's) and due date (emergencies: today; else the type's days to answer)."""
    submission.status = TicketStatus.objects.initial()
    if submission.status is None:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("Requests cannot be filed at the moment. Please call us.")]}
        )
    kind, ticket_type = submission.kind, submission.ticket_type
    submission.now = now
    submission.urgent = bool(kind and kind.is_urgent(timezone.localdate(now)))
    if priority is None:
        priority = (
            Priority.URGENT
            if submission.urgent
            else (kind.priority if kind and kind.priority else ticket_type.default_priority)
        )
    submission.priority = priority
    if submission.urgent:
        submission.due_date = timezone.localdate(now)
    elif ticket_type.due_days:
        submission.due_date = timezone.localdate(now) + datetime.timedelta(days=ticket_type.due_days)


def _create_ticket(submission):
    """The ticket row with the next reference number (call inside the transaction)."""
    contract, kind, user = submission.contract, submission.kind, submission.user
    ticket = Ticket(
        reference=next_reference(submission.now),
        company_id=contract.company_id,
        contract=contract,
        property_id=contract.unit.property_id if contract.unit_id else None,
        ticket_type=submission.ticket_type,
        subject=submission.subject,
        description=submission.description,
        status=submission.status,
        status_changed_at=submission.now,
        priority=submission.priority,
        due_date=submission.due_date,
        channel=submission.channel,
        external_id=submission.external_id,
        created_by=user,
        party=acting_party(user, contract) if submission.tenant_channel else None,
        damage_kind=kind,
        damage_category=kind.category if kind else None,
        damage_location=kind.category.location if kind else None,
        is_urgent=submission.urgent,
        contact_phone=submission.contact_phone,
        contact_email=submission.contact_email,
        reachability=submission.reachability,
        access_permission=submission.access_permission,
        access_times=submission.access_times,
        form_data=submission.answers,
        created_at=submission.now,
    )
    ticket.save()
    return ticket


def _record_submission(ticket, submission, *, stored_names):
    """The first history entry, the files (their names go to ``stored_names``) and the audit log;
    returns the attachments."""
    TicketStatusChange.objects.create(
        ticket=ticket,
        from_status=None,
        to_status=submission.status,
        changed_by=submission.user,
        changed_at=submission.now,
        channel=submission.channel,
    )
    attachments = store_attachments(ticket, submission.files, user=submission.user, stored_names=stored_names)
    log(
        ticket,
        ACTION_SUBMITTED,
        user=submission.user,
        data={"channel": submission.channel, "attachments": len(submission.files)},
    )
    return attachments


def _assign_by_routing(ticket, preferred=None):
    assignee = preferred if preferred is not None and serves(preferred, ticket) else route_ticket(ticket)
    if assignee is not None:
        _set_assignee(ticket, assignee, by=None)


def _announce_submission(ticket, channel):
    """The receipt mail to the tenant and ``ticket_submitted``, both after the commit."""
    notifications.notify(notifications.RECEIVED, ticket)
    send_signal(signals.ticket_submitted, ticket=ticket, channel=channel)


# -- status --------------------------------------------------------------------------------------


def change_status(ticket, status, *, user=None, comment="", channel=Channel.STAFF, notify=True):
    """Move ``ticket`` to ``status``; returns the ``TicketStatusChange``.

    The comment is public: the tenant sees it in the history and in the mail. Raises
    ``ValidationError`` when the workflow does not allow the step or the comment is invalid.
    """
    errors = {}
    comment = collect(errors, "comment", clean_text, comment) or ""
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().select_related("status").get(pk=ticket.pk)
        previous = locked.status
        if status is None or not previous.allows(status):
            raise ValidationError(
                {
                    "status": [
                        _("A request in status “%(status)s” cannot move to this status.")
                        % {"status": previous.label}
                    ]
                }
            )
        now = timezone.now()
        change = TicketStatusChange.objects.create(
            ticket=locked,
            from_status=previous,
            to_status=status,
            changed_by=user,
            changed_at=now,
            comment=comment,
            channel=channel,
        )
        fields = {"status": status, "status_changed_at": now, "updated_at": now}
        if status.is_closed and not previous.is_closed:
            fields["closed_at"] = now
        elif not status.is_closed:
            fields["closed_at"] = None
        Ticket.objects.filter(pk=locked.pk).update(**fields)
        for name, value in fields.items():
            setattr(ticket, name, value)
        log(
            ticket,
            ACTION_STATUS_CHANGED,
            user=user,
            data={"from": previous.code, "to": status.code, "comment": comment, "channel": channel},
        )
        if notify:
            notifications.notify(notifications.STATUS_CHANGED, ticket, change.pk)
        record_event("status_changed", ticket, channel, change=change)
        send_signal(signals.ticket_status_changed, ticket=ticket, change=change)
    return change


def bulk_change_status(tickets, status, *, user=None, comment=""):
    """``change_status`` for each ticket; returns ``(changed, skipped)`` lists (skipped: not allowed)."""
    changed, skipped = [], []
    for ticket in tickets:
        try:
            change_status(ticket, status, user=user, comment=comment)
        except ValidationError:
            skipped.append(ticket)
        else:
            changed.append(ticket)
    return changed, skipped


# -- assignment ----------------------------------------------------------------------------------


def _set_assignee(ticket, assignee, *, by):
    previous_id = ticket.assignee_id
    ticket.assignee = assignee
    Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee, updated_at=timezone.now())
    log(
        ticket,
        ACTION_ASSIGNED,
        user=by,
        data={"from": previous_id, "to": assignee.pk if assignee else None, "to_name": str(assignee or "")},
    )
    if assignee is not None and assignee != by:
        notifications.notify(notifications.ASSIGNED, ticket, assignee.pk)


def _check_assignee(ticket, assignee):
    if assignee is None:
        return
    if not is_staff_user(assignee):
        raise ValidationError({"assignee": [_("Only active staff members can be assigned.")]})
    if not serves(assignee, ticket):
        raise ValidationError(
            {
                "assignee": [
                    _("%(user)s does not work for the company of request %(reference)s.")
                    % {"user": assignee, "reference": ticket.reference}
                ]
            }
        )


def assign(ticket, assignee, *, user=None):
    """Give ``ticket`` to ``assignee`` (a staff user who works for the ticket's company, or
    None to unassign); mails the new assignee unless they assigned it to themselves."""
    _check_assignee(ticket, assignee)
    if assignee == ticket.assignee and assignee is not None:
        return ticket
    with transaction.atomic():
        _set_assignee(ticket, assignee, by=user)
    return ticket


def bulk_assign(tickets, assignee, *, user=None):
    """``assign`` for each ticket; returns the number of tickets changed. Nothing is changed
    when ``assignee`` may not receive one of them (``ValidationError``)."""
    for ticket in tickets:
        _check_assignee(ticket, assignee)
    count = 0
    for ticket in tickets:
        if ticket.assignee_id != (assignee.pk if assignee else None):
            assign(ticket, assignee, user=user)
            count += 1
    return count


def update_details(ticket, *, user=None, **changes):
    """Change ``priority``, ``due_date`` (a date or None) or ``external_id`` of ``ticket`` (staff,
    ERP). Only the keyword arguments given are changed; returns the ticket."""
    unknown = set(changes) - {"priority", "due_date", "external_id"}
    if unknown:
        raise TypeError(f"update_details() got unexpected fields {sorted(unknown)}")
    errors = {}
    if "priority" in changes and changes["priority"] not in Priority.values:
        errors["priority"] = [_("Choose one of the options.")]
    if "external_id" in changes:
        external_id = changes["external_id"] = (changes["external_id"] or "").strip()
        others = Ticket.objects.filter(company_id=ticket.company_id, external_id=external_id).exclude(
            pk=ticket.pk
        )
        if external_id and others.exists():
            errors["external_id"] = [_("A request with this ERP id exists already.")]
    if errors:
        raise ValidationError(errors)
    changed = {name: value for name, value in changes.items() if getattr(ticket, name) != value}
    if not changed:
        return ticket
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(**changed, updated_at=timezone.now())
        for name, value in changed.items():
            setattr(ticket, name, value)
        log(
            ticket,
            ACTION_DETAILS,
            user=user,
            data={name: None if v is None else str(v) for name, v in changed.items()},
        )
    return ticket


__all__ = [
    # audit-log actions and limits (events.py)
    "ACTION_ASSIGNED",
    "ACTION_DETAILS",
    "ACTION_JOINED",
    "ACTION_MESSAGE",
    "ACTION_NOTE",
    "ACTION_STATUS_CHANGED",
    "ACTION_SUBMITTED",
    "LOG_ACTIONS",
    "SUBJECT_MAX_LENGTH",
    # writes
    "submit_ticket",
    "change_status",
    "post_message",
    "join_ticket",
    "mark_seen",
    "assign",
    "bulk_change_status",
    "bulk_assign",
    "update_details",
    "next_reference",
    "write_to_contact_person",
    # the tenant's messages (inbox.py)
    "contact_people",
    "conversations",
    "message_contracts",
    "unread_message_total",
    "unread_message_total_for_request",
    "extra_form_fields",
    "clean_form_data",
    # reads (queries.py)
    "acting_party",
    "allowed_statuses",
    "assignable_staff",
    "company_attachment",
    "company_ticket",
    "company_ticket_by_reference",
    "contact_type",
    "contract_by_number",
    "damage_kinds_for",
    "damage_report_types",
    "damage_type_for",
    "default_damage_type",
    "eligible_contracts",
    "emergency_phones",
    "inbox_counts",
    "is_staff_user",
    "joinable_ticket",
    "latest_requests",
    "newest_unread_replies",
    "notification_preference",
    "portal_ticket_type",
    "portal_ticket_types",
    "portal_types_for",
    "request_counts",
    "request_list_context",
    "route_ticket",
    "serves",
    "sole_company",
    "staff_attachment",
    "staff_attachments",
    "staff_ticket",
    "staff_ticket_detail",
    "tenant_attachment",
    "tenant_ticket",
    "ticket_detail",
    "tickets_by_ids",
    "tenant_requests",
    "shared_requests",
    "request_types_for",
    "damage_taxonomy_for",
    "changes_since",
    "STATE_FILTERS",
]
