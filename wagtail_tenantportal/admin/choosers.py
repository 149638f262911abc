"""Chooser modals that search the database directly, narrowed to the user's companies.

Imports write rows in bulk and do not fill the Wagtail search index, so the choosers search
with a plain ``icontains`` over ``search_fields``. A registered chooser replaces the select
box of every foreign key to its model in the Wagtail admin's forms, so a form with a
contract field does not list thousands of contracts.

Every chooser lists, returns and confirms only objects of the companies the user works for
(``core.scope``): the list, the "chosen" answer for an id (404 for a foreign one, checked by
the URL guard of ``scoping``) and the answer for several ids. Choosers create nothing: the
"create" URL answers 404 (objects are added through their viewsets).
"""

from django import forms
from django.db.models import Q
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.snippets.views import chooser as snippet_chooser_views
from wagtail.snippets.views.chooser import SnippetChooserViewSet

from ..core import scope
from .scoping import ScopedViewSetMixin


class OrmSearchFilterForm(BaseFilterForm):
    """Search box of the choosers: a plain ``icontains`` over ``search_fields``."""

    search_fields = ()

    q = forms.CharField(
        label=_("Search term"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": query})
            objects = objects.filter(condition)
            self.is_searching = True
            self.search_query = query
        return objects


class ScopedChooserObjectsMixin:
    """The objects a chooser view offers and accepts: those of the user's companies."""

    list_select_related = ()

    def get_scoped_objects(self):
        return scope.restrict(self.model_class._default_manager.all(), self.request.user)

    def get_object_list(self):
        queryset = self.get_scoped_objects()
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    def get_object(self, pk):
        return self.get_scoped_objects().get(pk=pk)

    def get_objects(self, pks):
        return self.get_scoped_objects().filter(pk__in=pks)


class ScopedChooseView(ScopedChooserObjectsMixin, chooser_views.ChooseView):
    pass


class ScopedChooseResultsView(ScopedChooserObjectsMixin, chooser_views.ChooseResultsView):
    pass


class ScopedChosenView(ScopedChooserObjectsMixin, chooser_views.ChosenView):
    pass


class ScopedChosenMultipleView(ScopedChooserObjectsMixin, chooser_views.ChosenMultipleView):
    pass


class NoCreationView(View):
    """Choosers of the portal create nothing."""

    def dispatch(self, request, *args, **kwargs):
        raise Http404


class PortalChooserViewSet(ScopedViewSetMixin, ChooserViewSet):
    """Chooser modal searching the database directly (see ``OrmSearchFilterForm``); set
    ``search_fields`` and, for the shown labels, ``list_select_related``."""

    search_fields = ()
    list_select_related = ()
    per_page = 20
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView
    create_view_class = NoCreationView

    @cached_property
    def filter_form_class(self):
        return type(
            f"{self.model.__name__}ChooserFilterForm",
            (OrmSearchFilterForm,),
            {"search_fields": tuple(self.search_fields)},
        )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            filter_form_class=self.filter_form_class, list_select_related=self.list_select_related, **kwargs
        )


class ScopedSnippetChooseView(ScopedChooserObjectsMixin, snippet_chooser_views.ChooseView):
    pass


class ScopedSnippetChooseResultsView(ScopedChooserObjectsMixin, snippet_chooser_views.ChooseResultsView):
    pass


class ScopedSnippetChosenView(ScopedChooserObjectsMixin, snippet_chooser_views.SnippetChosenView):
    pass


class ScopedSnippetChosenMultipleView(
    ScopedChooserObjectsMixin, snippet_chooser_views.SnippetChosenMultipleView
):
    pass


class ScopedSnippetChooserViewSet(ScopedViewSetMixin, SnippetChooserViewSet):
    """The chooser of a snippet with company data (ticket types, damage locations, ...)."""

    choose_view_class = ScopedSnippetChooseView
    choose_results_view_class = ScopedSnippetChooseResultsView
    chosen_view_class = ScopedSnippetChosenView
    chosen_multiple_view_class = ScopedSnippetChosenMultipleView
    create_view_class = NoCreationView
