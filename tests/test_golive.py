"""Go-live: ``manage.py check`` warns for each gap it can see (base URL, Site record, companies
without site or sender, damage categories, consent texts, a task worker), and
``tenantportal_site`` closes the first ones."""

import io

import pytest
from django.core import checks as django_checks
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.models import Page, Site

from tests.factories import CompanyFactory
from wagtail_tenantportal.core import golive
from wagtail_tenantportal.tenancy.checks import check_sites_and_companies
from wagtail_tenantportal.tenancy.models import Company

SMTP = "django.core.mail.backends.smtp.EmailBackend"
WORKER_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def ids(messages):
    return [message.id for message in messages]


@pytest.mark.parametrize(
    ("base_url", "portal_base_url", "expected"),
    [
        ("http://example.com", None, ["wagtail_tenantportal.W070"]),  # what `wagtail start` writes
        ("http://localhost:8000", None, ["wagtail_tenantportal.W070"]),
        ("http://127.0.0.1", None, ["wagtail_tenantportal.W070"]),
        ("https://portal.example.org", None, ["wagtail_tenantportal.W070"]),
        ("http://elsteraue.localhost:8000", None, ["wagtail_tenantportal.W070"]),
        ("", None, ["wagtail_tenantportal.W070"]),
        ("https://www.wg-lindenhof.de", None, []),
        ("http://example.com", "https://www.wg-lindenhof.de", []),  # PORTAL_BASE_URL wins
        ("https://www.wg-lindenhof.de", "http://localhost", ["wagtail_tenantportal.W070"]),
    ],
)
def test_base_url_must_be_the_public_address(settings, base_url, portal_base_url, expected):
    settings.WAGTAILADMIN_BASE_URL = base_url
    settings.WAGTAIL_TENANTPORTAL = {**settings.WAGTAIL_TENANTPORTAL, "PORTAL_BASE_URL": portal_base_url}
    messages = golive.check_base_url()
    assert ids(messages) == expected
    for message in messages:
        assert "docs/quickstart.md" in message.hint


def test_consent_texts_need_addresses(settings):
    settings.WAGTAIL_TENANTPORTAL = {"CONSENT_URLS": {"privacy": "/datenschutz/", "terms": None}}
    [message] = golive.check_consent_texts()
    assert message.id == "wagtail_tenantportal.W075"
    assert "terms, e_delivery" in message.msg and "privacy" not in message.msg.split("for")[1]
    settings.WAGTAIL_TENANTPORTAL = {}
    assert "privacy, terms, e_delivery" in golive.check_consent_texts()[0].msg  # the defaults: none


@pytest.mark.parametrize(
    ("email_backend", "tasks", "expected"),
    [
        (SMTP, None, ["wagtail_tenantportal.W065"]),  # django-tasks' default: the ImmediateBackend
        (
            SMTP,
            {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
            ["wagtail_tenantportal.W065"],
        ),
        (SMTP, WORKER_TASKS, []),
        ("django.core.mail.backends.console.EmailBackend", None, []),  # nothing leaves yet
        ("django.core.mail.backends.locmem.EmailBackend", None, []),
    ],
)
def test_mails_that_leave_need_a_task_worker(email_backend, tasks, expected):
    overrides = {"EMAIL_BACKEND": email_backend}
    if tasks is not None:
        overrides["TASKS"] = tasks
    with override_settings(**overrides):
        messages = golive.check_task_worker()
    assert ids(messages) == expected
    for message in messages:
        assert "db_worker" in message.hint


def test_the_go_live_checks_run_in_plain_check_not_only_with_deploy():
    registered = django_checks.registry.registry.get_checks(include_deployment_checks=False)
    for check in (
        golive.check_base_url,
        golive.check_consent_texts,
        golive.check_task_worker,
        check_sites_and_companies,
    ):
        assert check in registered


def test_database_checks_are_silent_before_migrate(monkeypatch):
    """``manage.py check`` (and ``migrate`` itself) run before the tables exist."""
    assert golive.tables_exist(Company) is False  # no database access in this test
    assert check_sites_and_companies() == []


@pytest.mark.django_db
class TestSitesAndCompanies:
    def test_a_site_record_that_says_localhost(self):
        # Wagtail's own migration makes the default site localhost:80.
        assert ids(check_sites_and_companies()) == ["wagtail_tenantportal.W071"]
        Site.objects.update(hostname="www.wg-lindenhof.de", port=443)
        assert check_sites_and_companies() == []

    def test_a_site_on_port_80_behind_https(self, settings):
        Site.objects.update(hostname="www.wg-lindenhof.de", port=80)
        assert check_sites_and_companies() == []
        settings.SECURE_SSL_REDIRECT = True
        [message] = check_sites_and_companies()
        assert message.id == "wagtail_tenantportal.W076" and "'http://www.wg-lindenhof.de'" in message.msg
        CompanyFactory(
            site=Site.objects.get(), base_url="https://www.wg-lindenhof.de", mail_from="a@wg-lindenhof.de"
        )
        assert check_sites_and_companies() == []  # the company's web address says https

    def test_companies_without_site_or_sender(self, settings):
        site = Site.objects.get()
        site.hostname = "www.wg-lindenhof.de"
        site.save()
        settings.DEFAULT_FROM_EMAIL = "Mieterportal <portal@wg-lindenhof.de>"
        alone = CompanyFactory(name="Lindenhof")
        assert check_sites_and_companies() == []  # one company, one site, a real sender: nothing to choose
        settings.DEFAULT_FROM_EMAIL = "webmaster@localhost"  # Django's default
        assert ids(check_sites_and_companies()) == ["wagtail_tenantportal.W073"]
        settings.DEFAULT_FROM_EMAIL = "Mieterportal <portal@wg-lindenhof.de>"
        second = CompanyFactory(name="Elsteraue")
        messages = check_sites_and_companies()
        assert ids(messages) == ["wagtail_tenantportal.W072", "wagtail_tenantportal.W073"] * 2
        assert "Elsteraue" in messages[2].msg and second.erp_id in messages[2].hint
        for company in (alone, second):
            company.site, company.mail_from = site, f"{company.name} <portal@{company.slug}.de>"
            company.save()
        assert check_sites_and_companies() == []
        Company.objects.filter(pk=second.pk).update(portal_enabled=False, site=None)
        assert check_sites_and_companies() == []  # only companies whose tenants use the portal


@pytest.mark.django_db
class TestSiteCommand:
    def run(self, *args):
        out = io.StringIO()
        call_command("tenantportal_site", *args, stdout=out)
        return out.getvalue()

    def test_points_the_default_site_at_the_address_and_links_every_company(self):
        lindenhof, elsteraue = CompanyFactory(name="Lindenhof"), CompanyFactory(name="Elsteraue")
        output = self.run("https://www.wg-lindenhof.de", "--sender", "WG Lindenhof <portal@wg-lindenhof.de>")
        site = Site.objects.get(is_default_site=True)
        assert (site.hostname, site.port, site.root_url) == (
            "www.wg-lindenhof.de",
            443,
            "https://www.wg-lindenhof.de",
        )
        for company in (lindenhof, elsteraue):
            company.refresh_from_db()
            assert company.site == site and company.mail_from == "WG Lindenhof <portal@wg-lindenhof.de>"
        assert "answers at https://www.wg-lindenhof.de" in output
        assert check_sites_and_companies() == []

    def test_a_second_site_for_one_company_by_erp_id(self):
        lindenhof = CompanyFactory(name="Lindenhof", erp_id="LH")
        elsteraue = CompanyFactory(name="Elsteraue", erp_id="EA", slug="elsteraue")
        home = Page.get_first_root_node().add_child(instance=Page(title="Elsteraue", slug="elsteraue"))
        second = Site.objects.create(hostname="elsteraue.localhost", root_page=home)
        self.run(
            "http://www.bauverein-elsteraue.de:8080",
            "--site",
            str(second.pk),
            "--company",
            "EA",
            "--name",
            "Elsteraue",
        )
        second.refresh_from_db()
        assert (second.hostname, second.port, second.site_name) == (
            "www.bauverein-elsteraue.de",
            8080,
            "Elsteraue",
        )
        elsteraue.refresh_from_db()
        lindenhof.refresh_from_db()
        assert elsteraue.site == second and lindenhof.site is None
        Site.clear_site_root_paths_cache()

    def test_dry_run_changes_nothing(self):
        company = CompanyFactory()
        output = self.run("https://www.wg-lindenhof.de", "--dry-run")
        assert "Dry run" in output and Site.objects.get().hostname == "localhost"
        company.refresh_from_db()
        assert company.site is None

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["https://www.wg-lindenhof.de/portal/"], "no path"),
            (["ftp://www.wg-lindenhof.de"], "no path"),
            (["https://www.wg-lindenhof.de", "--company", "XX"], "Valid companies"),
            (["https://www.wg-lindenhof.de", "--site", "999"], "No Wagtail site"),
            (["https://www.wg-lindenhof.de", "--sender", "kein Absender"], "--sender"),
        ],
    )
    def test_bad_arguments_give_a_clear_error(self, args, message):
        CompanyFactory(erp_id="LH")
        with pytest.raises(CommandError, match=message):
            self.run(*args)
        assert Site.objects.get().hostname == "localhost"


def test_placeholder_hosts():
    for host in (
        "localhost",
        "127.0.0.1",
        "example.com",
        "www.example.org",
        "elsteraue.localhost",
        "wg.example",
        "",
    ):
        assert golive.is_placeholder_host(host), host
    for host in ("www.wg-lindenhof.de", "example.de", "testserver.de", "portal.bauverein-elsteraue.de"):
        assert not golive.is_placeholder_host(host), host
