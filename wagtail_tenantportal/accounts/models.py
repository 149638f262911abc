"""Portal accounts: the link between the host's user model and the parties of the ERP.

This is the minimal shape the tenancy querysets (``visible_to``) rely on. Registration,
consents, codes and two-factor build on it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PortalAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="tenantportal_account",
    )
    parties = models.ManyToManyField(
        "tenantportal_tenancy.Party",
        through="AccountParty",
        related_name="portal_accounts",
        verbose_name=_("parties"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")

    def __str__(self):
        return str(self.user)


class AccountParty(models.Model):
    """A portal account may act for this party (and so see the party's contracts)."""

    account = models.ForeignKey(PortalAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="party_links")
    party = models.ForeignKey(
        "tenantportal_tenancy.Party", verbose_name=_("party"), on_delete=models.CASCADE, related_name="account_links"
    )
    active = models.BooleanField(_("active"), default=True)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("account link to a party")
        verbose_name_plural = _("account links to parties")
        constraints = [models.UniqueConstraint(fields=["account", "party"], name="tenantportal_account_party_unique")]

    def __str__(self):
        return f"{self.account} → {self.party}"
