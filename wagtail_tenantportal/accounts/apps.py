from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "wagtail_tenantportal.accounts"
    label = "tenantportal_accounts"
    verbose_name = _("Tenant portal: accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The core asks through registries what only this app knows: how far a session has
        # come (core.session) and which parties a user acts for (core.ownership).
        from ..core import ownership, session
        from .auth import AccountStateResolver
        from .ownership import AccountOwnership

        session.register_resolver(AccountStateResolver())
        ownership.register_provider(AccountOwnership())

        from . import checks  # noqa: F401  (registers the accounts' database checks)
        from .admin_login import connect_signals
        from .twofactor import checks as twofactor_checks  # noqa: F401  (the two-factor checks)

        # Wrong passwords at the Wagtail admin's login count like the portal's (admin_login).
        connect_signals()
