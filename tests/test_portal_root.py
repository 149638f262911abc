"""``/portal/`` answers with the current site's overview (the demo's homepage button and menu
link there; it was a 404)."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Page, Site

from wagtail_tenantportal.dashboard.models import DashboardPage
from wagtail_tenantportal.page_setup import setup_portal_pages

pytestmark = pytest.mark.django_db

ROOT = "/portal/"


def test_the_portal_root_is_the_home_url():
    assert reverse("wagtail_tenantportal:home") == ROOT


def test_without_overview_pages_it_leads_to_the_portals_own_overview(portal_client):
    client = Client()  # a visitor (portal_client is the test's client, logged in)
    response = client.get(ROOT)
    assert response.status_code == 302 and response["Location"] == "/portal/overview/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # ... which asks a visitor to log in and comes back there
    assert client.get(response["Location"])["Location"].startswith("/portal/login/?next=/portal/overview/")
    assert portal_client.get(ROOT)["Location"] == "/portal/overview/"
    assert portal_client.get("/portal/overview/").status_code == 200


@pytest.fixture
def forget_sites():
    yield
    Site.clear_site_root_paths_cache()


def test_with_overview_pages_each_site_leads_to_its_own(client, forget_sites):
    setup_portal_pages()
    first = DashboardPage.objects.get()
    second_home = Page.get_first_root_node().add_child(instance=Page(title="Elsteraue", slug="elsteraue"))
    Site.objects.create(hostname="www.bauverein-elsteraue.de", root_page=second_home)
    setup_portal_pages(second_home)
    second = DashboardPage.objects.exclude(pk=first.pk).get()
    assert client.get(ROOT)["Location"] == first.get_url_parts()[2]
    assert client.get(ROOT, HTTP_HOST="www.bauverein-elsteraue.de")["Location"] == second.get_url_parts()[2]
    overview = client.get(second.get_url_parts()[2], HTTP_HOST="www.bauverein-elsteraue.de")
    assert overview.status_code == 200  # the page type asks a visitor to log in itself
