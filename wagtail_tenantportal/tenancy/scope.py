"""The tenancy app's answer to ``core.scope``: staff work for the companies whose staff groups
(``Company.staff_groups``, Wagtail's groups) they are members of."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from ..core.scope import ScopeProvider
from .models import Company


class CompanyStaffScope(ScopeProvider):
    def company_ids(self, user):
        return Company.objects.filter(staff_groups__user=user).values("pk")

    def member_condition(self, company_ids):
        members = get_user_model()._default_manager.filter(groups__tenantportal_companies__in=company_ids)
        return Q(pk__in=members.values("pk"))

    def company_queryset(self):
        return Company.objects.all()
