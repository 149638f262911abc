"""Business logic of the notice board: publish a notice, mark it read.

Admin views, commands and tests call these functions; views stay thin.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .models import Notice, NoticeRead

ACTION_PUBLISHED = "tenantportal.notice_published"


def check_properties(company, properties):
    """Raise ``ValidationError`` when a property does not belong to ``company``."""
    foreign = [p for p in properties if p.company_id != company.pk]
    if foreign:
        raise ValidationError(
            _("These properties do not belong to %(company)s: %(properties)s")
            % {"company": company, "properties": ", ".join(str(p) for p in foreign)}
        )


@transaction.atomic
def publish(notice, *, properties=None, user=None):
    """Save a new ``notice`` (unsaved instance) for ``properties`` (None or empty: all
    properties of its company) and record it in the audit log. Returns the notice."""
    properties = list(properties or [])
    check_properties(notice.company, properties)
    if user is not None and getattr(user, "is_authenticated", False):
        notice.created_by = user
    notice.save()
    notice.properties.set(properties)
    log(notice, ACTION_PUBLISHED, user=notice.created_by)
    return notice


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
