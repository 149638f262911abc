"""The outbox's ``"erp"`` channel: hands each event row to its connection's connector.

One connector per connection and delivery run (a webhook connector keeps its HTTP connection
open for all events of the run). The ERP's answer to ``ticket.created`` may name its case id;
it is stored as the request's ERP id (``tickets.services.update_details``) unless the request
has one already.
"""

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..core.outbox import DeliveryFailed, Transport
from ..tickets import services as ticket_services
from .connectors import Event, encode, make_connector
from .events import TICKET_CREATED
from .models import Connection

logger = logging.getLogger("wagtail_tenantportal.erp")


class ErpTransport(Transport):
    """Delivers ERP events through the connectors of their connections."""

    timeout = 30

    def __init__(self):
        self.connectors = {}

    def connector(self, destination):
        if destination not in self.connectors:
            connection = Connection.objects.select_related("company").filter(pk=destination or None).first()
            if connection is None:
                raise DeliveryFailed("The ERP connection no longer exists.", permanent=True)
            if not connection.active:
                raise DeliveryFailed("The ERP connection is switched off.")
            connector = make_connector(connection)
            connector.open()
            self.connectors[destination] = connector
        return self.connectors[destination]

    def deliver(self, message):
        connector = self.connector(message.destination)
        event = Event(
            id=message.webhook_id,
            type=message.topic,
            timestamp=timezone.now(),
            body=encode(message.payload),
            payload=message.payload,
        )
        answer = connector.send(event)
        if message.topic == TICKET_CREATED and answer:
            self.store_case_id(message, answer)

    def store_case_id(self, message, answer):
        case_id = answer.get("case_id") or answer.get("id")
        if not isinstance(case_id, str | int) or not str(case_id).strip():
            return
        connection = self.connectors[message.destination].connection
        reference = message.payload["data"]["reference"]
        ticket = ticket_services.company_ticket_by_reference(connection.company_id, reference)
        if ticket is None or ticket.external_id:
            return
        try:
            ticket_services.update_details(ticket, external_id=str(case_id).strip()[:64])
        except ValidationError:
            logger.warning("The ERP answered case id %r for %s, which another request has.", case_id, ticket)

    def close(self):
        for connector in self.connectors.values():
            try:
                connector.close()
            except Exception:
                logger.exception("Closing an ERP connector failed")
        self.connectors = {}
