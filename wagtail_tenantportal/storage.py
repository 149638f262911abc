"""The private storage: where tenant files live. It never has a public URL.

Sites configure it as a ``STORAGES`` alias (default name ``tenantportal_private``, setting
``PRIVATE_STORAGE_ALIAS``): a filesystem location outside MEDIA_ROOT, or a private S3 bucket via
django-storages. Without that alias the portal falls back to ``PrivateFileSystemStorage`` at
``PRIVATE_STORAGE_ROOT``; the system checks refuse a root inside MEDIA_ROOT or STATIC_ROOT.

Every byte leaves through a view that checked ownership (see ``downloads.py``).
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, InvalidStorageError, storages
from django.utils.deconstruct import deconstructible

from .conf import portal_settings


@deconstructible
class PrivateFileSystemStorage(FileSystemStorage):
    """A filesystem storage without URLs: ``url()`` refuses, so no template can link a file."""

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through the portal's download views.")


def get_private_storage():
    """The storage for tenant files (documents, ticket attachments).

    Used as ``FileField(storage=get_private_storage)``: Django calls it when the model loads and
    migrations keep only this reference, so a site may change the backend freely.
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
