"""Chooser modals that search the database directly.

Imports write rows in bulk and do not fill the Wagtail search index, so the choosers search
with a plain ``icontains`` over ``search_fields``. A registered chooser replaces the select
box of every foreign key to its model in the Wagtail admin's forms, so a form with a
contract field does not list thousands of contracts.
"""

from django import forms
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.viewsets.chooser import ChooserViewSet


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


class PortalChooserViewSet(ChooserViewSet):
    """Chooser modal searching the database directly (see ``OrmSearchFilterForm``); set
    ``search_fields`` and, for the shown labels, ``list_select_related``."""

    search_fields = ()
    list_select_related = ()
    per_page = 20

    def get_object_list(self):
        queryset = self.model._default_manager.all()
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    @cached_property
    def filter_form_class(self):
        return type(
            f"{self.model.__name__}ChooserFilterForm",
            (OrmSearchFilterForm,),
            {"search_fields": tuple(self.search_fields)},
        )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(filter_form_class=self.filter_form_class, **kwargs)
