"""App tokens: what an app holds instead of a session cookie.

Modelled on django-allauth's headless app flows: the password step gives a short-lived
*pending* token that opens only the second-factor endpoints; the second factor (or a login
without one) gives a per-device *session* token. A registration gives a *verification* token
that opens only the email-code endpoint. Only a SHA-256 hash of each secret is stored (the
secrets are 256-bit random, so a fast hash is enough, as for API keys); the plain secret is
shown once, in the answer that creates it.

A session token dies when it expires, when the tenant revokes it or logs out, and with every
event that ends the account's sessions: "log out everywhere" and password resets raise the
account's session epoch, a password change alters the user's session hash, and deleting the
account deletes its tokens (``personal_data.py``).
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_secret(secret):
    """The stored form of a token secret."""
    return hashlib.sha256(str(secret).encode("utf-8")).hexdigest()


class AppTokenQuerySet(models.QuerySet):
    def alive(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def sessions_of(self, user):
        """The live session tokens of ``user``, newest use first (for the tenant's list)."""
        return (
            self.alive()
            .filter(user=user, kind=AppToken.Kind.SESSION)
            .order_by(models.F("last_used_at").desc(nulls_last=True), "-created_at", "-pk")
        )


class AppToken(models.Model):
    class Kind(models.TextChoices):
        SESSION = "session", _("Device session")
        PENDING = "pending", _("Waiting for the second factor")
        VERIFICATION = "verification", _("Waiting for the email code")

    key_hash = models.CharField(_("hash of the secret"), max_length=64, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SESSION)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="tenantportal_app_tokens",
        null=True,
        blank=True,
    )
    #: The address a verification token was issued for (its user may be None: address in use).
    email = models.EmailField(_("email address"), blank=True)
    name = models.CharField(_("device name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    #: The account's session epoch when the token was issued ("log out everywhere" raises it).
    session_epoch = models.PositiveIntegerField(_("session epoch"), default=0)
    #: ``user.get_session_auth_hash()`` when issued: a password change makes it differ.
    auth_hash = models.CharField(_("password state"), max_length=128, blank=True, editable=False)
    #: django-otp persistent id of the device of the second factor the login passed ("" if none).
    otp_device = models.CharField(_("second factor"), max_length=255, blank=True)
    #: The client's User-Agent when the token was issued (shown in the list of devices).
    user_agent = models.CharField(_("client"), max_length=200, blank=True)

    objects = AppTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("app token")
        verbose_name_plural = _("app tokens")
        indexes = [models.Index(fields=["user", "kind"], name="tp_apptoken_user_kind")]

    def __str__(self):
        return self.name or self.get_kind_display()

    # The credential protocol of ``core.session`` (``CREDENTIAL_ATTR``).
    @property
    def second_factor_verified(self):
        return bool(self.otp_device)

    def is_expired(self, now=None):
        return self.expires_at <= (now or timezone.now())
