"""Public signals of the tickets app, for the ERP sync and other receivers.

All are sent with ``sender=Ticket`` after the transaction that made the change has been
committed (never for a change that was rolled back). Receivers get keyword arguments only:

``ticket_submitted``
    ``ticket``: the new ``Ticket`` (with its attachments saved); ``channel``: one of
    ``Channel`` ("web", "api", "staff", "erp").
``ticket_status_changed``
    ``ticket``; ``change``: the ``TicketStatusChange`` (``from_status``, ``to_status``,
    ``changed_by``, ``comment``, ``channel``).
``ticket_message_posted``
    ``ticket``; ``message``: the ``TicketMessage`` (``internal`` is True for staff notes,
    which tenants never see); ``channel``.

``ticket_event`` (the exception: sent **inside** the transaction of the change, before it
commits, with ``send``) is for receivers that record work which must commit or roll back with
the change, such as the ERP link writing its outbox events. Arguments: ``ticket``; ``event``:
``"submitted"``, ``"status_changed"`` or ``"message_posted"``; ``channel``; ``change`` (a
``TicketStatusChange``, for status changes), ``message`` (a
``TicketMessage``, for messages) and ``attachments`` (the ``TicketAttachment`` rows stored
with the change, possibly empty). A receiver that raises undoes the change, so such receivers
only write rows and never talk to other systems.

The other signals are sent with ``send_robust``: a receiver that raises is logged (logger
``wagtail_tenantportal.tickets``) and neither undoes the change (it is committed already) nor
keeps the other receivers or the tenant's request from going on. Receivers that talk to other
systems should record their work (outbox) rather than call out directly.
"""

from django.dispatch import Signal

ticket_submitted = Signal()
ticket_status_changed = Signal()
ticket_message_posted = Signal()
ticket_event = Signal()
