"""The portal's model viewset and its views: the base of every sub-app's staff admin.

:class:`PortalModelViewSet` adds to Wagtail's ``ModelViewSet``:

- One overridable queryset, :meth:`PortalModelViewSet.get_queryset` (``request`` -> the rows
  staff may reach): the base of the listing and its export and of the inspect, edit, delete,
  history and usage views. By default the rows of the companies the user works for
  (``core.scope``, applied by ``scoping.ScopedViewSetMixin``); every object URL is checked
  against it before its view runs, and form and filter choices are narrowed alike.
- Shaping per view: ``get_listing_queryset`` (joins, prefetches and counts of the columns, so
  a listing runs a fixed number of queries) and ``get_object_queryset`` (what the inspect
  view shows); ``get_extra_search`` (search conditions through subqueries);
  ``export_getters`` (export values that are not attributes).
- Inspect pages with tables below the fields (``get_inspect_sections`` -> :class:`InspectSection`).
- Create views prefilled from the query string and edit views returning to a safe ``next``
  URL (links from an inspect page come back to it); deletes that explain protected records.
- ``without_views``: generic views left out, with no links rendered to them.

Searches use the database directly (``search_backend_name = None``) because imports write in
bulk and bypass the search index.
"""

import copy
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.admin.utils import unquote
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin import messages
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, Table, TitleColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView, InspectView
from wagtail.admin.views.generic.base import BaseObjectMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.coreutils import multigetattr

from .scoping import SafeExportMixin, ScopedFilterViewMixin, ScopedFormViewMixin, ScopedViewSetMixin
from .utils import with_next


class PortalIndexView(ScopedFilterViewMixin, SafeExportMixin, IndexView):
    """IndexView whose queryset the viewset supplies (``base_queryset``) and shapes (joins,
    prefetches, counts); filters offer only the user's companies' objects, exports write
    formulas as text."""

    #: Callable ``(request) -> queryset``: the viewset's ``get_queryset``.
    base_queryset = None
    #: Callable ``(queryset) -> queryset`` supplied by the viewset.
    listing_queryset = None
    #: Callable ``(query) -> Q`` adding conditions to the search (e.g. through a subquery).
    extra_search = None
    #: Export column name -> callable ``(obj) -> value`` for values that are not attributes.
    export_getters = {}
    #: Callable ``(user, obj, priority) -> [Button]``: the viewset's ``get_object_actions``.
    object_actions = None

    @cached_property
    def columns(self):
        """The columns of ``list_display``. A ``TitleColumn`` given there (for its label or
        accessor) carries the row's actions (edit, inspect, delete, the viewset's own), as the
        title column Wagtail builds from a field name does; without this, they were missing."""
        columns = list(super().columns)
        for index, column in enumerate(columns):
            if isinstance(column, TitleColumn):
                if not isinstance(column, ButtonsColumnMixin):
                    columns[index] = self._with_row_buttons(column)
                return columns
        # No title column at all (every entry a Column): the first plain one links the row and
        # carries its actions, else the rows could not be opened or acted on from the listing.
        for index, column in enumerate(columns):
            if type(column) is Column:
                title = TitleColumn(
                    column.name,
                    label=column.label,
                    accessor=column.accessor,
                    sort_key=column.sort_key,
                    get_url=self._object_url,
                )
                columns[index] = self._with_row_buttons(title)
                break
        return columns

    def _object_url(self, instance):
        return self.get_edit_url(instance) or self.get_inspect_url(instance)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.object_actions:
            buttons.extend(self.object_actions(self.request.user, instance, priority=40))
        return buttons

    def _with_row_buttons(self, column):
        view = self

        def get_buttons(column, instance, *args, **kwargs):
            return view.get_list_buttons(instance)

        row_column = copy.copy(column)  # the viewset's column is shared by every request
        row_column.__class__ = type(
            type(column).__name__, (ButtonsColumnMixin, type(column)), {"get_buttons": get_buttons}
        )
        return row_column

    def get_base_queryset(self):
        if self.base_queryset is not None:
            queryset = self.base_queryset(self.request)
        else:
            queryset = super().get_base_queryset()
        return self.listing_queryset(queryset) if self.listing_queryset else queryset

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        condition = Q()
        for name in self.search_fields or []:
            condition |= Q(**{f"{name}__icontains": self.search_query})
        if self.extra_search:
            condition |= self.extra_search(self.search_query)
        return queryset.filter(condition)

    def to_row_dict(self, item):
        return OrderedDict(
            (
                name,
                self.export_getters[name](item) if name in self.export_getters else multigetattr(item, name),
            )
            for name in self.list_export
        )


@dataclass
class InspectSection:
    """A table below the fields of an inspect view, with optional action links."""

    heading: str
    table: Table
    empty_message: str = ""
    actions: list = field(default_factory=list)  # [(label, url)]


class PortalInspectView(InspectView):
    """Inspect view: the object from the viewset's queryset, shaped by ``object_queryset``;
    empty values as "", booleans as yes/no; ``get_sections`` adds tables below the fields."""

    template_name = "wagtail_tenantportal/admin/inspect.html"
    #: Callable ``(request) -> queryset``: the viewset's ``get_queryset``.
    base_queryset = None
    #: Callable ``(queryset) -> queryset`` for the object (select_related of shown keys).
    object_queryset = None
    #: Callable ``(obj) -> [InspectSection]`` supplied by the viewset.
    get_sections = None
    #: Callable ``(user, obj, priority) -> [Button]``: the viewset's ``get_object_actions``.
    object_actions = None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.object_actions:
            buttons.extend(self.object_actions(self.request.user, self.object, priority=30))
        return buttons

    def get_object(self, queryset=None):
        if self.base_queryset is not None:
            queryset = self.base_queryset(self.request)
        else:
            queryset = self.model._default_manager.all()
        if self.object_queryset:
            queryset = self.object_queryset(queryset)
        return get_object_or_404(queryset, pk=unquote(str(self.pk)))

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if value is None:
            return ""
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["inspect_sections"] = self.get_sections(self.object) if self.get_sections else []
        return context


class ViewSetQuerysetMixin:
    """For a view of one object (edit, delete): the object comes from the viewset's queryset."""

    #: Callable ``(request) -> queryset``: the viewset's ``get_queryset``.
    base_queryset = None

    def get_queryset(self):
        if self.base_queryset is None:
            return super().get_queryset()
        return self.base_queryset(self.request)


class ViewSetObjectMixin(BaseObjectMixin):
    """For Wagtail's object listings (history, usage): the object comes from the viewset's
    queryset. Listed after the Wagtail view class, so the view's own shaping still applies."""

    #: Callable ``(request) -> queryset``: the viewset's ``get_queryset``.
    base_queryset = None

    def get_base_object_queryset(self):
        if self.base_queryset is None:
            return super().get_base_object_queryset()
        return self.base_queryset(self.request)


class PrefillCreateView(ScopedFormViewMixin, CreateView):
    """Create view taking initial values from the query string (``?contract=12``).

    With a ``next`` parameter (a safe admin URL) it returns there after saving, e.g. to the
    contract whose "Add contract party" link was followed.
    """

    prefill_fields = ()

    def get_initial(self):
        initial = super().get_initial()
        for name in self.prefill_fields:
            if value := self.request.GET.get(name):
                initial[name] = value
        return initial

    def get_add_url(self):
        return with_next(super().get_add_url(), self.request)

    def get_success_url(self):
        return get_valid_next_url_from_request(self.request) or super().get_success_url()


class NextUrlEditView(ScopedFormViewMixin, ViewSetQuerysetMixin, EditView):
    """Edit view returning to a safe ``next`` URL after saving (see ``PrefillCreateView``)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = with_next(context["action_url"], self.request)
        return context

    def get_success_url(self):
        return get_valid_next_url_from_request(self.request) or super().get_success_url()


class ProtectedDeleteView(ViewSetQuerysetMixin, DeleteView):
    """Delete view that explains, instead of failing, when other records still refer to the object.

    Imports write in bulk and bypass Wagtail's reference index, so the index cannot be relied
    on to forbid the deletion beforehand; the database's PROTECT constraints are the judge.
    """

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except (ProtectedError, RestrictedError) as exc:
            blocking = list(
                exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
            )
            messages.error(
                self.request,
                ngettext(
                    "“%(object)s” cannot be deleted: %(count)d record still refers to it, e.g. %(examples)s.",
                    "“%(object)s” cannot be deleted: %(count)d records still refer to it, e.g. %(examples)s.",
                    len(blocking),
                )
                % {
                    "object": self.object,
                    "count": len(blocking),
                    "examples": ", ".join(str(obj) for obj in blocking[:3]),
                },
            )
            return redirect(self.get_delete_url())


class PortalHistoryView(HistoryView, ViewSetObjectMixin):
    """Wagtail's history view of an object of the viewset's queryset."""


class PortalUsageView(UsageView, ViewSetObjectMixin):
    """Wagtail's usage view of an object of the viewset's queryset."""


class WithoutViewsMixin:
    """For a viewset that leaves out some of ``ModelViewSet``'s generic views: name them in
    ``without_views`` (e.g. ``("add", "edit", "delete")``) and no listing, header or inspect
    page renders a link to them. (The viewset's ``get_urlpatterns`` leaves them out.)"""

    without_views = ()

    def get_common_view_kwargs(self, **kwargs):
        missing = {f"{name}_url_name": None for name in self.without_views}
        return super().get_common_view_kwargs(**{**missing, **kwargs})


def read_only_urlpatterns(viewset):
    """The URL patterns of a viewset that only lists and inspects (runs, imported records)."""
    conv = viewset.pk_path_converter
    return [
        path("", viewset.index_view, name="index"),
        path("results/", viewset.index_results_view, name="index_results"),
        path(f"inspect/<{conv}:pk>/", viewset.inspect_view, name="inspect"),
    ]


class PortalModelViewSet(ScopedViewSetMixin, WithoutViewsMixin, ModelViewSet):
    """Defaults shared by the portal's model viewsets (see the module docstring)."""

    index_view_class = PortalIndexView
    inspect_view_class = PortalInspectView
    add_view_class = PrefillCreateView
    edit_view_class = NextUrlEditView
    delete_view_class = ProtectedDeleteView
    history_view_class = PortalHistoryView
    usage_view_class = PortalUsageView
    # Imported rows never pass through the reference index (bulk writes), so it would be
    # incomplete; viewsets turn it on only where images are referenced (logo, photo).
    add_to_reference_index = False
    inspect_template_name = "wagtail_tenantportal/admin/inspect.html"
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50
    export_getters = {}
    prefill_fields = ()

    def get_queryset(self, request):
        """The rows staff reach through this viewset, for ``request``'s user: the base of the
        listing, its export and every view of one object. The one place to narrow them
        further; by default the rows of the user's companies (``core.scope``)."""
        return super().get_queryset(request)

    def get_listing_queryset(self, queryset):
        """Shape the listing (and export) queryset: joins and counts for the shown columns."""
        return queryset

    def get_object_queryset(self, queryset):
        """Shape the queryset the inspect view fetches its object from."""
        return queryset

    #: Method ``(query) -> Q`` adding search conditions, or None.
    get_extra_search = None

    def get_inspect_sections(self, obj):
        """Tables shown below the fields of ``obj``'s inspect page."""
        return []

    def get_object_actions(self, user, obj, priority=10):
        """Buttons of the viewset's own actions on ``obj`` for ``user`` (approve, reject, send
        a letter, ...): in the row's menu of the listing and the inspect page's header. Each
        action's view checks the permission and the staff scope again."""
        return []

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            base_queryset=self.get_queryset,
            listing_queryset=self.get_listing_queryset,
            extra_search=self.get_extra_search,
            export_getters=self.export_getters,
            object_actions=self.get_object_actions,
            **kwargs,
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            base_queryset=self.get_queryset,
            object_queryset=self.get_object_queryset,
            get_sections=self.get_inspect_sections,
            object_actions=self.get_object_actions,
            **kwargs,
        )

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(prefill_fields=self.prefill_fields, **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(base_queryset=self.get_write_queryset, **kwargs)

    def get_delete_view_kwargs(self, **kwargs):
        return super().get_delete_view_kwargs(base_queryset=self.get_write_queryset, **kwargs)

    def get_history_view_kwargs(self, **kwargs):
        return super().get_history_view_kwargs(base_queryset=self.get_queryset, **kwargs)

    def get_usage_view_kwargs(self, **kwargs):
        return super().get_usage_view_kwargs(base_queryset=self.get_queryset, **kwargs)
