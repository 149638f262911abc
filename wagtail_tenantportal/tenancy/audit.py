"""Wagtail's audit log, scoped to the companies a staff user works for (imported from ``models``).

Wagtail keeps the log of every model in one table (``ModelLogEntry``) and shows it in
Reports → Site history to every admin user with a permission on the logged model: the label
(a request's subject, a tenant's name) and who acted, of every company. This proxy of
``ModelLogEntry`` is registered in its place (``wagtail_hooks``): it stores the same rows in
the same table, and ``viewable_by_user`` keeps, of the entries of the package's company data,
those whose object the user may see in the admin (``for_staff``, ``core.scope``). Entries of
other models are shown as Wagtail shows them; superusers see everything.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from wagtail.models import ModelLogEntry
from wagtail.models.audit_log import ModelLogEntryManager

from ..core import scope
from ..core.scope import NOT_COMPANY_DATA


def company_data_models():
    """The installed models whose rows belong to a company (a staff scope other than
    ``NOT_COMPANY_DATA``)."""
    return [
        model
        for model in apps.get_models()
        if scope.is_scoped(model._default_manager.all())
        and model._default_manager.all().staff_scope is not NOT_COMPANY_DATA
    ]


def log_condition(user):
    """A ``Q`` over log entries: the entries of company data whose object ``user`` sees, and
    every entry of other models."""
    models = company_data_models()
    content_types = ContentType.objects.get_for_models(*models, for_concrete_models=False)
    condition = ~Q(content_type__in=list(content_types.values()))
    for model, content_type in content_types.items():
        visible = scope.restrict(model._default_manager.all(), user).order_by()
        ids = visible.annotate(logged_id=Cast("pk", output_field=CharField())).values("logged_id")
        condition |= Q(content_type=content_type, object_id__in=ids)
    return condition


class ScopedLogEntryManager(ModelLogEntryManager):
    def viewable_by_user(self, user):
        entries = super().viewable_by_user(user)
        if scope.sees_all(user):
            return entries
        return entries.filter(log_condition(user))


class ScopedModelLogEntry(ModelLogEntry):
    """``ModelLogEntry`` whose site-history listing follows the staff scope (same table)."""

    objects = ScopedLogEntryManager()

    class Meta:
        proxy = True
        app_label = "tenantportal_tenancy"
        verbose_name = ModelLogEntry._meta.verbose_name
        verbose_name_plural = ModelLogEntry._meta.verbose_name_plural
