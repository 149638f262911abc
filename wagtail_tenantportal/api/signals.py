"""Tokens die with the sessions of the web: Django's ``user_logged_out`` never reaches tokens,
but a user who is deactivated or whose password changes is checked at every use
(``services.authenticate``); here, tokens are deleted as soon as the user is saved inactive."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import AppToken


@receiver(post_save, sender=get_user_model(), dispatch_uid="tenantportal_api_inactive_user")
def _deactivated(sender, instance, **kwargs):
    if not getattr(instance, "is_active", True):
        AppToken.objects.filter(user=instance).delete()
