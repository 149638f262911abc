"""Which parties and contracts a portal user acts for: the one answer every ownership check uses,
and which rows of a contract are one party's own (``own_or_shared``: co-tenant privacy).

Each tenant-data queryset's ``visible_to(user)`` starts here. The core does not know how a
login is linked to parties (that is the accounts app's ``AccountParty``); the accounts app
registers an :class:`OwnershipProvider` when it is ready. Without one, nobody acts for anybody
and every ``visible_to`` is empty.

Both functions return a subquery (a ``values()`` queryset, evaluated inside the caller's
query, so an ownership check costs no query of its own) or None for users who act for
nobody: anonymous, inactive, or no provider installed. Callers treat None as "nothing".
"""


class OwnershipProvider:
    """What the accounts app provides. Both methods get an authenticated, active user."""

    def party_ids(self, user):
        """Subquery of the ids of the parties ``user`` acts for."""
        return None

    def contract_ids(self, user):
        """Subquery of the ids of the contracts those parties are named on."""
        return None


_provider = OwnershipProvider()


def register_provider(provider):
    """Install the provider (the accounts app does, in ``ready()``)."""
    global _provider
    _provider = provider


def _acting(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def party_ids(user):
    """Subquery of the party ids ``user`` acts for, or None (see the module docstring)."""
    if not _acting(user):
        return None
    return _provider.party_ids(user)


def contract_ids(user):
    """Subquery of the contract ids ``user``'s parties are named on, or None."""
    if not _acting(user):
        return None
    return _provider.contract_ids(user)


def own_or_shared(user, *, party="party", contract="contract", shared_with_co_tenants=None, shared=None):
    """``Q`` for rows that belong to one party on a contract (a request and its messages), or
    None for users who act for nobody.

    Co-tenants are parties named on the same contract. By default each sees only its own
    rows: rows on the user's contracts whose ``party`` is one the user acts for, or that name
    no party (a row of the contract as a whole, e.g. made by staff or the ERP).
    ``shared_with_co_tenants``: a lookup (``"contract__company__co_tenants_share_requests"``)
    that, where true, lets everybody on the contract see every row. ``shared``: a ``Q`` of
    rows that are shared with co-tenants anyway.
    """
    from django.db.models import Q

    parties, contracts = party_ids(user), contract_ids(user)
    if parties is None or contracts is None:
        return None
    own = Q(**{f"{party}__in": parties}) | Q(**{f"{party}__isnull": True})
    if shared_with_co_tenants:
        own |= Q(**{shared_with_co_tenants: True})
    if shared is not None:
        own |= shared
    return Q(**{f"{contract}__in": contracts}) & own
