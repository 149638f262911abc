"""Two-factor authentication of the accounts app (a sub-package, not an app of its own).

- ``services``: the one road for portal views, admin views, commands and the API (devices,
  policy, pending logins, checking codes, setting up and removing methods);
- ``views`` / ``forms`` / ``urls``: the portal's two-factor pages (mounted at ``2fa/``);
- ``admin``: the same pages inside the Wagtail admin, for staff;
- ``hooks``: Wagtail hooks (admin URLs, account menu, audit-log actions, page privacy);
- ``checks``: system checks of django-otp's apps, the middleware and the settings
  (registered by ``AccountsConfig.ready``).

``services`` imports django-otp's models, so nothing here imports it eagerly: callers that
must work without django-otp go through ``accounts.auth.twofactor_module()``. For code
written against the former module ``wagtail_tenantportal.accounts.twofactor``, the names of
``services`` are still readable here (``twofactor.status(user)``), loaded on first use.
"""

_SUBMODULES = frozenset({"admin", "checks", "forms", "hooks", "services", "urls", "views"})


def __getattr__(name):
    # Submodules and dunder lookups must not load the services (and with them django-otp).
    if name.startswith("__") or name in _SUBMODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import services

    try:
        return getattr(services, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
