"""manage.py tenantportal_setup_pages: the portal's pages below the site's root, once."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from wagtail.models import Page, Site

from wagtail_tenantportal.page_setup import portal_page_types, setup_portal_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return Site.objects.get(is_default_site=True).root_page


def names(results):
    return [result.model.__name__ for result in results]


def test_creates_one_published_page_per_installed_type(home):
    results = setup_portal_pages()
    expected = [model.__name__ for model, _title in portal_page_types()]
    assert {"PortalLoginPage", "RegistrationPage", "AccountPage"} <= set(expected)
    assert names(results) == expected
    for result in results:
        assert result.created
        page = Page.objects.get(pk=result.page.pk)
        assert page.live
        assert page.get_parent().pk == home.pk
        assert type(page.specific) is result.model
    assert {r.page.slug for r in results} >= {"log-in", "register", "my-account"}


def test_pages_answer(home, client):
    setup_portal_pages()
    for path in ("/log-in/", "/register/", "/my-account/"):
        assert client.get(path).status_code == 200, path


def test_running_again_creates_nothing(home):
    first = setup_portal_pages()
    count = Page.objects.count()
    second = setup_portal_pages()
    assert not any(result.created for result in second)
    assert [r.page.pk for r in second] == [r.page.pk for r in first]
    assert Page.objects.count() == count


def test_the_login_page_links_to_the_registration_page(home):
    pages = {result.model.__name__: result.page for result in setup_portal_pages()}
    login = type(pages["PortalLoginPage"]).objects.get(pk=pages["PortalLoginPage"].pk)
    assert login.registration_page_id == pages["RegistrationPage"].pk
    assert login.live and not login.has_unpublished_changes
    body = Client().get(login.url).content.decode()
    assert f'href="{pages["RegistrationPage"].url}"' in body


def test_a_taken_slug_gets_a_number(home):
    home.add_child(instance=Page(title="Anmelden", slug="log-in"))
    pages = {result.model.__name__: result.page for result in setup_portal_pages()}
    assert pages["PortalLoginPage"].slug == "log-in-2"


def test_titles_in_the_language_asked_for(home):
    call_command("tenantportal_setup_pages", language="de", stdout=io.StringIO())
    slugs = dict(Page.objects.child_of(home).values_list("title", "slug"))
    assert slugs["Anmelden"] == "anmelden"
    assert slugs["Mein Konto"] == "mein-konto"


def test_dry_run_creates_nothing(home):
    count = Page.objects.count()
    out = io.StringIO()
    call_command("tenantportal_setup_pages", dry_run=True, stdout=out)
    assert Page.objects.count() == count
    assert out.getvalue().count("would create:") == len(portal_page_types())


def test_command_reports_created_and_existing_pages(home):
    out = io.StringIO()
    call_command("tenantportal_setup_pages", stdout=out)
    assert "created:" in out.getvalue()
    out = io.StringIO()
    call_command("tenantportal_setup_pages", stdout=out)
    assert "created:" not in out.getvalue()
    assert out.getvalue().count("exists:") == len(portal_page_types())


def test_below_another_parent(home):
    section = home.add_child(instance=Page(title="Service", slug="service"))
    call_command("tenantportal_setup_pages", parent=section.pk, stdout=io.StringIO())
    assert Page.objects.child_of(section).count() == len(portal_page_types())


def test_unknown_parent_and_missing_site():
    with pytest.raises(CommandError, match="No page with id"):
        call_command("tenantportal_setup_pages", parent=999999, stdout=io.StringIO())
    Site.objects.all().delete()
    with pytest.raises(CommandError, match="No default site"):
        call_command("tenantportal_setup_pages", stdout=io.StringIO())


@pytest.fixture
def forget_sites():
    """Wagtail caches the sites' root paths outside the test's transaction: forget a second
    site afterwards, or later tests would see two sites and absolute page URLs."""
    yield
    Site.clear_site_root_paths_cache()


def test_a_second_site_gets_its_own_pages_for_its_company(home, forget_sites):
    from tests.factories import CompanyFactory

    setup_portal_pages()
    company = CompanyFactory(name="Bauverein Elsteraue", slug="elsteraue")
    root = Page.get_first_root_node()
    second_home = root.add_child(instance=Page(title="Elsteraue", slug="elsteraue-home"))
    Site.objects.create(hostname="elsteraue.localhost", root_page=second_home)
    out = io.StringIO()
    call_command("tenantportal_setup_pages", parent=second_home.pk, company="elsteraue", stdout=out)
    assert out.getvalue().count("created:") == len(portal_page_types())
    pages = {type(p).__name__: p for p in Page.objects.get(pk=second_home.pk).get_children().specific()}
    assert pages["RegistrationPage"].company == company
    assert pages["PortalLoginPage"].registration_page_id == pages["RegistrationPage"].pk
    # The first site keeps its pages; running again for either site creates nothing.
    assert not any(result.created for result in setup_portal_pages())
    assert not any(result.created for result in setup_portal_pages(second_home))


def test_unknown_company_is_a_clear_error(home):
    with pytest.raises(CommandError, match="No company"):
        call_command("tenantportal_setup_pages", company="gibt-es-nicht", stdout=io.StringIO())


def test_a_new_portal_gets_the_starter_damage_taxonomy_once(home):
    """Without damage categories tenants cannot report damage: the setup adds the starter set
    (check W074 says so until then) and never touches a taxonomy editors made."""
    from wagtail_tenantportal.tickets.checks import check_damage_categories
    from wagtail_tenantportal.tickets.models import DamageCategory, DamageLocation

    assert [message.id for message in check_damage_categories()] == ["wagtail_tenantportal.W074"]
    out = io.StringIO()
    call_command("tenantportal_setup_pages", dry_run=True, stdout=out)
    assert "would add: damage taxonomy" in out.getvalue() and not DamageLocation.objects.exists()
    out = io.StringIO()
    call_command("tenantportal_setup_pages", stdout=out)
    assert "added: damage taxonomy" in out.getvalue()
    count = DamageCategory.objects.count()
    assert count > 10 and check_damage_categories() == []
    DamageCategory.objects.filter(pk=DamageCategory.objects.first().pk).update(name="Eigene Kategorie")
    out = io.StringIO()
    call_command("tenantportal_setup_pages", stdout=out)
    assert "damage taxonomy: present" in out.getvalue()
    assert (
        DamageCategory.objects.count() == count
        and DamageCategory.objects.filter(name="Eigene Kategorie").exists()
    )


def test_no_damage_taxonomy_when_asked_not_to(home):
    from wagtail_tenantportal.tickets.models import DamageLocation

    call_command("tenantportal_setup_pages", no_damage_taxonomy=True, stdout=io.StringIO())
    assert not DamageLocation.objects.exists()
