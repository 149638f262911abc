"""The one road for every ticket action: portal views, page blocks, the staff admin and (later)
the REST API and the ERP import all call these functions.

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
"""

import datetime
import logging
import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from ..core.conf import portal_settings
from ..core.ratelimit import RateLimit, RateLimited
from ..core.tasks import after_commit
from ..tenancy.models import Contract, contact_person_for
from . import notifications, signals
from .models import (
    Channel,
    DamageKind,
    Priority,
    RoutingRule,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketRead,
    TicketSequence,
    TicketStatus,
    TicketStatusChange,
    TicketSupporter,
    TicketType,
    TicketTypeField,
)
from .uploads import process_upload

logger = logging.getLogger("wagtail_tenantportal.tickets")

#: Audit-log actions (registered in wagtail_hooks.py).
ACTION_SUBMITTED = "tenantportal.ticket_submitted"
ACTION_STATUS_CHANGED = "tenantportal.ticket_status_changed"
ACTION_ASSIGNED = "tenantportal.ticket_assigned"
ACTION_MESSAGE = "tenantportal.ticket_message"
ACTION_NOTE = "tenantportal.ticket_note"
ACTION_JOINED = "tenantportal.ticket_joined"
ACTION_DETAILS = "tenantportal.ticket_details_changed"

TENANT_CHANNELS = (Channel.WEB, Channel.API)
SUBJECT_MAX_LENGTH = 200
_PHONE = re.compile(r"^[0-9+()/.\- ]{3,40}$")


# -- what a tenant may choose ---------------------------------------------------------------------


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
    types = TicketType.objects.active().filter(show_in_portal=True)
    return [t for t in types if any(t.applies_to(contract) for contract in contracts)]


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


def extra_form_fields(ticket_type):
    """``[(key, TicketTypeField, django form field)]`` for the type's own fields, in order."""
    fields, seen = [], set()
    for spec in ticket_type.form_fields.all():
        key = spec.key
        while key in seen:
            key = f"{key}_"
        seen.add(key)
        kwargs = {"label": spec.label, "required": spec.required, "help_text": spec.help_text}
        if spec.kind == TicketTypeField.Kind.TEXTAREA:
            field = forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 4}), **kwargs)
        elif spec.kind == TicketTypeField.Kind.DATE:
            field = forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
            )
        elif spec.kind == TicketTypeField.Kind.CHOICE:
            choices = [("", "---------")] + [(choice, choice) for choice in spec.choice_list]
            field = forms.ChoiceField(choices=choices, **kwargs)
        elif spec.kind == TicketTypeField.Kind.CHECKBOX:
            field = forms.BooleanField(**kwargs)
        else:
            field = forms.CharField(max_length=300, **kwargs)
        fields.append((key, spec, field))
    return fields


def clean_form_data(ticket_type, data):
    """Validate answers to the type's own fields. Returns ``(answers, errors)``: answers as stored
    on the ticket (``[{"key", "label", "kind", "value"}]``), errors keyed by field key."""
    answers, errors = [], {}
    data = data or {}
    for key, spec, field in extra_form_fields(ticket_type):
        try:
            value = field.clean(data.get(key))
        except ValidationError as error:
            errors[key] = error.messages
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        answers.append({"key": key, "label": spec.label, "kind": spec.kind, "value": value})
    return answers, errors


# -- helpers -------------------------------------------------------------------------------------


def _clean_text(value, *, max_length=None):
    """Text with normalised line ends and outer whitespace removed; raises for NUL characters."""
    value = str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\x00" in value:
        raise ValidationError(_("The text contains characters that are not allowed."), code="null_characters")
    max_length = max_length or portal_settings.TICKET_TEXT_MAX_LENGTH
    if len(value) > max_length:
        raise ValidationError(
            _("Please shorten the text to %(max)d characters (it has %(length)d)."),
            code="max_length",
            params={"max": max_length, "length": len(value)},
        )
    return value


def _collect(errors, key, func, *args, **kwargs):
    """``func(*args, **kwargs)``; a ValidationError is stored under ``key`` and None returned."""
    try:
        return func(*args, **kwargs)
    except ValidationError as error:
        errors.setdefault(key, []).extend(error.messages)
        return None


def _check_rate(scope, user):
    if user is None:
        return
    limiter = RateLimit.for_scope(scope)
    try:
        limiter.check(user.pk)
    except RateLimited as limited:
        minutes = max(1, (limited.retry_after + 59) // 60)
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("You have sent a lot in a short time. Please try again in %(minutes)d minutes.")
                    % {"minutes": minutes}
                ]
            }
        ) from None


def _count_rate(scope, user):
    if user is not None:
        RateLimit.for_scope(scope).hit(user.pk)


def _send_signal(signal, **kwargs):
    def send():
        for receiver, result in signal.send_robust(sender=Ticket, **kwargs):
            if isinstance(result, Exception):
                logger.error("receiver %r of a ticket signal failed", receiver, exc_info=result)

    after_commit(send)


def _process_attachments(files, errors, key="attachments"):
    files = [f for f in (files or []) if f]
    maximum = portal_settings.TICKET_MAX_ATTACHMENTS
    if len(files) > maximum:
        errors.setdefault(key, []).append(
            _("Please attach at most %(max)d files (you chose %(count)d).")
            % {"max": maximum, "count": len(files)}
        )
        return []
    processed = []
    for uploaded in files:
        result = _collect(errors, key, process_upload, uploaded)
        if result is not None:
            processed.append(result)
    return processed


def _store_attachments(ticket, processed, *, message=None, user=None, internal=False, stored_names):
    for item in processed:
        attachment = TicketAttachment(
            ticket=ticket,
            message=message,
            kind=item.kind,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            width=item.width,
            height=item.height,
            internal=internal,
            uploaded_by=user,
        )
        attachment.file.save(f"upload.{item.extension}", ContentFile(item.content), save=False)
        stored_names.append(attachment.file.name)
        if item.thumbnail:
            attachment.thumbnail.save("thumbnail.jpg", ContentFile(item.thumbnail), save=False)
            stored_names.append(attachment.thumbnail.name)
        attachment.save()


def _remove_files(names):
    storage = TicketAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # pragma: no cover - best effort; the caller re-raises the real error
            logger.warning("could not remove %s after a failed ticket write", name)


def next_reference(now=None):
    """The next free reference number of the year, e.g. ``2026-004217`` (call inside a transaction)."""
    year = timezone.localtime(now or timezone.now()).year
    TicketSequence.objects.get_or_create(year=year)
    while True:
        # The UPDATE locks the counter row until commit, so two requests never get the same number.
        TicketSequence.objects.filter(year=year).update(last_number=F("last_number") + 1)
        number = TicketSequence.objects.values_list("last_number", flat=True).get(year=year)
        reference = f"{year}-{number:06d}"
        # Numbers taken otherwise (imported from the ERP, restored data) are skipped.
        if not Ticket.objects.filter(reference=reference).exists():
            return reference


def is_staff_user(user):
    """Whether ``user`` may receive tickets: active and able to use the Wagtail admin."""
    return bool(
        user is not None
        and user.is_active
        and (user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
    )


# -- routing -------------------------------------------------------------------------------------


def route_ticket(ticket):
    """The staff user a new ticket goes to, or None.

    Order: the most specific active routing rule that matches (a rule naming the type counts more
    than one naming the property, which counts more than one naming only the company; then the
    rule's order), else the type's responsible staff member, else the user of the contract's
    contact person for the type's topic.
    """
    rules = (
        RoutingRule.objects.filter(active=True, assignee__is_active=True)
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
    if is_staff_user(default):
        return default
    person = contact_person_for(ticket.contract, ticket.ticket_type.topic)
    if person is not None and is_staff_user(person.user):
        return person.user
    return None


# -- submit --------------------------------------------------------------------------------------


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
):
    """File a ticket on ``contract`` and return it (saved, routed, with history and attachments).

    ``user`` is the tenant filing it (channels "web"/"api": required, must hold the contract) or the
    staff member (channel "staff"); None for the ERP. ``damage_kind`` is a ``DamageKind`` or its
    id (required for damage reports). ``form_data`` maps the keys of the type's own fields to
    raw values. ``attachments`` are uploaded files (photos, PDFs). ``external_id`` is the ERP's
    key (unique per company). Raises ``ValidationError`` (dict) and saves nothing on bad input.
    """
    errors = {}
    tenant_channel = channel in TENANT_CHANNELS
    if tenant_channel:
        if user is None:
            raise ValidationError({NON_FIELD_ERRORS: [_("Please log in first.")]})
        _check_rate("ticket_submit", user)

    # Contract and type
    if contract is None:
        errors["contract"] = [_("Choose the contract this request is about.")]
    elif tenant_channel and not Contract.objects.visible_to(user).current().filter(pk=contract.pk).exists():
        errors["contract"] = [_("Choose one of your contracts.")]
    if ticket_type is None or not ticket_type.active or (tenant_channel and not ticket_type.show_in_portal):
        errors["ticket_type"] = [_("This kind of request is not available.")]
    elif contract is not None and "contract" not in errors and not ticket_type.applies_to(contract):
        errors["contract"] = [_("This kind of request is not available for this contract.")]
    if errors:
        raise ValidationError(errors)

    # Texts
    subject = _collect(errors, "subject", _clean_text, subject, max_length=SUBJECT_MAX_LENGTH) or ""
    description = _collect(errors, "description", _clean_text, description) or ""
    reachability = _collect(errors, "reachability", _clean_text, reachability, max_length=300) or ""
    access_times = _collect(errors, "access_times", _clean_text, access_times, max_length=300) or ""
    contact_phone = (contact_phone or "").strip()
    if contact_phone and not _PHONE.match(contact_phone):
        errors["contact_phone"] = [_("Enter a phone number with digits only (and + / - ( ) spaces).")]
    contact_email = (contact_email or "").strip()
    if contact_email:
        _collect(
            errors, "contact_email", EmailValidator(message=_("Enter a valid email address.")), contact_email
        )

    # Damage reports: taxonomy and access
    kind = None
    if ticket_type.is_damage_report:
        kind = _resolve_kind(damage_kind, contract, errors)
        if kind is not None and not subject:
            subject = kind.name[:SUBJECT_MAX_LENGTH]
        if tenant_channel:
            if not access_permission:
                errors["access_permission"] = [_("Tell us whether someone may enter your flat.")]
            if not contact_phone:
                errors["contact_phone"] = [_("Enter a phone number so that we can reach you.")]
    if access_permission and access_permission not in Ticket.AccessPermission.values:
        errors["access_permission"] = [_("Choose one of the options.")]

    answers, field_errors = clean_form_data(ticket_type, form_data)
    for key, messages in field_errors.items():
        errors.setdefault(f"form_data.{key}", []).extend(messages)
    if not subject:
        errors.setdefault("subject", []).append(_("Enter a subject."))
    if not description and tenant_channel and not answers:
        errors.setdefault("description", []).append(_("Describe your request."))
    if (
        external_id
        and Ticket.objects.filter(company_id=contract.company_id, external_id=external_id).exists()
    ):
        errors["external_id"] = [_("A request with this ERP id exists already.")]

    if attachments and not ticket_type.allow_attachments and tenant_channel:
        errors["attachments"] = [_("This kind of request takes no attachments.")]
        processed = []
    elif errors:
        processed = []  # no need to decode photos of a request that is refused anyway
    else:
        processed = _process_attachments(attachments, errors)
    if errors:
        raise ValidationError(errors)

    status = TicketStatus.objects.initial()
    if status is None:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("Requests cannot be filed at the moment. Please call us.")]}
        )
    now = created_at or timezone.now()
    urgent = bool(kind and kind.is_urgent(timezone.localdate(now)))
    if priority is None:
        priority = (
            Priority.URGENT
            if urgent
            else (kind.priority if kind and kind.priority else ticket_type.default_priority)
        )
    due_date = None
    if urgent:
        due_date = timezone.localdate(now)
    elif ticket_type.due_days:
        due_date = timezone.localdate(now) + datetime.timedelta(days=ticket_type.due_days)

    stored = []
    try:
        with transaction.atomic():
            ticket = Ticket(
                reference=next_reference(now),
                company_id=contract.company_id,
                contract=contract,
                property_id=contract.unit.property_id if contract.unit_id else None,
                ticket_type=ticket_type,
                subject=subject,
                description=description,
                status=status,
                status_changed_at=now,
                priority=priority,
                due_date=due_date,
                channel=channel,
                external_id=external_id or "",
                created_by=user,
                party=_party_of(user, contract) if tenant_channel else None,
                damage_kind=kind,
                damage_category=kind.category if kind else None,
                damage_location=kind.category.location if kind else None,
                is_urgent=urgent,
                contact_phone=contact_phone,
                contact_email=contact_email,
                reachability=reachability,
                access_permission=access_permission or "",
                access_times=access_times,
                form_data=answers,
                created_at=now,
            )
            ticket.save()
            TicketStatusChange.objects.create(
                ticket=ticket,
                from_status=None,
                to_status=status,
                changed_by=user,
                changed_at=now,
                channel=channel,
            )
            _store_attachments(ticket, processed, user=user, stored_names=stored)
            log(ticket, ACTION_SUBMITTED, user=user, data={"channel": channel, "attachments": len(processed)})
            assignee = route_ticket(ticket)
            if assignee is not None:
                _set_assignee(ticket, assignee, by=None)
            notifications.notify(notifications.RECEIVED, ticket)
            _send_signal(signals.ticket_submitted, ticket=ticket, channel=channel)
    except IntegrityError:
        _remove_files(stored)
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("The request could not be saved. Please try again.")]}
        ) from None
    except BaseException:
        _remove_files(stored)
        raise
    if tenant_channel:
        _count_rate("ticket_submit", user)
    return ticket


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


def _party_of(user, contract):
    from ..tenancy.models import Party

    return (
        Party.objects.visible_to(user).filter(contract_parties__contract=contract).order_by("pk").first()
        if user is not None
        else None
    )


# -- status --------------------------------------------------------------------------------------


def allowed_statuses(ticket):
    """Statuses ``ticket`` may move to now."""
    allowed_ids = {status.pk for status in ticket.status.next_statuses.all()}
    return [
        status
        for status in TicketStatus.objects.filter(active=True)
        if ticket.status.allows(status, allowed_ids)
    ]


def change_status(ticket, status, *, user=None, comment="", channel=Channel.STAFF, notify=True):
    """Move ``ticket`` to ``status``; returns the ``TicketStatusChange``.

    The comment is public: the tenant sees it in the history and in the mail. Raises
    ``ValidationError`` when the workflow does not allow the step or the comment is invalid.
    """
    errors = {}
    comment = _collect(errors, "comment", _clean_text, comment) or ""
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
        _send_signal(signals.ticket_status_changed, ticket=ticket, change=change)
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


def assign(ticket, assignee, *, user=None):
    """Give ``ticket`` to ``assignee`` (a staff user, or None to unassign); mails the new assignee
    unless they assigned it to themselves."""
    if assignee is not None and not is_staff_user(assignee):
        raise ValidationError({"assignee": [_("Only active staff members can be assigned.")]})
    if assignee == ticket.assignee and assignee is not None:
        return ticket
    with transaction.atomic():
        _set_assignee(ticket, assignee, by=user)
    return ticket


def bulk_assign(tickets, assignee, *, user=None):
    """``assign`` for each ticket; returns the number of tickets changed."""
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


# -- messages ------------------------------------------------------------------------------------


def post_message(
    ticket, *, user, body, role=TicketMessage.Role.TENANT, internal=False, attachments=(), channel=None
):
    """Add a message to ``ticket``'s thread and return it.

    Tenants (``role`` "tenant") must hold the ticket's contract and cannot write on closed
    tickets or write internal notes. Staff replies are mailed to the tenant; internal notes are
    seen by staff only (their attachments too). Tenant messages are mailed to the assignee.
    """
    is_tenant = role == TicketMessage.Role.TENANT
    channel = channel or (Channel.WEB if is_tenant else Channel.STAFF)
    errors = {}
    if is_tenant:
        if internal or user is None or not Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists():
            raise ValidationError({NON_FIELD_ERRORS: [_("You cannot write on this request.")]})
        if ticket.status.is_closed:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _("This request is closed. Please file a new request if you need anything else.")
                    ]
                }
            )
        _check_rate("ticket_message", user)
    body = _collect(errors, "body", _clean_text, body) or ""
    if not body and "body" not in errors:
        errors["body"] = [_("Write a message.")]
    processed = [] if errors else _process_attachments(attachments, errors)
    if errors:
        raise ValidationError(errors)
    stored = []
    try:
        with transaction.atomic():
            message = TicketMessage.objects.create(
                ticket=ticket, author=user, author_role=role, body=body, internal=internal, channel=channel
            )
            _store_attachments(
                ticket, processed, message=message, user=user, internal=internal, stored_names=stored
            )
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
            log(
                ticket,
                ACTION_NOTE if internal else ACTION_MESSAGE,
                user=user,
                data={"message": message.pk, "role": role, "attachments": len(processed)},
            )
            if not internal:
                event = notifications.TENANT_MESSAGE if is_tenant else notifications.REPLY
                notifications.notify(event, ticket, message.pk)
            _send_signal(signals.ticket_message_posted, ticket=ticket, message=message, channel=channel)
    except BaseException:
        _remove_files(stored)
        raise
    if is_tenant:
        _count_rate("ticket_message", user)
    return message


# -- read marks ----------------------------------------------------------------------------------


def mark_seen(ticket, user, *, now=None):
    """Remember that the tenant ``user`` has just seen ``ticket`` (its page in the portal):
    replies and status changes until now are no longer "new" for them. One upsert query;
    nothing for users without a portal account (staff). Callers check that the user may see
    the ticket and has a full portal session. Returns the time stored, or None."""
    from ..accounts.auth import get_account

    account = get_account(user)
    if account is None:
        return None
    now = now or timezone.now()
    TicketRead.objects.bulk_create(
        [TicketRead(account=account, ticket=ticket, last_seen_at=now)],
        update_conflicts=True,
        unique_fields=["account", "ticket"],
        update_fields=["last_seen_at"],
    )
    return now


# -- "me too" ------------------------------------------------------------------------------------


def join_ticket(ticket, user):
    """Let ``user`` join an open report in a shared area of a building where they hold a contract
    ("me too") instead of filing a duplicate. Idempotent; returns the ``TicketSupporter``."""
    if user is None or not Ticket.objects.shared_open_for(user).filter(pk=ticket.pk).exists():
        raise ValidationError({NON_FIELD_ERRORS: [_("You cannot join this report.")]})
    contract = (
        Contract.objects.visible_to(user)
        .current()
        .filter(unit__property_id=ticket.property_id)
        .order_by("pk")
        .first()
    )
    with transaction.atomic():
        supporter, created = TicketSupporter.objects.get_or_create(
            ticket=ticket, user=user, defaults={"contract": contract}
        )
        if created:
            log(ticket, ACTION_JOINED, user=user, data={"contract": contract.pk if contract else None})
    return supporter


#: Messages of the audit-log actions (wagtail_hooks registers them).
LOG_ACTIONS = (
    (ACTION_SUBMITTED, gettext_lazy("Submit request"), gettext_lazy("Request submitted")),
    (ACTION_STATUS_CHANGED, gettext_lazy("Change request status"), gettext_lazy("Request status changed")),
    (ACTION_ASSIGNED, gettext_lazy("Assign request"), gettext_lazy("Request assigned")),
    (ACTION_MESSAGE, gettext_lazy("Message on a request"), gettext_lazy("Message written")),
    (ACTION_NOTE, gettext_lazy("Internal note on a request"), gettext_lazy("Internal note written")),
    (
        ACTION_DETAILS,
        gettext_lazy("Change request details"),
        gettext_lazy("Priority, due date or ERP id changed"),
    ),
    (ACTION_JOINED, gettext_lazy("Join a report"), gettext_lazy("Another tenant reported the same damage")),
)

__all__ = [
    "submit_ticket",
    "change_status",
    "post_message",
    "join_ticket",
    "mark_seen",
    "assign",
    "bulk_change_status",
    "bulk_assign",
    "route_ticket",
]
