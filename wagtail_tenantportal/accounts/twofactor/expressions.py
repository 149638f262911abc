"""The two-factor questions as query expressions, for queries that ask them among others
(``accounts.auth`` computes a session's state in one query). Same definitions as
``services.user_has_device`` and ``services.policy_requires_two_factor``."""

from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ...tenancy.models import Company


def device_exists(user_id):
    """An ``Exists`` expression: the user ``user_id`` (a value or ``OuterRef``) has a device as
    ``user_has_device`` defines it (for queries that need the answer among others)."""
    from django.db.models import BooleanField, Exists, ExpressionWrapper

    return ExpressionWrapper(
        Exists(TOTPDevice.objects.filter(user_id=user_id, confirmed=True))
        | Exists(EmailDevice.objects.filter(user_id=user_id, confirmed=True))
        | Exists(StaticToken.objects.filter(device__user_id=user_id, device__confirmed=True)),
        output_field=BooleanField(),
    )


def policy_requires_expression(user_id):
    """An ``Exists`` expression of ``policy_requires_two_factor`` for the user ``user_id``."""
    from django.db.models import Exists

    return Exists(
        Company.objects.filter(
            two_factor_policy=Company.TwoFactorPolicy.REQUIRED,
            parties__account_links__account__user_id=user_id,
            parties__account_links__active=True,
        )
    )
