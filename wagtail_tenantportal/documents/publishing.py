"""The steps every publication shares: one file (``services.publish``), a ZIP (``bulk``), a
generated certificate.

Category look-up, the file size limit, the audit actions, the acting user, one delivery per
recipient party (portal or paper post by e-delivery consent) and queueing the notice mails.
``services`` and ``bulk`` both build on this module; it imports neither of them.
"""

from collections import defaultdict

from ..core.conf import portal_settings
from ..core.tasks import defer
from ..tenancy.models import Company, Contract, ContractParty, Party, Property
from .models import BUILTIN_CATEGORIES, DocumentCategory, DocumentDelivery
from .notifications import chunks, parties_with_e_delivery
from .tasks import send_document_notices

#: Audit-log actions (registered in ``wagtail_hooks``).
ACTION_PUBLISHED = "tenantportal.document_published"
ACTION_WITHDRAWN = "tenantportal.document_withdrawn"
ACTION_VIEWED = "tenantportal.document_viewed"
ACTION_DISTRIBUTED = "tenantportal.documents_distributed"
ACTION_PRINT_BATCH = "tenantportal.print_batch_created"


def acting_user(user):
    """``user`` when it is a logged-in user (recorded as creator and in the audit log), else None."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def max_file_bytes():
    """The largest document file accepted, in bytes (``DOCUMENTS_MAX_FILE_MB``)."""
    return int(portal_settings.DOCUMENTS_MAX_FILE_MB * 1024 * 1024)


def get_category(key):
    """The category with ``key``; built-in categories are created when missing.

    Raises ``DocumentCategory.DoesNotExist`` for an unknown key that is not built in.
    """
    if key in BUILTIN_CATEGORIES:
        order = list(BUILTIN_CATEGORIES).index(key) * 10
        category, _created = DocumentCategory.objects.get_or_create(key=key, defaults={"sort_order": order})
        return category
    return DocumentCategory.objects.get(key=key)


def target_fields(target):
    """``company``, ``party``, ``contract`` and ``property`` of a document for ``target``."""
    fields = {"party": None, "contract": None, "property": None}
    if isinstance(target, Party):
        fields["party"] = target
    elif isinstance(target, Contract):
        fields["contract"] = target
    elif isinstance(target, Property):
        fields["property"] = target
    elif not isinstance(target, Company):
        raise TypeError(f"A document belongs to a party, contract, property or company, not {target!r}")
    fields["company_id"] = target.pk if isinstance(target, Company) else target.company_id
    return fields


def recipients(documents):
    """``{document: [party ids]}`` for documents addressed to parties or contracts."""
    contract_ids = {doc.contract_id for doc in documents if doc.contract_id}
    by_contract = defaultdict(list)
    for chunk in chunks(contract_ids):
        for contract_id, party_id in ContractParty.objects.filter(contract_id__in=chunk).values_list(
            "contract_id", "party_id"
        ):
            by_contract[contract_id].append(party_id)
    result = {}
    for doc in documents:
        if doc.party_id:
            result[doc] = [doc.party_id]
        elif doc.contract_id:
            result[doc] = sorted(set(by_contract[doc.contract_id]))
        else:
            result[doc] = list(doc.recipient_parties().values_list("pk", flat=True))
    return result


def create_deliveries(documents, *, notify, now):
    """One delivery per recipient party: portal when the party consented to e-delivery, else post.

    Documents for a whole property or company go to the portal only (paper notices for a
    building are put up there as before): deliveries exist only for consenting parties.
    Returns the created ``DocumentDelivery`` rows.
    """
    by_document = recipients(documents)
    consenting = parties_with_e_delivery({pid for ids in by_document.values() for pid in ids})
    rows = []
    for doc, party_ids in by_document.items():
        broadcast = not (doc.party_id or doc.contract_id)
        for party_id in party_ids:
            portal = party_id in consenting
            if broadcast and not (portal and notify):
                continue
            rows.append(
                DocumentDelivery(
                    document=doc,
                    party_id=party_id,
                    channel=DocumentDelivery.Channel.PORTAL if portal else DocumentDelivery.Channel.POST,
                    created_at=now,
                    notice_skipped=not notify,
                )
            )
    DocumentDelivery.objects.bulk_create(rows, batch_size=1000)
    return rows


def enqueue_notices():
    """Ask the task backend to send due notices after the current transaction commits.

    If the backend cannot take the task, nothing is lost: the deliveries stay due and the
    next run (command ``tenantportal_document_notices`` or the next publication) sends them.
    """
    defer(send_document_notices)
