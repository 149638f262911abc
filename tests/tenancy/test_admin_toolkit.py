"""The admin toolkit's one place for the rows staff reach: ``PortalModelViewSet.get_queryset``.

A viewset that narrows ``get_queryset`` narrows its listing, its export and every view of one
object (inspect, edit, delete, history, usage): a row outside it is "not found" everywhere.
"""

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404
from django.test import RequestFactory

from tests.factories import CompanyFactory, UserFactory
from wagtail_tenantportal.tenancy.admin_views import CompanyViewSet

pytestmark = pytest.mark.django_db


class OnlyVisibleCompanies(CompanyViewSet):
    """The company viewset narrowed to companies named "Visible" (as a staff scope would)."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(name="Visible")


@pytest.fixture
def viewset():
    return OnlyVisibleCompanies()


@pytest.fixture
def get(superuser):
    def request(path="/", **params):
        req = RequestFactory().get(path, params)
        req.user = superuser
        req.session = {}
        req._messages = FallbackStorage(req)
        return req

    return request


@pytest.fixture
def superuser():
    return UserFactory(is_superuser=True, is_staff=True)


def test_the_listing_and_its_export_show_only_the_viewsets_rows(viewset, get):
    visible, hidden = CompanyFactory(name="Visible"), CompanyFactory(name="Hidden")
    response = viewset.index_view(get())
    response.render()
    html = response.content.decode()
    assert str(visible) in html and str(hidden) not in html
    export = viewset.index_view(get(export="csv"))
    rows = b"".join(export.streaming_content).decode()
    assert "Visible" in rows and "Hidden" not in rows


@pytest.mark.parametrize("view", ["inspect_view", "edit_view", "delete_view", "history_view", "usage_view"])
def test_a_row_outside_it_is_not_found_by_any_view_of_one_object(viewset, get, view):
    visible, hidden = CompanyFactory(name="Visible"), CompanyFactory(name="Hidden")
    view_function = getattr(viewset, view)
    assert view_function(get(), pk=str(visible.pk)).status_code == 200
    with pytest.raises(Http404):
        view_function(get(), pk=str(hidden.pk))


# -- row actions ----------------------------------------------------------------------------------


def _portal_index_views(user):
    """``(viewset, index view)`` of every registered viewset of the package with a portal listing."""
    from wagtail.admin.viewsets import viewsets as registry

    from wagtail_tenantportal.admin.viewsets import PortalIndexView

    request = RequestFactory().get("/admin/")
    request.user = user
    for viewset in registry.viewsets:
        view_class = getattr(viewset, "index_view_class", None)
        if not (isinstance(view_class, type) and issubclass(view_class, PortalIndexView)):
            continue
        view = view_class(**viewset.get_common_view_kwargs(**viewset.get_index_view_kwargs()))
        view.setup(request)
        if getattr(view, "model", None) is not None:
            yield viewset, view


def test_every_listing_gives_its_rows_their_actions():
    """A title column given in ``list_display`` (for its label) still carries the row's
    buttons (edit, inspect, delete, the viewset's own actions): the registration-code and
    code-request lists lost them once."""
    from django.urls import get_resolver
    from wagtail.admin.ui.tables import ButtonsColumnMixin, TitleColumn

    assert get_resolver().url_patterns  # loading the admin's URLs registers the viewsets
    listings = 0
    for viewset, view in _portal_index_views(UserFactory(is_superuser=True, is_staff=True)):
        titles = [column for column in view.columns if isinstance(column, TitleColumn)]
        assert titles, f"{viewset.name}: no column links a row"
        assert isinstance(titles[0], ButtonsColumnMixin), viewset.name
        listings += 1
    assert listings > 20  # every listing of the package, not a few
