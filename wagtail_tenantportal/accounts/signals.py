"""Signals of the accounts app. Arguments are documented; receivers must not assume more.

``code_requested``: a tenant asked online for a registration code (see
``services.request_code``). sender: the ``CodeRequest`` class; ``request``: the new
``CodeRequest`` (``party``/``contract`` empty when the details matched nobody). Sent after
the request is saved; connect a receiver to notify staff.

``account_registered``: a portal account was created by registration (see ``flows``).
sender: the ``PortalAccount`` class; ``account``: the new account (email not confirmed
yet); ``flow``: ``"code_first"`` or ``"verify_later"``. Sent after the transaction.

``email_confirmed``: a tenant confirmed an email address (registration or change).
sender: the ``PortalAccount`` class; ``account``: the account. For "verify later" accounts
the pending ``RegistrationClaim`` now appears in ``RegistrationClaim.objects.awaiting_match()``;
connect a receiver to notify staff.

``account_deleted``: a tenant deleted their portal account (see ``leaving.delete_account``).
sender: the ``PortalAccount`` class; ``parties``: the ``Party`` objects the account acted
for; ``contracts``: ``(company_id, number)`` of their contracts; ``open_items``: the open
requests (``{"kind", "reference", "label", "company_id"}``), which stay open. Sent inside the deletion's
transaction, after the erasure: a receiver's writes (an outbox row) commit or roll back
with it; it must not look the login up any more.
"""

from django.dispatch import Signal

code_requested = Signal()
account_registered = Signal()
email_confirmed = Signal()
account_deleted = Signal()
