"""The staff scope in the admin: how the toolkit applies ``core.scope`` to every viewset, object
URL, form choice, filter, chooser and export.

- :func:`guard_object_urls`: every URL of a viewset that carries an object id (``<pk>``)
  answers 404 unless the id is in the viewset's scoped queryset for that URL, before the
  view runs. Views still fetch their object from the same queryset; the guard makes a view
  that forgets it harmless, and a foreign id indistinguishable from a missing one.
- :func:`restrict_choices` / :func:`restrict_form` / :func:`restrict_filterset`: the choices
  of foreign keys (company, property, party, contract, assignee, ...) in forms and filters
  list only the user's companies' objects and their colleagues; a foreign id posted anyway
  is an invalid choice.
- :class:`ScopedViewSetMixin`: ``get_queryset(request)`` and ``get_write_queryset(request)``
  for a viewset, the URL guard, and an admin URL finder that links to a view the viewset has.

The admin toolkit imports only ``core``; models declare their scope on their querysets
(``core.scope.StaffScopedQuerySet``).
"""

import functools

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import URLPattern
from wagtail.admin.admin_url_finder import ModelAdminURLFinder, NullAdminURLFinder

from ..core import scope
from ..core.exports import neutralise_formula

#: Names of object URLs that change the object (they use the write scope).
WRITE_URL_NAMES = ("edit", "delete", "reorder")

#: Views an admin URL finder may link an object to, in order of preference.
URL_FINDER_VIEWS = ("edit", "detail", "inspect")


def restrict_choices(queryset, user, *, write=False):
    """``queryset`` (of form or filter choices) narrowed to what ``user`` may choose: objects
    of their companies; for the user model, the colleagues of ``user``. Other models are
    returned unchanged."""
    if scope.is_scoped(queryset):
        return scope.restrict(queryset, user, write=write)
    if queryset.model is get_user_model():
        return queryset.filter(scope.colleague_condition(user))
    return queryset


def scope_field_name(model):
    """The form field that decides a ``model`` row's company (``company`` of a property,
    ``location`` of a damage category), or None for models that are not company data."""
    path = getattr(model._default_manager.all(), "staff_scope", None)
    if not path or path == "pk":
        return None
    return path.split("__")[0]


def restrict_form(form, user, model=None):
    """Narrow every model choice of ``form`` to ``user``'s scope. The field that decides the
    row's company takes only rows ``user`` may change; for models whose rows may be shared
    by all companies it is required for users who do not work for all companies (they
    cannot create or take over shared rows)."""
    model = model or getattr(getattr(form, "_meta", None), "model", None)
    own_field = scope_field_name(model) if model is not None else None
    shared = model is not None and getattr(model._default_manager.all(), "staff_scope_shared", False)
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        field.queryset = restrict_choices(queryset, user, write=name == own_field)
        if name == own_field and shared and not scope.sees_all(user):
            field.required = True
    return form


def restrict_filterset(filterset, user):
    """Narrow the choices of the model choice filters of ``filterset`` (before its form is built)."""
    for filter_ in filterset.filters.values():
        queryset = getattr(filter_, "queryset", None)
        if queryset is not None and not callable(queryset):
            filter_.queryset = restrict_choices(queryset, user)
    return filterset


def _guarded(view, queryset_for):
    @functools.wraps(view)
    def guarded_view(request, *args, **kwargs):
        try:
            found = queryset_for(request).filter(pk=unquote(str(kwargs["pk"]))).exists()
        except (ValueError, TypeError, ValidationError):
            found = False
        if not found:
            raise Http404
        return view(request, *args, **kwargs)

    guarded_view.tenantportal_scope_guard = True
    return guarded_view


def guard_object_urls(patterns, queryset_for):
    """``patterns`` with every view taking an object id (``pk``) wrapped: the id must be in
    ``queryset_for(request, url_name)`` or the answer is 404."""
    guarded = []
    for pattern in patterns:
        takes_id = isinstance(pattern, URLPattern) and "pk" in getattr(pattern.pattern, "converters", {})
        if takes_id and not is_guarded(pattern.callback):
            view = _guarded(pattern.callback, functools.partial(queryset_for, url_name=pattern.name))
            pattern = URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)
        guarded.append(pattern)
    return guarded


def is_guarded(callback):
    """True if ``callback`` checks the object id of its URL against the staff scope."""
    return bool(getattr(callback, "tenantportal_scope_guard", False))


class ScopedViewSetMixin:
    """For a Wagtail model or snippet viewset: rows and object URLs narrowed to the user's
    companies.

    ``get_queryset(request)``: what the user reads (listing, export, inspect, history);
    ``get_write_queryset(request)``: what the user may change (edit, delete). Object URLs
    named in ``object_querysets`` (url name -> method name taking the request) are checked
    against that queryset instead, e.g. a file URL against the files of the user's objects.
    """

    object_querysets = {}

    def __init_subclass__(cls, **kwargs):
        # Whatever URL list a viewset builds (its own ``get_urlpatterns``, with or without
        # ``super()``), its object URLs are guarded.
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("get_urlpatterns")
        if own is not None and not getattr(own, "scope_guarded", False):

            @functools.wraps(own)
            def get_urlpatterns(self):
                return guard_object_urls(own(self), self.get_object_queryset_for)

            get_urlpatterns.scope_guarded = True
            cls.get_urlpatterns = get_urlpatterns

    def get_queryset(self, request):
        return scope.restrict(self.model._default_manager.all(), request.user)

    def get_write_queryset(self, request):
        queryset = self.get_queryset(request)
        if not getattr(queryset, "staff_scope_shared", False):
            return queryset
        writable = scope.restrict(self.model._default_manager.all(), request.user, write=True)
        return queryset.filter(pk__in=writable.values("pk"))

    def get_object_queryset_for(self, request, url_name):
        """The queryset the object id of the URL ``url_name`` must be in."""
        if url_name in self.object_querysets:
            return getattr(self, self.object_querysets[url_name])(request)
        if url_name in WRITE_URL_NAMES:
            return self.get_write_queryset(request)
        return self.get_queryset(request)

    def get_urlpatterns(self):
        return guard_object_urls(super().get_urlpatterns(), self.get_object_queryset_for)

    @property
    def url_finder_class(self):
        # Wagtail's finder links to "edit"; viewsets without an edit view link to their page
        # of the object (site history, reports), or nowhere.
        names = {pattern.name for pattern in self.get_urlpatterns()}
        view = next((name for name in URL_FINDER_VIEWS if name in names), None)
        if view is None:
            return NullAdminURLFinder
        return type(
            "PortalAdminURLFinder", (ModelAdminURLFinder,), {"edit_url_name": self.get_url_name(view)}
        )


class ScopedFormViewMixin:
    """For a create or edit view: the form's model choices narrowed (``restrict_form``)."""

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        return restrict_form(form, self.request.user, self.model)


class ScopedFilterViewMixin:
    """For a listing: the filters' model choices narrowed (``restrict_filterset``)."""

    @functools.cached_property
    def filters(self):
        if not self.filterset_class:
            return None
        filterset = restrict_filterset(self.filterset_class(**self.get_filterset_kwargs()), self.request.user)
        return filterset if filterset.form.fields else None


class SafeExportMixin:
    """For a listing with ``list_export``: cells that a spreadsheet would read as a formula are
    written as text (``core.exports.neutralise_formula``), in CSV and XLSX alike."""

    def preprocess_field_value(self, field, value, export_format):
        return neutralise_formula(super().preprocess_field_value(field, value, export_format))
