"""Who hears of a new document and how: e-delivery consent and the "a new document is
available" mails.

Below ``publishing`` (which records deliveries by consent) and ``tasks`` (which sends the due
mails in the background); it imports neither, so the three form one direction:
``services``/``bulk`` → ``publishing`` → ``tasks`` → ``notifications``.
"""

import logging
from collections import defaultdict

from django.apps import apps
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import Document, DocumentDelivery, DocumentsPage

logger = logging.getLogger(__name__)

#: Ids per ``IN`` list (well below SQLite's limit of bound parameters).
IN_CHUNK = 900


def chunks(items, size=IN_CHUNK):
    """``items`` as lists of at most ``size`` (for ``IN`` lists)."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _consenting_links(party_ids):
    """Active links of active users with a current e-delivery consent to ``party_ids``."""
    from ..accounts.models import AccountParty, Consent

    consenting = Consent.objects.current().filter(kind=Consent.Kind.E_DELIVERY).values("account_id")
    return AccountParty.objects.filter(
        party_id__in=party_ids, active=True, account_id__in=consenting, account__user__is_active=True
    )


def parties_with_e_delivery(party_ids):
    """The ids among ``party_ids`` whose portal account agreed to electronic delivery.

    A party counts when an active portal user is linked to it (active link) and that user's
    account has a current (not withdrawn) e-delivery consent (``accounts.Consent``). Without
    the accounts app: nobody. One query per ``IN_CHUNK`` parties.
    """
    if not apps.is_installed("wagtail_tenantportal.accounts"):
        return set()
    found = set()
    for chunk in chunks(party_ids):
        found.update(_consenting_links(chunk).values_list("party_id", flat=True))
    return found


def recipient_users(party_ids):
    """``{party_id: [user]}``: consenting, active users linked to the parties (one query)."""
    result = defaultdict(list)
    for link in _consenting_links(party_ids).select_related("account__user"):
        result[link.party_id].append(link.account.user)
    return result


def documents_url(company=None, request=None):
    """Absolute address of the tenant's document list on ``company``'s own site: the live
    documents page of that site (of any site when the company has none), else the portal's
    view (``core.links``)."""
    from ..core.adapter import get_adapter

    adapter = get_adapter()
    pages = DocumentsPage.objects.live()
    site = company.site if company is not None and company.site_id else None
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    page = pages.order_by("path").first()
    if page is not None:
        url = adapter.absolute_page_url(page, request=request, company=company)
        if url:
            return url
    try:
        path = reverse("wagtail_tenantportal:documents")
    except NoReverseMatch:
        path = "/"
    return adapter.build_absolute_uri(request, path, company=company)


def _group_by_recipient(deliveries, documents, users):
    """``({(user, company_id): [delivery]}, [ids of deliveries nobody can receive])``."""
    groups = defaultdict(list)
    unreachable = []
    for delivery in deliveries:
        recipients = users.get(delivery.party_id)
        if not recipients:
            unreachable.append(delivery.pk)
            continue
        for user in recipients:
            groups[(user, documents[delivery.document_id].company_id)].append(delivery)
    return groups, unreachable


def _send_batch(adapter, deliveries, now):
    """Mail one locked batch of due deliveries; returns ``(mails sent, deliveries done, unreachable)``."""
    documents = {
        doc.pk: doc
        for doc in Document.objects.filter(pk__in={d.document_id for d in deliveries}).select_related(
            "category", "company__site__root_page"
        )
    }
    groups, unreachable = _group_by_recipient(
        deliveries, documents, recipient_users({d.party_id for d in deliveries})
    )
    # No consenting account any more (consent withdrawn, link ended): paper post.
    DocumentDelivery.objects.filter(pk__in=unreachable).update(channel=DocumentDelivery.Channel.POST)
    sent = 0
    done = set()
    urls = {}  # company id -> the document list on its site
    for (user, company_id), items in groups.items():
        email = adapter.user_email(user)
        docs = sorted({documents[d.document_id] for d in items}, key=lambda d: (d.document_date, d.pk))
        if not email:
            done.update(d.pk for d in items)
            continue
        company = docs[0].company
        if company_id not in urls:
            urls[company_id] = documents_url(company)
        try:
            adapter.send_mail(
                "document_available",
                email,
                {"user": user, "documents": docs, "documents_url": urls[company_id], "count": len(docs)},
                company=company,
            )
        except Exception:
            logger.exception("Document notice to user %s failed; it is tried again later.", user.pk)
            continue
        sent += 1
        done.update(d.pk for d in items)
    DocumentDelivery.objects.filter(pk__in=done).update(notified_at=now)
    return sent, done, unreachable


def send_due_notices(*, now=None, batch_size=500):
    """Send the due "a new document is available" mails; return the number of mails sent.

    One mail per user and company lists all new documents of that user; the document is
    never attached. Deliveries are marked sent only after their mail went out, so a failed
    mail is tried again on the next run. Safe to run from several workers (rows are locked).
    """
    if not apps.is_installed("wagtail_tenantportal.accounts"):
        return 0
    from ..core.adapter import get_adapter

    adapter = get_adapter()
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            deliveries = list(
                DocumentDelivery.objects.due_notices(now)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not deliveries:
                return sent
            mails, done, unreachable = _send_batch(adapter, deliveries, now)
            sent += mails
            if not done and not unreachable:
                return sent
