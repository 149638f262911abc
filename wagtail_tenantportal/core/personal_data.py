"""The personal-data protocol: what each sub-app holds about a portal user, for the data export
(GDPR Art. 15/20) and for erasure when the account is deleted (Art. 17).

Every sub-app that stores data about a person has a module ``personal_data.py`` with one
:class:`PersonalDataProvider` subclass decorated with :func:`register`. The core finds these
modules by autodiscovery (as Django's admin finds ``admin.py``), never by importing a sub-app.

A provider answers four questions about a Django user:

- :meth:`~PersonalDataProvider.export`: everything the app holds about the user, as
  JSON-serialisable data (dicts, lists, strings, numbers, booleans, None);
- :meth:`~PersonalDataProvider.files`: the files that belong to that data (photos of the
  user's requests, their documents), as :class:`ExportFile` entries for the export ZIP;
- :meth:`~PersonalDataProvider.erase`: delete or anonymise what is the user's own portal
  data; keep, unlinked from the login, what the company must keep (requests, documents,
  master data from the ERP). Returns an :class:`ErasureReport` saying which is which;
- :meth:`~PersonalDataProvider.remaining`: counts of records still linked to the user, by
  kind. After :func:`erase_user` every count is 0; tests and the deletion service check that;
- :meth:`~PersonalDataProvider.kept`: counts by kind of the records erasure would keep for the
  company (unlinked from the login), and :meth:`~PersonalDataProvider.open_items`: the matters
  still in progress (open requests) that stay open for staff. The deletion page says both
  plainly before the tenant confirms, and the staff notice names the open ones.

Erasure runs in ``order`` (smaller first): the feature apps before tenancy, accounts last,
because accounts removes the login the others look their data up by. :func:`erase_user` runs
every provider in one transaction: either everything is erased or nothing.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

#: Version of the export's JSON layout (``export_user()["format"]``).
EXPORT_FORMAT = 1

_registry = {}
_discovered = False


@dataclass
class ExportFile:
    """One file of the export: ``name`` inside the ZIP (``<app>/...``) and ``open`` returning a
    binary file object (read once, closed by the caller)."""

    name: str
    open: object


@dataclass
class ErasureReport:
    """What one provider did: counts by kind of record."""

    app: str
    #: Records deleted.
    deleted: dict = field(default_factory=dict)
    #: Records kept but stripped of their link to the login and of personal fields.
    anonymised: dict = field(default_factory=dict)
    #: Records the company keeps as they are (not linked to the login; e.g. ERP master data).
    kept: dict = field(default_factory=dict)

    def as_dict(self):
        return {"app": self.app, "deleted": self.deleted, "anonymised": self.anonymised, "kept": self.kept}


class PersonalDataProvider:
    """Base class: set ``app`` (the key in the export) and ``order``, override the methods."""

    #: Key of this app's part of the export and of its erasure report.
    app = ""
    #: Erasure order, smaller first. Features 100, tenancy 500, accounts 900 (the login goes last).
    order = 100

    def export(self, user):
        """Everything this app holds about ``user``, JSON-serialisable."""
        return {}

    def files(self, user):
        """The files of this app that belong to ``user``'s data: a list of :class:`ExportFile`."""
        return []

    def erase(self, user):
        """Delete or anonymise ``user``'s data of this app. Returns an :class:`ErasureReport`."""
        return ErasureReport(self.app)

    def remaining(self, user):
        """Counts by kind of the records of this app still linked to ``user`` (0 after erase)."""
        return {}

    def kept(self, user):
        """Counts by kind of the records erasure keeps for the company (``{"requests": 3}``)."""
        return {}

    def open_items(self, user):
        """Matters still in progress that stay open for staff after erasure: a list of
        ``{"kind", "reference", "label", "company_id"}`` dicts (e.g. open requests; the company
        whose staff work on it, so that a notice to one company names only its own)."""
        return []


def iso(value):
    """A date or datetime as ISO 8601 text (None stays None): the export's one date format."""
    return value.isoformat() if value is not None else None


def register(provider_class):
    """Class decorator: register one provider instance per app (a later one replaces it)."""
    instance = provider_class()
    if not instance.app:
        raise ValueError(f"{provider_class.__name__} must set 'app'.")
    _registry[instance.app] = instance
    return provider_class


def providers():
    """The registered providers of the installed apps, in erasure order."""
    global _discovered
    if not _discovered:
        autodiscover_modules("personal_data")
        _discovered = True
    return sorted(_registry.values(), key=lambda provider: (provider.order, provider.app))


def export_user(user):
    """The whole export of ``user``: ``{"format", "generated_at", "apps": {app: data}}``."""
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "apps": {provider.app: provider.export(user) for provider in providers()},
    }


def export_files(user):
    """Every provider's :class:`ExportFile` entries for ``user``, names unique."""
    seen = set()
    result = []
    for provider in providers():
        for entry in provider.files(user):
            name = entry.name
            stem, dot, suffix = name.rpartition(".")
            number = 1
            while name in seen:
                number += 1
                name = f"{stem}-{number}.{suffix}" if dot else f"{entry.name}-{number}"
            seen.add(name)
            result.append(ExportFile(name, entry.open))
    return result


def erase_user(user):
    """Erase ``user``'s personal data through every provider, in one transaction.

    Returns the list of :class:`ErasureReport`. Afterwards :func:`remaining` is all zeros.
    """
    with transaction.atomic():
        return [provider.erase(user) for provider in providers()]


def remaining(user):
    """``{app: {kind: count}}`` of the records still linked to ``user`` (only non-zero counts)."""
    result = {}
    for provider in providers():
        counts = {kind: count for kind, count in provider.remaining(user).items() if count}
        if counts:
            result[provider.app] = counts
    return result


def kept(user):
    """``{app: {kind: count}}`` of what erasure would keep for the company (non-zero counts)."""
    result = {}
    for provider in providers():
        counts = {kind: count for kind, count in provider.kept(user).items() if count}
        if counts:
            result[provider.app] = counts
    return result


def open_items(user):
    """Every provider's open matters of ``user`` (see :meth:`PersonalDataProvider.open_items`)."""
    return [item for provider in providers() for item in provider.open_items(user)]
