"""Small helpers of the staff admin: URLs and links between viewsets, labels, counts, staff users.

The portal's viewsets are named ``tenantportal_<model_name>`` (their URL namespace), so a
link to any model's admin page needs only the model (:func:`admin_url`).
"""

from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from wagtail.admin.ui.tables import TitleColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.coreutils import multigetattr


def admin_url(model, view, *args):
    """URL of ``view`` ("index", "add", "edit", "inspect", ...) in the portal viewset of ``model``."""
    return reverse(f"tenantportal_{model._meta.model_name}:{view}", args=[quote(a) for a in args])


def count_subquery(model, fk):
    """Number of ``model`` rows whose ``fk`` points at the outer row, 0 when there are none.

    A correlated subquery rather than a join, so several counts on one listing neither
    multiply each other nor add queries per row.
    """
    rows = (
        model._default_manager.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def field_label(model, name):
    """The capitalised verbose name of a model field (a column or section label)."""
    return capfirst(model._meta.get_field(name).verbose_name)


def display_headings(model, *names):
    """Export headings for ``get_<name>_display`` columns: the field's verbose name."""
    return {f"get_{name}_display": field_label(model, name) for name in names}


def staff_users():
    """Active users who may use the Wagtail admin (candidates for a contact person's account)."""
    access = Q(
        groups__permissions__codename="access_admin",
        groups__permissions__content_type__app_label="wagtailadmin",
    )
    direct = Q(
        user_permissions__codename="access_admin", user_permissions__content_type__app_label="wagtailadmin"
    )
    User = get_user_model()
    ids = User._default_manager.filter(Q(is_superuser=True) | access | direct).values("pk")
    return User._default_manager.filter(is_active=True, pk__in=ids)


def with_next(url, request):
    """``url`` carrying the request's safe ``next`` parameter along (so the form posts it)."""
    next_url = get_valid_next_url_from_request(request)
    if not next_url:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'next': next_url})}"


def link_column(name, label, model, accessor=None, pk_accessor=None, view="inspect", next_url=None):
    """Title-style column linking to ``view`` of the row's ``model`` object.

    With ``next_url`` the linked form returns there after saving.
    """

    def get_url(obj):
        pk = multigetattr(obj, pk_accessor) if pk_accessor else obj.pk
        if pk is None:
            return None
        url = admin_url(model, view, pk)
        return f"{url}?{urlencode({'next': next_url})}" if next_url else url

    return TitleColumn(name, label=label, accessor=accessor or name, get_url=get_url)


def add_link(label, model, next_url, **initial):
    """An "Add" action: the create view of ``model`` prefilled with ``initial``, returning to ``next_url``."""
    return (label, f"{admin_url(model, 'add')}?{urlencode({**initial, 'next': next_url})}")
