"""Where editors may create the portal's page types: under any page of the host, never with
children, one login and one account page per site, one of the others per parent page."""

import pytest
from wagtail.models import Page, Site

from tests.testapp.models import HostPage
from wagtail_tenantportal.accounts.pages import AccountPage, PortalLoginPage, RegistrationPage
from wagtail_tenantportal.documents.pages import DocumentsPage
from wagtail_tenantportal.tickets.pages import DamageReportPage, RequestListPage

pytestmark = pytest.mark.django_db

PAGE_TYPES = [
    PortalLoginPage,
    RegistrationPage,
    AccountPage,
    DamageReportPage,
    RequestListPage,
    DocumentsPage,
]
ONE_PER_SITE = [PortalLoginPage, AccountPage]
ONE_PER_PARENT = [RegistrationPage, DamageReportPage, RequestListPage, DocumentsPage]


@pytest.fixture
def home():
    return Site.objects.get(is_default_site=True).root_page


@pytest.fixture
def second_site(home):
    root = Page.objects.get(depth=1)
    other_home = root.add_child(instance=HostPage(title="Zweite Genossenschaft", slug="zweite"))
    Site.objects.create(hostname="zweite.example", root_page=other_home)
    return other_home


def add(parent, page_type, slug):
    return parent.add_child(instance=page_type(title=slug.title(), slug=slug))


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda cls: cls.__name__)
def test_created_under_host_pages_without_children_and_described(home, page_type):
    host = add(home, HostPage, "bereich")
    assert page_type.can_create_at(home) and page_type.can_create_at(host)
    assert page_type.subpage_types == [] and page_type.allowed_subpage_models() == []
    assert getattr(page_type, "parent_page_types", None) is None  # the host decides where
    assert str(page_type.get_page_description()).strip()
    intro = page_type._meta.get_field("intro")
    assert str(intro.help_text).strip()


@pytest.mark.parametrize("page_type", ONE_PER_SITE, ids=lambda cls: cls.__name__)
def test_one_per_site(home, second_site, page_type):
    section = add(home, HostPage, "mieterportal")
    add(section, page_type, "eins")
    assert not page_type.can_create_at(home)
    assert not page_type.can_create_at(add(home, HostPage, "anderer-bereich"))
    assert page_type.can_create_at(second_site)  # the other site gets its own
    add(second_site, page_type, "zwei")
    assert not page_type.can_create_at(second_site)


@pytest.mark.parametrize("page_type", ONE_PER_PARENT, ids=lambda cls: cls.__name__)
def test_one_per_parent(home, page_type):
    first = add(home, HostPage, "a")
    add(first, page_type, "eins")
    assert not page_type.can_create_at(first)
    assert page_type.can_create_at(add(home, HostPage, "b"))


def test_one_per_site_outside_any_site(second_site):
    root = Page.objects.get(depth=1)
    loose = root.add_child(instance=HostPage(title="Ohne Site", slug="ohne-site"))
    assert PortalLoginPage.can_create_at(loose)
    add(loose, PortalLoginPage, "anmelden")
    assert not PortalLoginPage.can_create_at(add(loose, HostPage, "unten"))


def test_the_admin_offers_only_what_may_still_be_created(client, home):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    add(home, PortalLoginPage, "anmelden")
    html = client.get(f"/admin/pages/{home.pk}/add_subpage/").content.decode()
    assert "portalloginpage" not in html
    assert "documentspage" in html and "accountpage" in html
