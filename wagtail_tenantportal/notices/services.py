"""Business logic of the notice board: what a tenant sees, publish a notice, mark it read,
mail important notices.

Views, the page type, the block, the dashboard widget, admin views, commands and tests call
these functions; what a tenant may read comes from ``Notice.objects.visible_to`` here.
"""

import logging

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .models import Notice, NoticeMail, NoticeMailPreference, NoticeRead

logger = logging.getLogger(__name__)

ACTION_PUBLISHED = "tenantportal.notice_published"
ACTION_MAILED = "tenantportal.notice_mailed"

#: Mail template prefix (``emails/notice_important_subject.txt`` etc.).
MAIL_TEMPLATE = "notice_important"

#: Words of the notice text quoted in the mail.
EXCERPT_WORDS = 30


# -- what a tenant sees ------------------------------------------------------------------------


def tenant_notices(user, *, only_important=False, limit=None):
    """The notices ``user`` may read now, as the lists show them (a list; one query):
    ``is_new`` annotated, important first, newest first; at most ``limit``."""
    notices = Notice.objects.for_tenant(user)
    if only_important:
        notices = notices.filter(important=True)
    if limit:
        notices = notices[:limit]
    return list(notices)


def notice_list_context(user, *, only_important=False, limit=None):
    """Template context of the notice list of ``user`` (verified): ``notices``, ``new_count``
    and the link to all notices (one query)."""
    notices = tenant_notices(user, only_important=only_important, limit=limit)
    return {
        "notices": notices,
        "new_count": sum(1 for n in notices if n.is_new),
        "all_notices_url": reverse("wagtail_tenantportal:notices"),
    }


def dashboard_summary(user, limit):
    """``(latest, new_count)``: the first ``limit`` notices of the tenant's list and how many
    of all are new (two queries)."""
    notices = Notice.objects.for_tenant(user)
    return list(notices[:limit]), notices.filter(is_new=True).count()


def tenant_notice_list(user, *, only_important=False, new=None):
    """Queryset of the notices ``user`` may read now with ``is_new`` (the API pages it itself),
    optionally only important ones or only new (``new=True``) / read (``new=False``) ones."""
    notices = Notice.objects.for_tenant(user)
    if only_important:
        notices = notices.filter(important=True)
    if new is not None:
        notices = notices.filter(is_new=new)
    return notices


def get_listed_notice(user, notice_id):
    """``get_tenant_notice`` with ``is_new`` and its company (one query); ``Http404`` alike for
    everything the user may not read."""
    try:
        pk = int(notice_id)
    except (TypeError, ValueError):
        raise Http404 from None
    notice = Notice.objects.for_tenant(user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def published_between(user, since, until, limit=50):
    """Notices ``user`` may read that became visible in (``since``, ``until``], oldest first, at
    most ``limit``, with ``is_new`` (a list; one query): for the API's change feed."""
    return list(
        Notice.objects.for_tenant(user)
        .filter(visible_from__gt=since, visible_from__lte=until)
        .order_by("visible_from", "pk")[:limit]
    )


def new_count(user):
    """How many notices ``user`` may read and has not opened (one query)."""
    return Notice.objects.for_tenant(user).filter(is_new=True).count()


def get_tenant_notice(user, notice_id):
    """The notice ``notice_id`` (an int or its text) that ``user`` may read now, with its
    company (one query).

    Raises ``Http404`` for everything else, all alike: a malformed id, no such notice, one of
    another building or company, one outside its time window.
    """
    try:
        pk = int(notice_id)
    except (TypeError, ValueError):
        raise Http404 from None
    notice = Notice.objects.visible_to(user).select_related("company").filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


# -- publishing ---------------------------------------------------------------------------------


def check_properties(company, properties):
    """Raise ``ValidationError`` when a property does not belong to ``company``."""
    foreign = [p for p in properties if p.company_id != company.pk]
    if foreign:
        raise ValidationError(
            _("These properties do not belong to %(company)s: %(properties)s")
            % {"company": company, "properties": ", ".join(str(p) for p in foreign)}
        )


@transaction.atomic
def publish(notice, *, properties=None, user=None, request=None):
    """Save a new ``notice`` (unsaved instance) for ``properties`` (None or empty: all
    properties of its company) and record it in the audit log. An important notice that is
    visible now is mailed to its tenants (``send_important_mails``; scheduled ones by the
    command ``tenantportal_notice_mails``). Returns the notice."""
    properties = list(properties or [])
    check_properties(notice.company, properties)
    if user is not None and getattr(user, "is_authenticated", False):
        notice.created_by = user
    notice.save()
    notice.properties.set(properties)
    log(notice, ACTION_PUBLISHED, user=notice.created_by)
    if notice.important:
        send_important_mails(notice, request=request, user=notice.created_by)
    return notice


def notice_changed(notice, *, was_important, request=None, user=None):
    """Call after staff saved changes to ``notice``: an important notice that was not
    important before (or was never mailed) is mailed now. Returns the number of mails."""
    if notice.important and (not was_important or notice.mailed_at is None):
        return send_important_mails(notice, request=request, user=user)
    return 0


def create_notice(company, title, body, *, properties=None, user=None, **fields):
    """Build and publish a notice from plain values (commands, ERP, tests)."""
    return publish(
        Notice(company=company, title=title, body=body, **fields), properties=properties, user=user
    )


def mark_read(notice, user):
    """Record that ``user``'s portal account opened ``notice`` (once; later calls change
    nothing). Returns True when this was the first time. Users without a portal account
    (staff) are not recorded."""
    from ..accounts.models import PortalAccount

    account_id = PortalAccount.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    if account_id is None:
        return False
    try:
        with transaction.atomic():
            _read, created = NoticeRead.objects.get_or_create(
                notice=notice, account_id=account_id, defaults={"read_at": timezone.now()}
            )
    except IntegrityError:  # the same tenant in two tabs at once
        return False
    return created


# -- mail about important notices ---------------------------------------------------------------


def mail_recipients(notice, now=None):
    """Portal accounts to mail about ``notice`` now (one query, ``user`` selected).

    Accounts whose tenant can see the notice (an active link to a party of a current
    contract of the notice's company, in one of its buildings when the notice targets
    buildings), whose email address is confirmed and whose user is active; without those
    that opted out (``NoticeMailPreference``) and those mailed about it before.
    """
    from ..accounts.models import AccountParty, PortalAccount
    from ..tenancy.models import Contract, ContractParty

    now = now or timezone.now()
    targets = Notice.properties.through.objects.filter(notice_id=notice.pk)
    contracts = Contract.objects.current(timezone.localdate(now)).filter(company_id=notice.company_id)
    contracts = contracts.filter(~Exists(targets) | Q(unit__property_id__in=targets.values("property_id")))
    parties = ContractParty.objects.filter(contract_id__in=contracts.values("pk")).values("party_id")
    linked = AccountParty.objects.filter(active=True, party_id__in=parties).values("account_id")
    return (
        PortalAccount.objects.filter(pk__in=linked, email_verified_at__isnull=False, user__is_active=True)
        .exclude(Exists(NoticeMail.objects.filter(notice_id=notice.pk, account_id=OuterRef("pk"))))
        .exclude(
            Exists(NoticeMailPreference.objects.filter(account_id=OuterRef("pk"), important_notices=False))
        )
        .select_related("user")
        .order_by("pk")
    )


def notice_url(notice, request=None):
    """Absolute address of the notice in the portal."""
    from ..core.adapter import get_adapter

    try:
        path = reverse("wagtail_tenantportal:notice_detail", args=[notice.pk])
    except NoReverseMatch:
        path = "/"
    return get_adapter().build_absolute_uri(request, path, company=notice.company)


def excerpt(notice, words=EXCERPT_WORDS):
    """The start of the notice text as plain text."""
    return Truncator(" ".join(strip_tags(notice.body or "").split())).words(words, truncate=" …")


def send_important_mails(notice, *, request=None, user=None, now=None, batch_size=500):
    """Mail every tenant who can see the important ``notice`` once (see ``mail_recipients``).

    Does nothing for notices that are not important or not visible now (scheduled ones are
    mailed by ``send_due_mails`` once their time comes). The mails are rendered here (with
    the company's own site for the links, see ``core.links``) and handed to the mail task after
    the commit; ``NoticeMail`` rows record who was mailed, so no account gets a second mail
    about the same notice, whoever calls this and however often. A constant number of
    queries per ``batch_size`` accounts. Records "mailed to N tenants" in the audit log.
    Returns N.
    """
    if not apps.is_installed("wagtail_tenantportal.accounts"):
        return 0
    from ..core.adapter import get_adapter
    from ..core.mail import send_later_many

    now = now or timezone.now()
    with transaction.atomic():
        # The lock makes concurrent calls for one notice wait, so each account is mailed once.
        locked = (
            Notice.objects.current(now)
            .filter(pk=notice.pk, important=True)
            .select_for_update(of=("self",))
            .select_related("company__site")
            .first()
        )
        if locked is None:
            return 0
        adapter = get_adapter()
        url = notice_url(locked, request)
        context = {"notice": locked, "notice_url": url, "excerpt": excerpt(locked)}
        rows, messages = [], []
        for account in mail_recipients(locked, now):
            email = adapter.user_email(account.user)
            if not email:
                continue
            messages.append(
                adapter.render_mail(
                    MAIL_TEMPLATE,
                    email,
                    {**context, "user": account.user},
                    request=request,
                    company=locked.company,
                )
            )
            rows.append(NoticeMail(notice=locked, account=account, created_at=now))
        NoticeMail.objects.bulk_create(rows, batch_size=batch_size)
        Notice.objects.filter(pk=locked.pk).update(mailed_at=now)
        notice.mailed_at = now
        if rows:
            log(locked, ACTION_MAILED, user=_staff(user), data={"count": len(rows)})
        send_later_many(messages, company_id=locked.company_id)
    logger.info("Notice %s mailed to %d tenants.", notice.pk, len(rows))
    return len(rows)


def send_due_mails(*, now=None):
    """Mail the important notices that are visible now and were not mailed yet (scheduled
    ones whose time has come). Returns ``{notice: number of mails}``; for cron (command
    ``tenantportal_notice_mails``)."""
    now = now or timezone.now()
    due = Notice.objects.current(now).filter(important=True, mailed_at__isnull=True).order_by("visible_from")
    return {notice: send_important_mails(notice, now=now) for notice in due}


def _staff(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def mail_preference(account):
    """The account's notice mail setting (unsaved default: mails wanted)."""
    return NoticeMailPreference.objects.filter(account=account).first() or NoticeMailPreference(
        account=account
    )


def set_mail_preference(account, wanted):
    """Store whether ``account`` wants mails about important notices."""
    NoticeMailPreference.objects.update_or_create(account=account, defaults={"important_notices": wanted})
