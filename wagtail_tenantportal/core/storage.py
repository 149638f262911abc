"""The private storage: where tenant files live. It never has a public URL.

Sites configure it as a ``STORAGES`` alias (default name ``tenantportal_private``, setting
``PRIVATE_STORAGE_ALIAS``): a filesystem location outside MEDIA_ROOT, or a private S3 bucket via
django-storages. Without that alias the portal falls back to ``PrivateFileSystemStorage`` at
``PRIVATE_STORAGE_ROOT``; the system checks refuse a root inside MEDIA_ROOT or STATIC_ROOT.

Every byte leaves through a view that checked ownership (see ``downloads.py``).

Model fields use ``LazyPrivateStorage`` (``FileField(storage=LazyPrivateStorage(), ...)``): it
looks the storage up on every call, so a site (or a test) may change ``STORAGES`` after the
models have loaded, and migrations record only ``LazyPrivateStorage()``, whatever the backend.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages
from django.utils.deconstruct import deconstructible

from .conf import portal_settings


@deconstructible
class PrivateFileSystemStorage(FileSystemStorage):
    """A filesystem storage without URLs: ``url()`` refuses, so no template can link a file."""

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through the portal's download views.")


def get_private_storage():
    """The storage for tenant files (documents, ticket attachments).

    Returns the configured backend itself (looked up on every call). Model fields should
    use ``LazyPrivateStorage()`` rather than this callable: Django calls a storage callable
    once, when the model loads.
    """
    alias = portal_settings.PRIVATE_STORAGE_ALIAS
    try:
        return storages[alias]
    except InvalidStorageError:
        root = portal_settings.PRIVATE_STORAGE_ROOT
        if not root:
            raise ImproperlyConfigured(
                f"Configure STORAGES[{alias!r}] or WAGTAIL_TENANTPORTAL['PRIVATE_STORAGE_ROOT'] "
                "for the portal's private files."
            ) from None
        return PrivateFileSystemStorage(location=root)


def _delegate(name):
    def method(self, *args, **kwargs):
        return getattr(get_private_storage(), name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``get_private_storage().{name}(...)``"
    return method


@deconstructible(path="wagtail_tenantportal.core.storage.LazyPrivateStorage")
class LazyPrivateStorage(Storage):
    """A storage that forwards every call to ``get_private_storage()`` at the time of the call.

    What the caller may rely on: every method of Django's ``Storage`` API (and any other
    attribute, e.g. ``location`` or ``bucket_name``) behaves as on the configured private
    storage now, not as on the one configured when the model was loaded. It deconstructs to
    ``LazyPrivateStorage()`` with no arguments, so migrations never change with the backend.
    """

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(get_private_storage(), name)

    def __eq__(self, other):
        return isinstance(other, LazyPrivateStorage)

    def __hash__(self):
        return hash(LazyPrivateStorage)

    @property
    def backend(self):
        """The storage the calls go to now."""
        return get_private_storage()


#: The ``Storage`` methods ``LazyPrivateStorage`` forwards (Storage defines them, so
#: ``__getattr__`` alone would not reach the backend for these).
DELEGATED_METHODS = (
    "open",
    "save",
    "is_name_available",
    "get_valid_name",
    "get_alternative_name",
    "get_available_name",
    "generate_filename",
    "path",
    "delete",
    "exists",
    "listdir",
    "size",
    "url",
    "get_accessed_time",
    "get_created_time",
    "get_modified_time",
)
for _name in DELEGATED_METHODS:
    setattr(LazyPrivateStorage, _name, _delegate(_name))
del _name


def resolve_storage(storage):
    """The real backend behind ``storage`` (unwraps ``LazyPrivateStorage``)."""
    return storage.backend if isinstance(storage, LazyPrivateStorage) else storage
