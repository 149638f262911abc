"""The tenancy app's answer to ``core.companies``: which company a Wagtail site and a user
belong to (``Company.site`` and the parties the user acts for)."""

from ..core.companies import CompanyProvider


class TenancyCompanies(CompanyProvider):
    def for_site(self, site):
        """The one company whose website is ``site`` (None if none or several share it)."""
        from .models import Company

        companies = list(Company.objects.filter(site=site).select_related("site").order_by("pk")[:2])
        return companies[0] if len(companies) == 1 else None

    def for_user(self, user, prefer=None):
        """``prefer`` if ``user`` acts for it, else the user's first company (one query)."""
        from .models import Company, Party

        if user.pk is None:
            # The stand-in for an unknown address: the same query, which finds nothing, so the
            # time an answer takes does not tell whether an address has an account.
            queryset = Company.objects.filter(pk__in=Party.objects.filter(pk=-1).values("company_id"))
        else:
            queryset = Company.objects.visible_to(user)
        companies = list(queryset.select_related("site").order_by("pk")[:20])
        if prefer is not None and any(company.pk == prefer.pk for company in companies):
            return prefer
        return companies[0] if companies else None
