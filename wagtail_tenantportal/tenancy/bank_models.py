"""A tenant's request to change the bank details of a contract (imported from ``models.py``).

Tenants never change the account a contract is debited from themselves: they file a
``BankDetailsChange`` (new IBAN and holder, BIC and bank derived from the IBAN, the company's
SEPA mandate text as confirmed), and staff approve it (the contract's bank fields change) or
reject it with a reason. One pending request per contract (a database constraint).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..core.scope import StaffScopedQuerySet
from .validators import format_iban, mask_iban


class BankDetailsChangeQuerySet(StaffScopedQuerySet):
    def visible_to(self, user):
        """The requests about the contracts ``user`` may see (co-tenants share them: the
        account belongs to the contract)."""
        from .models import Contract

        return self.filter(contract__in=Contract.objects.visible_to(user))

    def pending(self):
        return self.filter(status=BankDetailsChange.Status.PENDING)


class BankDetailsChange(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    # company is the partition key (the staff scope); it always equals contract.company.
    company = models.ForeignKey(
        "tenantportal_tenancy.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="bank_details_changes",
    )
    contract = models.ForeignKey(
        "tenantportal_tenancy.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="bank_details_changes",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    account_holder = models.CharField(_("account holder"), max_length=200)
    iban = models.CharField(_("IBAN"), max_length=42)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    mandate_text = models.TextField(_("SEPA mandate as confirmed"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the request was rejected; the tenant reads it.")
    )

    objects = BankDetailsChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("bank details change")
        verbose_name_plural = _("bank details changes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status="pending"),
                name="tenantportal_bank_change_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.contract.number}: {self.iban_masked}"

    @property
    def iban_display(self):
        return format_iban(self.iban)

    @property
    def iban_masked(self):
        return mask_iban(self.iban)

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING
