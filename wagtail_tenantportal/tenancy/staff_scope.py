"""Who works for which company in the admin (the staff scope, ``core.scope``): the reads and
writes the system check, the management command ``tenantportal_staff_scope``, the group panel
and the admin's homepage use.

Staff work for the companies whose staff groups (``Company.staff_groups``, Wagtail groups)
they are members of; superusers work for all companies. A staff user in no such group sees no
company's data: after upgrading, existing staff must be put into a staff group.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from ..admin.utils import staff_users
from .models import Company


def staff_without_company():
    """Active admin users who are not superusers and work for no company, by username."""
    User = get_user_model()
    assigned = User._default_manager.filter(groups__tenantportal_companies__isnull=False).values("pk")
    return staff_users().filter(is_superuser=False).exclude(pk__in=assigned).order_by(User.USERNAME_FIELD)


def works_for_no_company(user):
    """True for an active admin user who is not a superuser and works for no company."""
    if not user.is_active or user.is_superuser:
        return False
    return not Company.objects.filter(staff_groups__user=user).exists()


def companies_with_groups():
    """Every company with its staff groups (prefetched), by name."""
    return Company.objects.order_by("name").prefetch_related("staff_groups")


def get_company(slug_or_erp_id):
    """The company with this slug or ERP id, or None."""
    return (
        Company.objects.filter(slug=slug_or_erp_id).first()
        or Company.objects.filter(erp_id=slug_or_erp_id).first()
    )


def add_staff_group(company, group_name, *, create=False):
    """Make the group named ``group_name`` a staff group of ``company`` (its members work for
    the company); with ``create`` a missing group is created (without permissions). Returns
    the group, or None when it does not exist and ``create`` is false."""
    group = Group.objects.filter(name=group_name).first()
    if group is None:
        if not create:
            return None
        group = Group.objects.create(name=group_name)
    company.staff_groups.add(group)
    return group


def assign_unassigned_staff(company, group_name):
    """Put every staff user who works for no company into the group ``group_name`` (created
    without permissions if missing: it only says whom they work for), a staff group of
    ``company``. Returns the users added, in one transaction."""
    with transaction.atomic():
        users = list(staff_without_company())
        group = add_staff_group(company, group_name, create=True)
        group.user_set.add(*users)
    return users
