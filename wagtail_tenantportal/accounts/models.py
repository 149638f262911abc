"""Portal accounts: the link between the host's user model and the parties of the ERP.

This is the minimal shape the tenancy querysets (``visible_to``) rely on. Registration,
consents, codes and two-factor build on it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..core import scope
from ..core.scope import StaffScopedQuerySet


class PortalAccountQuerySet(StaffScopedQuerySet):
    def staff_condition(self, user, *, write=False):
        """An account belongs to the companies of the parties it is (or was) linked to and of
        its "verify later" registrations."""
        if scope.sees_all(user):
            return Q()
        linked = AccountParty.objects.for_staff(user).values("account_id")
        claimed = RegistrationClaim.objects.for_staff(user).values("account_id")
        return Q(pk__in=linked) | Q(pk__in=claimed)


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
    # Registration, login and first login (accounts-core: see flows/ and auth.py).
    email_verified_at = models.DateTimeField(
        _("email address confirmed"),
        null=True,
        blank=True,
        help_text=_("Empty: the tenant has not confirmed the email address yet and cannot use the portal."),
    )
    session_epoch = models.PositiveIntegerField(
        _("session generation"),
        default=0,
        editable=False,
        help_text=_("Raised by 'log out everywhere': sessions of an older generation end."),
    )
    last_login_at = models.DateTimeField(_("last portal login"), null=True, blank=True, editable=False)
    contact_checked_at = models.DateTimeField(
        _("contact data checked"),
        null=True,
        blank=True,
        help_text=_("Empty: the tenant is asked to check the contact data at the next login."),
    )
    # The tenant's own contact data (the party's data on file come from the ERP).
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=40, blank=True)
    phone_work = models.CharField(_("work phone"), max_length=40, blank=True)

    objects = PortalAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")

    def __str__(self):
        return str(self.user)

    @property
    def email_verified(self):
        return self.email_verified_at is not None

    @property
    def phone_numbers(self):
        return [number for number in (self.phone, self.mobile, self.phone_work) if number]


class AccountPartyQuerySet(StaffScopedQuerySet):
    staff_scope = "party__company"


class AccountParty(models.Model):
    """A portal account may act for this party (and so see the party's contracts)."""

    account = models.ForeignKey(
        PortalAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="party_links"
    )
    party = models.ForeignKey(
        "tenantportal_tenancy.Party",
        verbose_name=_("party"),
        on_delete=models.CASCADE,
        related_name="account_links",
    )
    active = models.BooleanField(_("active"), default=True)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    objects = AccountPartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("account link to a party")
        verbose_name_plural = _("account links to parties")
        constraints = [
            models.UniqueConstraint(fields=["account", "party"], name="tenantportal_account_party_unique")
        ]

    def __str__(self):
        return f"{self.account} → {self.party}"


class RegistrationCodeQuerySet(StaffScopedQuerySet):
    def active(self, now=None):
        """Codes that can still be redeemed: not used, not revoked, not expired."""
        now = now or timezone.now()
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)

    def with_status(self, status, now=None):
        """Codes in one of ``RegistrationCode.Status`` (as computed by ``status``)."""
        now = now or timezone.now()
        Status = RegistrationCode.Status
        if status == Status.ACTIVE:
            return self.active(now)
        if status == Status.USED:
            return self.filter(used_at__isnull=False)
        if status == Status.REVOKED:
            return self.filter(used_at__isnull=True, revoked_at__isnull=False)
        if status == Status.EXPIRED:
            return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
        return self

    def for_listing(self):
        """With party, contract and company (the staff admin shows all three)."""
        return self.select_related("party", "contract", "company")


class RegistrationCode(models.Model):
    """A one-time secret sent by letter to a party; proves the tenant receives post at the address.

    Only an HMAC of the code is stored (see ``codes.py``); the plain code exists once, while
    the letter is rendered. ``hint`` (the last two characters) helps staff tell letters apart.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Valid")
        USED = "used", _("Used")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    company = models.ForeignKey(
        "tenantportal_tenancy.Company", verbose_name=_("company"), on_delete=models.CASCADE, related_name="+"
    )
    party = models.ForeignKey(
        "tenantportal_tenancy.Party",
        verbose_name=_("party"),
        on_delete=models.CASCADE,
        related_name="registration_codes",
    )
    contract = models.ForeignKey(
        "tenantportal_tenancy.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="registration_codes",
        help_text=_("The contract the letter names."),
    )
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True, editable=False)
    hint = models.CharField(
        _("last characters"), max_length=4, editable=False, help_text=_("The last characters of the code.")
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("valid until"))
    letter_printed_at = models.DateTimeField(_("letter printed"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("used by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A registration with an address that had an account spends the code as any registration
    # does (so trying addresses with one letter tells nothing); the account of that address
    # may still add the contract with it once.
    reserved_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kept for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Used in a registration with an address that already had an account: only that account "
            "may still add the contract with this code."
        ),
    )

    objects = RegistrationCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration code")
        verbose_name_plural = _("registration codes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["party", "used_at", "revoked_at"], name="tenantportal_code_party_idx"),
            models.Index(fields=["company", "created_at"], name="tenantportal_code_company_idx"),
        ]

    def __str__(self):
        return f"…{self.hint} ({self.party})"

    @property
    def status(self):
        if self.used_at:
            return self.Status.USED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    def get_status_display(self):
        return self.Status(self.status).label

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class CodeRequestQuerySet(StaffScopedQuerySet):
    def open(self):
        """Requests staff have not handled yet."""
        return self.filter(handled=False)

    def for_listing(self):
        """With party, contract and company (the staff admin shows all three)."""
        return self.select_related("party", "contract", "company")


class CodeRequest(models.Model):
    """A tenant without a code asked for one online. Staff handle it by sending a letter.

    The letter always goes to the address on file for the party, never to anything typed
    into the request form. ``party``/``contract`` are empty when the details did not match.
    """

    company = models.ForeignKey(
        "tenantportal_tenancy.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    party = models.ForeignKey(
        "tenantportal_tenancy.Party",
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="code_requests",
    )
    contract = models.ForeignKey(
        "tenantportal_tenancy.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="code_requests",
    )
    contract_number = models.CharField(_("contract number as entered"), max_length=40)
    last_name = models.CharField(_("name as entered"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    handled = models.BooleanField(_("handled"), default=False)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    code = models.ForeignKey(
        RegistrationCode,
        verbose_name=_("code sent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CodeRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("code request")
        verbose_name_plural = _("code requests")
        ordering = ["handled", "-requested_at"]

    def __str__(self):
        who = self.party or self.last_name
        return f"{who} ({self.contract_number})"

    @property
    def matched(self):
        return self.party_id is not None


class CompanyLetterSettingsQuerySet(StaffScopedQuerySet):
    def for_listing(self):
        """With the company (the staff admin lists the settings by company)."""
        return self.select_related("company")


class CompanyLetterSettings(models.Model):
    """Per company: the German text of registration letters and code validity.

    Empty text fields use the built-in default text (translated). Placeholders in braces are
    replaced: see ``letters.PLACEHOLDERS``.
    """

    company = models.OneToOneField(
        "tenantportal_tenancy.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="letter_settings",
    )
    subject = models.CharField(
        _("subject"),
        max_length=200,
        blank=True,
        help_text=_("Empty: the default subject. Placeholders such as {portal_name} are allowed."),
    )
    body = models.TextField(
        _("letter text"),
        blank=True,
        help_text=_(
            "Text between salutation and code. Empty: the default text. Placeholders: {salutation}, "
            "{name}, {portal_name}, {portal_url}, {code}, {contract_number}, {valid_until}, {company_name}. "
            "Blank lines separate paragraphs."
        ),
    )
    closing = models.TextField(
        _("closing text"),
        blank=True,
        help_text=_("Text after the code, e.g. the greeting. Empty: the default closing."),
    )
    code_validity_days = models.PositiveSmallIntegerField(
        _("code validity (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the portal-wide setting."),
    )
    portal_url = models.URLField(
        _("registration address"),
        blank=True,
        help_text=_("Address of the registration page printed on letters. Empty: the portal-wide address."),
    )

    objects = CompanyLetterSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter settings")
        verbose_name_plural = _("letter settings")

    def __str__(self):
        return str(self.company)

    def clean(self):
        from django.core.exceptions import ValidationError

        from .letters import unknown_placeholders

        errors = {}
        for field in ("subject", "body", "closing"):
            unknown = unknown_placeholders(getattr(self, field))
            if unknown:
                errors[field] = _("Unknown placeholders: %(names)s") % {
                    "names": ", ".join("{" + name + "}" for name in unknown)
                }
        if errors:
            raise ValidationError(errors)


# -- consents, email verification, verify-later claims (accounts-core) -----------------------


class ConsentQuerySet(models.QuerySet):
    def current(self):
        """Consents not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """A consent the tenant gave, with the version of the text and the time.

    A new version of a text means new rows; old rows stay as the record of what was agreed.
    """

    class Kind(models.TextChoices):
        PRIVACY = "privacy", _("Privacy notice")
        TERMS = "terms", _("Terms of use")
        E_DELIVERY = "e_delivery", _("Electronic delivery of documents")

    account = models.ForeignKey(
        PortalAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(_("consent"), max_length=20, choices=Kind.choices)
    version = models.CharField(_("version of the text"), max_length=40)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["account", "kind", "-given_at"]
        indexes = [models.Index(fields=["account", "kind"], name="tenantportal_consent_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.version} ({self.account})"


class EmailVerificationQuerySet(models.QuerySet):
    def open(self):
        """Verifications neither confirmed nor replaced by a newer one."""
        return self.filter(confirmed_at__isnull=True, superseded_at__isnull=True)


class EmailVerification(models.Model):
    """One verification mail: a link (signed token naming ``uuid``) and a 6-digit code.

    Only an HMAC of the code is stored. The code lasts until ``code_expires_at`` and for a
    few attempts; the link lasts ``EMAIL_VERIFICATION_LINK_SECONDS`` (checked on the token).
    A newer mail supersedes the older ones.
    """

    class Purpose(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        EMAIL_CHANGE = "email_change", _("Change of email address")

    uuid = models.UUIDField(_("id"), unique=True, editable=False)
    account = models.ForeignKey(
        PortalAccount,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="email_verifications",
    )
    email = models.EmailField(_("email address"))
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.REGISTRATION
    )
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    code_expires_at = models.DateTimeField(_("code valid until"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)

    objects = EmailVerificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("email verification")
        verbose_name_plural = _("email verifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "confirmed_at"], name="tenantportal_verif_acct_idx")]

    def __str__(self):
        return f"{self.email} ({self.created_at:%Y-%m-%d %H:%M})"


class RegistrationClaimQuerySet(StaffScopedQuerySet):
    def awaiting_match(self):
        """Pending claims of accounts whose email address is confirmed: staff work on these."""
        return self.filter(status=RegistrationClaim.Status.PENDING, account__email_verified_at__isnull=False)

    def awaiting_activation(self):
        """Matched claims whose activation code has not been entered yet."""
        return self.filter(status=RegistrationClaim.Status.MATCHED, activated_at__isnull=True)

    def in_state(self, state):
        """Claims in a state of the staff's work: "awaiting" a match (email confirmed), "unconfirmed"
        (pending, email not confirmed yet), "matched" (activation code not entered yet),
        "activated", "rejected". Any other value: all claims."""
        Status = RegistrationClaim.Status
        if state == "awaiting":
            return self.awaiting_match()
        if state == "unconfirmed":
            return self.filter(status=Status.PENDING, account__email_verified_at__isnull=True)
        if state == "matched":
            return self.awaiting_activation()
        if state == "activated":
            return self.filter(activated_at__isnull=False)
        if state == "rejected":
            return self.filter(status=Status.REJECTED)
        return self

    def in_work_order(self):
        """With account, company and party; staff's work first: confirmed and waiting for a
        match, then waiting for the tenant's confirmation, then waiting for activation, then
        the rest; oldest first within each."""
        Status = RegistrationClaim.Status
        work_order = Case(
            When(status=Status.PENDING, account__email_verified_at__isnull=False, then=Value(0)),
            When(status=Status.PENDING, then=Value(1)),
            When(status=Status.MATCHED, activated_at__isnull=True, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
        return (
            self.select_related("account__user", "company", "party")
            .annotate(_work_order=work_order)
            .order_by("_work_order", "created_at", "pk")
        )


class RegistrationClaim(models.Model):
    """A registration in the "verify later" flow: who the tenant says they are, waiting for staff.

    Staff match it to a ``Party`` (``flows.match_claim``), which issues an activation code
    sent by letter; the tenant enters it at the first login (``flows.activate_with_code``)
    and only then the account is linked to the party.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a match")
        MATCHED = "matched", _("Matched")
        REJECTED = "rejected", _("Rejected")

    account = models.ForeignKey(
        PortalAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="claims"
    )
    company = models.ForeignKey(
        "tenantportal_tenancy.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="registration_claims",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contract_number = models.CharField(_("contract number as entered"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    party = models.ForeignKey(
        "tenantportal_tenancy.Party",
        verbose_name=_("matched party"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registration_claims",
    )
    code = models.ForeignKey(
        RegistrationCode,
        verbose_name=_("activation code"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = RegistrationClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration awaiting a match")
        verbose_name_plural = _("registrations awaiting a match")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}, {self.street}, {self.postal_code} {self.city}"


# Page types live with their sub-app (see pages.py).
from .leaving_models import DataExport  # noqa: E402, F401
from .pages import AccountPage, PortalLoginPage, RegistrationPage  # noqa: E402, F401
