"""Which companies a staff user works for: the one answer every admin list, object view, export,
chooser, form choice and file view uses (the staff side's counterpart of ``core.ownership``).

A staff user works for one or more companies (Mandanten). An active superuser works for all
of them. Everybody else works for none: anonymous and inactive users, tenants, and staff who
were given no company yet. The core does not know how a login is tied to a company; the
tenancy app, which owns ``Company``, registers a :class:`ScopeProvider` when it is ready
(staff work for the companies whose staff groups they are in). Without a provider only
superusers see company data.

:func:`company_ids` answers :data:`ALL`, ``None`` (no company) or a subquery of the
company ids, evaluated inside the caller's query: narrowing a listing costs no query of
its own.

Models with company data say on their queryset how a row reaches its company
(:class:`StaffScopedQuerySet`, e.g. ``staff_scope = "contract__company"``);
``Model.objects.for_staff(user)`` (or :func:`restrict`) narrows any of their querysets to
the user's companies. An object view that looks its object up in such a queryset answers
a foreign id exactly like a missing one: 404.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q


class _All:
    """The answer of :func:`company_ids` for users who work for every company."""

    def __repr__(self):
        return "ALL"


#: The user works for every company (an active superuser).
ALL = _All()


class ScopeProvider:
    """What the tenancy app provides. Methods get an active, authenticated non-superuser
    (``company_ids``) or a subquery of company ids (``member_condition``)."""

    def company_ids(self, user):
        """A ``values("pk")`` queryset of the companies ``user`` works for (may be empty)."""
        return None

    def member_condition(self, company_ids):
        """A ``Q`` over the user model: the users who work for one of ``company_ids`` (a
        subquery of company ids). Superusers are added by the caller."""
        return Q(pk__in=[])

    def company_queryset(self):
        """A queryset of every company (the company model's default manager)."""
        raise ImproperlyConfigured("No staff scope provider is installed (add wagtail_tenantportal.tenancy).")


_provider = ScopeProvider()


def register_provider(provider):
    """Install the provider (the tenancy app does, in ``ready()``)."""
    global _provider
    _provider = provider


def get_provider():
    return _provider


def _active(user):
    return user is not None and bool(getattr(user, "is_authenticated", False)) and bool(user.is_active)


def sees_all(user):
    """True if ``user`` works for every company (an active superuser)."""
    return _active(user) and bool(user.is_superuser)


def company_ids(user):
    """:data:`ALL`, None (no company: anonymous, inactive, or not assigned) or a subquery
    of the ids of the companies ``user`` works for."""
    if not _active(user):
        return None
    if user.is_superuser:
        return ALL
    return _provider.company_ids(user)


def condition(user, path, *, shared=False):
    """A ``Q`` selecting the rows whose company (reached through the lookup ``path``, e.g.
    ``"company"``, ``"contract__company"``; ``"pk"`` for companies themselves) ``user``
    works for. With ``shared``, rows without a company (shared by all companies) are
    selected too, for every active user."""
    if not _active(user):
        return Q(pk__in=[])
    ids = company_ids(user)
    if ids is ALL:
        return Q()
    mine = Q(pk__in=[]) if ids is None else Q(**{f"{path}__in": ids})
    if shared:
        mine |= Q(**{f"{path}__isnull": True})
    return mine


def allows(user, company_id):
    """True if ``user`` works for the company ``company_id`` (one query, none for superusers)."""
    ids = company_ids(user)
    if ids is ALL:
        return True
    if ids is None or company_id is None:
        return False
    return ids.filter(pk=company_id).exists()


def companies(user):
    """The companies ``user`` works for, as a queryset of the company model."""
    queryset = _provider.company_queryset()
    ids = company_ids(user)
    if ids is ALL:
        return queryset
    if ids is None:
        return queryset.none()
    return queryset.filter(pk__in=ids)


def member_condition(company_ids):
    """A ``Q`` over the user model: active superusers, and the users who work for one of
    ``company_ids`` (a subquery or a list of ids; :data:`ALL`: every user)."""
    if company_ids is ALL:
        return Q()
    superusers = Q(is_superuser=True, is_active=True)
    if company_ids is None:
        return superusers
    return superusers | _provider.member_condition(company_ids)


def colleague_condition(user):
    """A ``Q`` over the user model: the users who work for a company ``user`` works for
    (every user when ``user`` works for all; superusers always)."""
    return member_condition(company_ids(user))


def restrict(queryset, user, *, write=False):
    """``queryset`` narrowed to ``user``'s companies (see :class:`StaffScopedQuerySet`);
    ``ImproperlyConfigured`` if its model does not say whose company its rows belong to."""
    for_staff = getattr(queryset, "for_staff", None)
    if for_staff is None:
        raise ImproperlyConfigured(
            f"{queryset.model.__name__} has no staff scope: give it a queryset based on "
            "wagtail_tenantportal.core.scope.StaffScopedQuerySet."
        )
    return for_staff(user, write=write)


def is_scoped(queryset):
    """True if ``queryset``'s model declares a staff scope (it has ``for_staff``)."""
    return callable(getattr(queryset, "for_staff", None))


#: ``staff_scope`` of models that are not company data (workflow statuses, categories).
NOT_COMPANY_DATA = None


class StaffScopedQuerySet(models.QuerySet):
    """Base of the querysets of models staff see in the admin.

    ``staff_scope``: the lookup from a row to its company (``"company"``,
    ``"ticket__company"``; ``"pk"`` for companies), or :data:`NOT_COMPANY_DATA`.
    ``staff_scope_shared``: rows without a company are shared by all companies (ticket
    types, damage locations): every staff user reads them, only users who work for all
    companies change them (``write=True``).
    """

    staff_scope = "company"
    staff_scope_shared = False

    def staff_condition(self, user, *, write=False):
        """The ``Q`` of :meth:`for_staff`; override it where a path is not enough."""
        return condition(user, self.staff_scope, shared=self.staff_scope_shared and not write)

    def for_staff(self, user, *, write=False):
        """The rows of the companies ``user`` works for (``write``: that ``user`` may change)."""
        if self.staff_scope is NOT_COMPANY_DATA:
            return self.all() if _active(user) else self.none()
        return self.filter(self.staff_condition(user, write=write))
