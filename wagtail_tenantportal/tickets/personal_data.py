"""What the tickets app holds about a user (``core.personal_data``).

Export: the requests the user filed or supports ("me too"), with the conversation the tenant
sees (no internal notes), the photos and files the user uploaded, read marks and mail settings.

Erasure: the company keeps its cases (requests, messages, attachments) but they lose their
link to the login and the contact details the tenant typed in (phone, email, reachability);
read marks, mail settings and "me too" entries are deleted.
"""

from django.db.models import Q

from ..core.personal_data import ErasureReport, ExportFile, PersonalDataProvider, iso, register
from .models import (
    NotificationPreference,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketRead,
    TicketStatusChange,
    TicketSupporter,
)


def _tickets(user):
    return Ticket.objects.filter(Q(created_by=user) | Q(supporters__user=user)).distinct()


@register
class TicketsPersonalData(PersonalDataProvider):
    app = "tickets"
    order = 100

    def export(self, user):
        tickets = list(
            _tickets(user)
            .select_related(
                "ticket_type", "status", "contract", "damage_location", "damage_category", "damage_kind"
            )
            .order_by("created_at", "pk")
        )
        messages = {}
        for message in (
            TicketMessage.objects.filter(ticket__in=tickets, internal=False)
            .select_related("author")
            .order_by("created_at", "pk")
        ):
            messages.setdefault(message.ticket_id, []).append(
                {
                    "from": message.author_role,
                    "mine": message.author_id == user.pk,
                    "body": message.body,
                    "sent_at": iso(message.created_at),
                }
            )
        attachments = {}
        for attachment in TicketAttachment.objects.filter(ticket__in=tickets, uploaded_by=user).order_by(
            "pk"
        ):
            attachments.setdefault(attachment.ticket_id, []).append(self._file_name(attachment))
        return {
            "requests": [
                {
                    "reference": ticket.reference,
                    "filed_by_me": ticket.created_by_id == user.pk,
                    "type": str(ticket.ticket_type),
                    "subject": ticket.subject,
                    "description": ticket.description,
                    "status": str(ticket.status),
                    "contract": ticket.contract.number if ticket.contract_id else None,
                    "damage": [
                        str(part)
                        for part in (ticket.damage_location, ticket.damage_category, ticket.damage_kind)
                        if part is not None
                    ],
                    "emergency": ticket.is_urgent,
                    "contact_phone": ticket.contact_phone,
                    "contact_email": ticket.contact_email,
                    "reachability": ticket.reachability,
                    "access_times": ticket.access_times,
                    "further_details": ticket.form_data,
                    "created_at": iso(ticket.created_at),
                    "closed_at": iso(ticket.closed_at),
                    "messages": messages.get(ticket.pk, []),
                    "files": attachments.get(ticket.pk, []),
                }
                for ticket in tickets
            ],
            "read_marks": [
                {"request": read.ticket.reference, "last_seen_at": iso(read.last_seen_at)}
                for read in TicketRead.objects.filter(account__user=user)
                .select_related("ticket")
                .order_by("pk")
            ],
            "mail_settings": [
                {"status_changes": preference.status_changes, "replies": preference.replies}
                for preference in NotificationPreference.objects.filter(account__user=user)
            ],
        }

    @staticmethod
    def _file_name(attachment):
        return f"tickets/{attachment.ticket.reference}/{attachment.pk}-{attachment.original_name}"

    def files(self, user):
        attachments = (
            TicketAttachment.objects.filter(uploaded_by=user).select_related("ticket").order_by("pk")
        )
        return [ExportFile(self._file_name(attachment), attachment.file.open) for attachment in attachments]

    def erase(self, user):
        report = ErasureReport(self.app)
        report.deleted["supports"] = TicketSupporter.objects.filter(user=user).delete()[0]
        report.deleted["read_marks"] = TicketRead.objects.filter(account__user=user).delete()[0]
        report.deleted["mail_settings"] = NotificationPreference.objects.filter(account__user=user).delete()[
            0
        ]
        report.anonymised["requests"] = Ticket.objects.filter(created_by=user).update(
            created_by=None, contact_phone="", contact_email="", reachability=""
        )
        report.anonymised["messages"] = TicketMessage.objects.filter(author=user).update(author=None)
        report.anonymised["attachments"] = TicketAttachment.objects.filter(uploaded_by=user).update(
            uploaded_by=None
        )
        report.anonymised["status_changes"] = TicketStatusChange.objects.filter(changed_by=user).update(
            changed_by=None
        )
        return report

    def kept(self, user):
        return {"requests": Ticket.objects.filter(created_by_id=user.pk).count()}

    def open_items(self, user):
        return [
            {"kind": "request", "reference": reference, "label": subject, "company_id": company_id}
            for reference, subject, company_id in Ticket.objects.filter(created_by_id=user.pk)
            .open()
            .order_by("created_at", "pk")
            .values_list("reference", "subject", "company_id")
        ]

    def remaining(self, user):
        return {
            "requests": Ticket.objects.filter(created_by_id=user.pk).count(),
            "messages": TicketMessage.objects.filter(author_id=user.pk).count(),
            "attachments": TicketAttachment.objects.filter(uploaded_by_id=user.pk).count(),
            "status_changes": TicketStatusChange.objects.filter(changed_by_id=user.pk).count(),
            "supports": TicketSupporter.objects.filter(user_id=user.pk).count(),
            "read_marks": TicketRead.objects.filter(account__user_id=user.pk).count(),
            "mail_settings": NotificationPreference.objects.filter(account__user_id=user.pk).count(),
        }
