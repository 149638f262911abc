"""Which parties and contracts a portal user acts for: the one answer every ownership check uses.

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
