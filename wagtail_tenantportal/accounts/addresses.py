"""Storing portal users' addresses in their canonical form (``core.identity.canonical_email``).

Shared by the data migration ``0005_canonical_addresses`` and the command
``tenantportal_normalise_addresses`` (which reports what the migration left). Works with the
historical models of a migration as well as with the real ones: the caller passes them.

What the caller may rely on: only users with a portal account are changed; their email field
and, where the username is the address (``canonical_email(username) ==
canonical_email(email)``), their username get the canonical form. A user whose canonical
address another user already has (as address or username, in any spelling) is left as it is
and reported: two accounts of one address need a person to decide which one stays.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from ..core.identity import canonical_email


@dataclass
class AddressReport:
    #: ``(user_pk, old, new)`` of every user whose address was (or, dry run, would be) changed.
    changed: list = field(default_factory=list)
    #: ``(user_pk, old, new, other_user_pks)`` of every user left unchanged because of a collision.
    collisions: list = field(default_factory=list)

    def lines(self):
        """What happened, in English, one line per collision (for the migration and the command)."""
        out = [f"{len(self.changed)} portal address(es) stored in the canonical form."]
        for pk, old, new, others in self.collisions:
            out.append(
                f"User {pk} ({old!r}) left unchanged: {new!r} belongs to user(s) "
                f"{', '.join(map(str, others))} as well. Decide which account stays."
            )
        return out


def _field_names():
    """Names of the email and username fields of the configured user model."""
    user_model = get_user_model()
    return user_model.get_email_field_name(), user_model.USERNAME_FIELD


def normalise_addresses(user_model, account_model, *, dry_run=False):
    """Store the canonical address of every portal user that lacks it; return an ``AddressReport``.

    ``user_model`` and ``account_model`` are the user and ``PortalAccount`` models (historical
    ones in a migration). Reads every user's address once (one query), writes one update per
    changed user.
    """
    email_name, username_name = _field_names()
    portal_pks = set(account_model.objects.values_list("user_id", flat=True))
    owners = {}  # canonical form -> pks of the users whose address or username has it
    rows = []
    for pk, email, username in user_model._default_manager.values_list(
        "pk", email_name, username_name
    ).iterator():
        email, username = email or "", username or ""
        for value in {canonical_email(email), canonical_email(username)} - {""}:
            owners.setdefault(value, set()).add(pk)
        if pk in portal_pks:
            rows.append((pk, email, username))
    report = AddressReport()
    for pk, email, username in sorted(rows):
        new = canonical_email(email or username)
        updates = {}
        if email != new:
            updates[email_name] = new
        if username_name != email_name and username != new and canonical_email(username) == new:
            updates[username_name] = new
        if not new or not updates:
            continue
        others = sorted(owners.get(new, set()) - {pk})
        if others:
            report.collisions.append((pk, email, new, others))
            continue
        report.changed.append((pk, email, new))
        if not dry_run:
            user_model._default_manager.filter(pk=pk).update(**updates)
    return report
