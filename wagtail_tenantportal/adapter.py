"""Site policy, overridable by a dotted path in ``WAGTAIL_TENANTPORTAL["ADAPTER"]``.

A site changes behaviour by subclassing ``DefaultPortalAdapter`` and overriding one method,
as with django-allauth's adapters. Later capabilities (registration, mail, matching) add
their hooks here.
"""

from functools import lru_cache

from django.utils.module_loading import import_string

from .conf import portal_settings


class DefaultPortalAdapter:
    def portal_name(self, company=None):
        """Name shown to tenants: the company's portal name, else the global one."""
        if company is not None and getattr(company, "portal_name", ""):
            return company.portal_name
        return portal_settings.PORTAL_NAME


@lru_cache(maxsize=8)
def _adapter_class(path):
    return import_string(path)


def get_adapter():
    return _adapter_class(portal_settings.ADAPTER)()
