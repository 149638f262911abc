"""manage.py tenantportal_help_pages: the German help pages as pages of the host's own type."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from wagtail.models import Page, Site

from tests.testapp.models import HostPage, StreamHostPage
from wagtail_tenantportal.help import languages, load_help_pages, resolve_links

pytestmark = pytest.mark.django_db

TITLES = [
    "Registrierung mit dem Registrierungscode",
    "Anmelden und Passwort vergessen",
    "Zwei-Faktor-Authentifizierung einrichten",
    "Schaden melden",
    "Anliegen und Nachrichten",
    "Dokumente abrufen",
    "Kontaktdaten und E-Mail-Adresse ändern",
    "Häufige Fragen (FAQ)",
    "Erklärung zur Barrierefreiheit",
]
STATEMENT = "barrierefreiheit"


@pytest.fixture
def home():
    return Site.objects.get(is_default_site=True).root_page


@pytest.fixture
def help_parent(home):
    parent = HostPage(title="Hilfe", slug="hilfe")
    home.add_child(instance=parent)
    parent.save_revision().publish()
    return parent


def run(*args):
    out = io.StringIO()
    call_command("tenantportal_help_pages", *args, stdout=out)
    return out.getvalue()


def rich_args(parent):
    return ["--parent", str(parent.pk), "--page-type", "testapp.HostPage", "--field", "body"]


def stream_args(parent):
    return ["--parent", str(parent.pk), "--page-type", "testapp.StreamHostPage", "--block", "text"]


def children(parent, model=HostPage):
    return list(model.objects.child_of(parent).order_by("path"))


# -- the content -----------------------------------------------------------------------------


def test_german_content_is_shipped_complete():
    assert "de" in languages()
    pages = load_help_pages("de", only_available=False)
    assert [page.title for page in pages] == TITLES
    assert len({page.slug for page in pages}) == len(pages)
    for page in pages:
        assert page.body.startswith("<"), page.slug
        # Wagtail's rich-text format: no inline styles, scripts or headings above h2 (the title is h1).
        assert not re.search(r"<(script|style|h1)\b|\sstyle=", page.body), page.slug
        assert "Sie" in page.body and " du " not in page.body.lower(), page.slug
        for scheme, target in re.findall(r'href="(portal|help):([\w-]+)"', page.body):
            if scheme == "help":
                assert target in {p.slug for p in pages}, (page.slug, target)
            else:
                reverse(f"wagtail_tenantportal:{target}")  # every portal link names a real URL


def test_only_the_statement_has_placeholders():
    pages = {page.slug: page for page in load_help_pages("de")}
    assert [slug for slug, page in pages.items() if page.placeholders] == [STATEMENT]
    statement = pages[STATEMENT].body
    for heading in (
        "Stand der Vereinbarkeit",
        "Nicht barrierefreie Inhalte",
        "Erstellung dieser Erklärung",
        "Feedback und Kontakt",
        "Durchsetzungsverfahren und Schlichtungsstelle",
    ):
        assert f"<h2>{heading}" in statement
    assert "[Name des Wohnungsunternehmens]" in pages[STATEMENT].placeholders


def test_links_are_resolved_or_dropped():
    body = (
        '<p><a href="portal:login">Anmelden</a>, <a href="help:faq">FAQ</a>, <a href="portal:nope">x</a></p>'
    )
    html = resolve_links(body, {"faq": 42})
    assert f'<a href="{reverse("wagtail_tenantportal:login")}">Anmelden</a>' in html
    assert '<a linktype="page" id="42">FAQ</a>' in html
    assert ", x</p>" in html
    assert resolve_links('<a href="help:faq">FAQ</a>', {}) == "FAQ"


# -- creating pages --------------------------------------------------------------------------


def test_creates_the_pages_below_the_parent_with_a_rich_text_field(help_parent):
    output = run(*rich_args(help_parent))
    pages = children(help_parent)
    assert [page.title for page in pages] == TITLES
    by_slug = {page.slug: page for page in pages}
    assert all(page.live for slug, page in by_slug.items() if slug != STATEMENT)
    # The statement has placeholders: a draft until the editors have filled them in.
    assert not by_slug[STATEMENT].live and by_slug[STATEMENT].has_unpublished_changes
    assert "created as draft: Erklärung zur Barrierefreiheit" in output
    assert "placeholders in [square brackets]" in output
    assert output.count("created: ") == len(TITLES) - 1
    login = by_slug["anmeldung"]
    assert f'href="{reverse("wagtail_tenantportal:password_reset")}"' in login.body
    assert f'<a linktype="page" id="{by_slug["zwei-faktor-authentifizierung"].pk}">' in login.body
    assert login.get_latest_revision() is not None


def test_pages_render_for_visitors_with_working_links(help_parent):
    run(*rich_args(help_parent))
    page = HostPage.objects.get(slug="haeufige-fragen")
    assert page.url == "/hilfe/haeufige-fragen/"
    # The rich text as the site's template would render it: page links become real addresses.
    from wagtail.rich_text import expand_db_html

    html = expand_db_html(page.body)
    assert 'href="/hilfe/registrierung/"' in html
    assert f'href="{reverse("wagtail_tenantportal:request_code")}"' in html
    assert Client().get("/hilfe/haeufige-fragen/").status_code == 200


def test_running_again_changes_nothing(help_parent):
    run(*rich_args(help_parent))
    revisions = {page.pk: page.latest_revision_id for page in children(help_parent)}
    count = Page.objects.count()
    output = run(*rich_args(help_parent))
    assert Page.objects.count() == count
    assert {page.pk: page.latest_revision_id for page in children(help_parent)} == revisions
    assert output.count("unchanged: ") == len(TITLES)
    assert "created" not in output


def test_an_edited_page_is_kept_without_update_and_refreshed_with_it(help_parent):
    run(*rich_args(help_parent))
    page = HostPage.objects.get(slug="anmeldung")
    page.body = "<p>Vom Redakteur geändert.</p>"
    page.title = "Anmelden"
    page.save_revision().publish()

    output = run(*rich_args(help_parent))
    page.refresh_from_db()
    assert page.body == "<p>Vom Redakteur geändert.</p>"
    assert "exists: Anmelden und Passwort vergessen" in output
    assert "--update" in output

    output = run(*rich_args(help_parent), "--update")
    page.refresh_from_db()
    assert page.title == "Anmelden und Passwort vergessen"
    assert "Passwort vergessen?" in page.body and page.live and not page.has_unpublished_changes
    assert "updated: Anmelden und Passwort vergessen" in output
    assert output.count("unchanged: ") == len(TITLES) - 1
    assert len(children(help_parent)) == len(TITLES)


def test_update_never_publishes_placeholders_over_a_filled_in_statement(help_parent):
    run(*rich_args(help_parent))
    statement = HostPage.objects.get(slug=STATEMENT)
    statement.body = "<p>Die Wohnungsgenossenschaft Lindenhof eG ...</p>"
    statement.save_revision().publish()

    output = run(*rich_args(help_parent), "--update")
    statement.refresh_from_db()
    assert statement.live and statement.body == "<p>Die Wohnungsgenossenschaft Lindenhof eG ...</p>"
    assert statement.has_unpublished_changes  # the shipped template waits as a draft revision
    assert "[Name des Wohnungsunternehmens]" in statement.get_latest_revision_as_object().body
    assert "updated as a draft revision (not published): Erklärung zur Barrierefreiheit" in output


def test_stream_field_with_a_rich_text_block(help_parent):
    output = run(*stream_args(help_parent))
    pages = children(help_parent, StreamHostPage)
    assert [page.title for page in pages] == TITLES
    faq = next(page for page in pages if page.slug == "haeufige-fragen")
    assert [block.block_type for block in faq.body] == ["text"]
    registration = next(page for page in pages if page.slug == "registrierung")
    assert f'<a linktype="page" id="{registration.pk}">' in faq.body[0].value.source
    assert "Vertragsnummer" in str(faq.body[0].value)
    assert output.count("created: ") == len(TITLES) - 1

    again = run(*stream_args(help_parent))
    assert again.count("unchanged: ") == len(TITLES)
    updated = run(*stream_args(help_parent), "--update")
    assert "updated" not in updated.replace("unchanged", "")
    assert StreamHostPage.objects.child_of(help_parent).count() == len(TITLES)


def test_stream_field_refresh_replaces_the_stream(help_parent):
    run(*stream_args(help_parent))
    page = StreamHostPage.objects.get(slug="dokumente-abrufen")
    page.body = [("text", "<p>alt</p>"), ("login", {})]
    page.save_revision().publish()
    run(*stream_args(help_parent), "--update")
    page.refresh_from_db()
    assert [block.block_type for block in page.body] == ["text"]
    assert "Meine Dokumente" in page.body[0].value.source


def test_dry_run_saves_nothing(help_parent):
    count = Page.objects.count()
    output = run(*rich_args(help_parent), "--dry-run")
    assert Page.objects.count() == count
    assert output.count("would create: ") == len(TITLES)
    assert "/hilfe/registrierung/" in output

    run(*rich_args(help_parent))
    HostPage.objects.filter(slug="anmeldung").update(title="Alt")
    page = HostPage.objects.get(slug="anmeldung")
    page.save_revision()
    output = run(*rich_args(help_parent), "--update", "--dry-run")
    assert "would update: Anmelden und Passwort vergessen" in output
    assert HostPage.objects.get(slug="anmeldung").get_latest_revision_as_object().title == "Alt"


def test_draft_option_publishes_nothing(help_parent):
    output = run(*rich_args(help_parent), "--draft")
    assert not any(page.live for page in children(help_parent))
    assert output.count("created as draft: ") == len(TITLES)


def test_parent_by_url_path(help_parent, home):
    output = run("--parent", "/hilfe/", "--page-type", "testapp.HostPage", "--dry-run")
    assert output.count("would create: ") == len(TITLES)
    run("--parent", "hilfe", "--page-type", "testapp.HostPage")
    assert len(children(help_parent)) == len(TITLES)
    # Wagtail's own url_path (with the root page's slug) works too.
    output = run("--parent", help_parent.url_path, "--page-type", "testapp.HostPage")
    assert output.count("unchanged: ") == len(TITLES)


def test_a_page_of_another_type_with_the_slug_is_skipped(help_parent):
    other = StreamHostPage(title="FAQ", slug="haeufige-fragen")
    help_parent.add_child(instance=other)
    output = run(*rich_args(help_parent))
    assert "skipped: Häufige Fragen (FAQ)" in output
    assert len(children(help_parent)) == len(TITLES) - 1
    registration = HostPage.objects.get(slug="registrierung")
    assert "haeufige-fragen" not in registration.body


def test_pages_about_missing_sub_apps_are_left_out(help_parent, monkeypatch):
    from django.apps import apps

    installed = apps.is_installed
    monkeypatch.setattr(
        apps,
        "is_installed",
        lambda name: False if name == "wagtail_tenantportal.tickets" else installed(name),
    )
    output = run(*rich_args(help_parent))
    slugs = [page.slug for page in children(help_parent)]
    assert "schadensmeldung" not in slugs and "anliegen-und-nachrichten" not in slugs
    assert "dokumente-abrufen" in slugs
    assert "Schaden melden" not in output
    # Links to a page that was left out keep only their text.
    contact = HostPage.objects.get(slug="kontaktdaten-aendern")
    assert "ein neues Anliegen" in contact.body and "ein neues Anliegen</a>" not in contact.body


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--page-type", "HostPage"], "must be app_label.ModelName"),
        (["--page-type", "testapp.NoSuchPage"], "No model 'testapp.NoSuchPage'"),
        (["--page-type", "wagtailcore.Page"], "is not a page type of your site"),
        (["--page-type", "tenantportal_tenancy.Company"], "is not a page type of your site"),
        (["--page-type", "testapp.HostPage", "--field", "intro"], "HostPage has no field 'intro'"),
        (
            ["--page-type", "testapp.HostPage", "--field", "title"],
            "neither a RichTextField nor a StreamField",
        ),
        (["--page-type", "testapp.HostPage", "--block", "text"], "--block is only for a StreamField"),
        (["--page-type", "testapp.StreamHostPage"], "name its rich-text block with --block (text)"),
        (["--page-type", "testapp.StreamHostPage", "--block", "login"], "has no rich-text block 'login'"),
        (["--page-type", "testapp.HostPage", "--language", "fr"], "No help pages in the language 'fr'"),
    ],
)
def test_bad_arguments(help_parent, args, message):
    with pytest.raises(CommandError) as error:
        run("--parent", str(help_parent.pk), *args)
    assert message in str(error.value)
    assert not children(help_parent)


def test_bad_parent(help_parent):
    with pytest.raises(CommandError, match="No page with id 99999"):
        run("--parent", "99999", "--page-type", "testapp.HostPage")
    with pytest.raises(CommandError, match="No page at /nirgends/"):
        run("--parent", "/nirgends/", "--page-type", "testapp.HostPage")


def test_parent_that_does_not_allow_the_page_type(help_parent):
    from wagtail_tenantportal.accounts.pages import AccountPage

    account = AccountPage(title="Mein Konto", slug="mein-konto")
    help_parent.add_child(instance=account)
    with pytest.raises(CommandError, match="cannot be created below “Mein Konto”"):
        run("--parent", str(account.pk), "--page-type", "testapp.HostPage")
