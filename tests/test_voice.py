"""Each cooperative its own voice: two companies on one portal, each with its own Wagtail site,
sender, portal name and signature. Every mail to a tenant carries its company's sender, name
and host, however it is sent: from a tenant's request on the company's site or on the other
company's site, from a staff action in the admin on a host of its own, from a task without
any request. ``core.links`` builds every link; ``core.companies`` says which company speaks."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from wagtail.models import Page, Site

from tests.accounts.flow_helpers import PASSWORD, verified_tenant
from tests.factories import (
    CompanyFactory,
    ContractFactory,
    NoticeFactory,
    PropertyFactory,
    UnitFactory,
    UserFactory,
)
from wagtail_tenantportal.accounts import flows, staff
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.accounts.twofactor import services as twofactor
from wagtail_tenantportal.core import links
from wagtail_tenantportal.core.adapter import get_adapter
from wagtail_tenantportal.notices import services as notice_services
from wagtail_tenantportal.tickets import services as ticket_services
from wagtail_tenantportal.tickets.models import TicketMessage, TicketStatus, TicketType

pytestmark = pytest.mark.django_db

LINDENHOF_HOST = "www.wg-lindenhof.de"
ELSTERAUE_HOST = "www.bauverein-elsteraue.de"
ADMIN_HOST = "verwaltung.mieterportal-leipzig.de"
URL = re.compile(r"https?://[^\s\"'<>)]+")


@pytest.fixture
def forget_sites():
    """Wagtail caches the sites' root paths outside the test's transaction."""
    yield
    Site.clear_site_root_paths_cache()


@pytest.fixture
def voices(settings, forget_sites):
    """Two cooperatives, two sites (https), a tenant of each; the admin on a third host."""
    settings.WAGTAILADMIN_BASE_URL = f"https://{ADMIN_HOST}"
    settings.ALLOWED_HOSTS = ["*"]
    default = Site.objects.get(is_default_site=True)
    default.hostname, default.port = LINDENHOF_HOST, 443
    default.save()
    elsteraue_home = Page.get_first_root_node().add_child(instance=Page(title="Elsteraue", slug="elsteraue"))
    elsteraue_site = Site.objects.create(hostname=ELSTERAUE_HOST, port=443, root_page=elsteraue_home)
    lindenhof = CompanyFactory(
        name="Wohnungsgenossenschaft Lindenhof",
        slug="lindenhof",
        site=default,
        mail_from="Mieterportal WG Lindenhof <portal@wg-lindenhof.de>",
        mail_signature="Wohnungsgenossenschaft Lindenhof eG\nTelefon 0341 23125-0",
    )
    elsteraue = CompanyFactory(
        name="Bauverein Elsteraue",
        slug="elsteraue",
        site=elsteraue_site,
        portal_name="Serviceportal",
        mail_from="Serviceportal Bauverein Elsteraue <service@bauverein-elsteraue.de>",
        phone="0341 90009-0",
        street="Könneritzstraße 88",
        postal_code="04229",
    )
    tenants = {}
    for company, email in ((lindenhof, "erika@example.org"), (elsteraue, "dirk@example.org")):
        contract = ContractFactory(unit=UnitFactory(property=PropertyFactory(company=company)))
        tenants[company.slug] = verified_tenant(contract, email=email)
        tenants[company.slug].contract = contract
    return {"lindenhof": lindenhof, "elsteraue": elsteraue, "tenants": tenants}


def hosts(text):
    return {urlsplit(url).hostname for url in URL.findall(text)}


def assert_own_voice(message, company, host):
    """Sender, portal name and every link of ``message`` are ``company``'s."""
    text = "\n".join([message.subject, message.body, *(content for content, _type in message.alternatives)])
    assert message.from_email == company.mail_from, message.subject
    assert hosts(text) <= {host}, (message.subject, hosts(text))
    other_name = "Mieterportal" if company.portal_name == "Serviceportal" else "Serviceportal"
    assert other_name not in text, message.subject
    if company.portal_name:
        assert company.portal_name in text, message.subject
    return text


def mails_to(user):
    return [message for message in mail.outbox if user.email in message.to]


def test_every_mail_carries_its_own_companys_sender_name_and_host(voices, django_capture_on_commit_callbacks):
    lindenhof, elsteraue = voices["lindenhof"], voices["elsteraue"]
    own = {"lindenhof": (lindenhof, LINDENHOF_HOST), "elsteraue": (elsteraue, ELSTERAUE_HOST)}
    team = UserFactory(is_staff=True, is_superuser=True, email="team@example.org")
    admin_request = RequestFactory().post("/admin/", HTTP_HOST=ADMIN_HOST, secure=True)
    admin_request.user = team
    sent = {}
    for slug, (company, host) in own.items():
        tenant = voices["tenants"][slug]
        other_host = ELSTERAUE_HOST if slug == "lindenhof" else LINDENHOF_HOST
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            # A request and its progress (a task, no request).
            ticket = ticket_services.submit_ticket(
                contract=tenant.contract,
                ticket_type=TicketType.objects.get(code="general_contact"),
                user=tenant,
                subject="Frage zur Miete",
                description="Bitte rufen Sie mich an.",
            )
            ticket_services.post_message(ticket, user=team, body="Gern.", role=TicketMessage.Role.STAFF)
            ticket_services.change_status(ticket, TicketStatus.objects.get(code="in_progress"), user=team)
            # "Forgotten password" asked on the OTHER company's site: still the tenant's own voice.
            Client().post(
                "/portal/password/reset/", {"email": tenant.email}, HTTP_HOST=other_host, secure=True
            )
            # Staff in the admin on its own host: a new confirmation mail, a two-factor reset.
            account = PortalAccount.objects.get(user=tenant)
            staff.resend_verification(account, user=team, request=admin_request)
            staff.reset_two_factor(account, user=team, request=admin_request)
            # A code by email for the login's second factor.
            twofactor.start_email_setup(tenant)
            # An important notice, mailed from the admin.
            notice = NoticeFactory(company=company, title="Wasser abgestellt", important=True)
            notice_services.send_important_mails(notice, request=admin_request, user=team)
        messages = mails_to(tenant)
        assert len(messages) >= 7, [m.subject for m in messages]
        for message in messages:
            text = assert_own_voice(message, company, host)
            sent[(slug, message.subject)] = text
        # The signature: the company's own text, else its name, address and phone.
        signature = "Telefon 0341 23125-0" if slug == "lindenhof" else "Phone 0341 90009-0"
        assert all(signature in text for (who, _s), text in sent.items() if who == slug)
    # Both companies were heard, each with links to its own host.
    assert {who for who, _subject in sent} == {"lindenhof", "elsteraue"}
    assert any(
        f"https://{ELSTERAUE_HOST}/portal/" in text for (who, _s), text in sent.items() if who == "elsteraue"
    )


def test_staff_mails_link_the_admin_host(voices, django_capture_on_commit_callbacks):
    tenant = voices["tenants"]["elsteraue"]
    lead = UserFactory(is_staff=True, is_superuser=True, email="lead@example.org")
    team = UserFactory(is_staff=True, is_superuser=True, email="team@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_services.submit_ticket(
            contract=tenant.contract,
            ticket_type=TicketType.objects.get(code="general_contact"),
            user=tenant,
            subject="Frage",
            description="Bitte.",
        )
        ticket_services.assign(ticket, team, user=lead)
    [message] = [m for m in mail.outbox if team.email in m.to]
    assert hosts(message.body) == {ADMIN_HOST}
    assert message.from_email == voices["elsteraue"].mail_from


def test_links_from_a_request_of_the_companys_own_site_keep_its_scheme_and_host(voices):
    company = voices["elsteraue"]
    request = RequestFactory().get("/", HTTP_HOST="bauverein-elsteraue.de")  # another name of its site
    # Not the company's site (another host): its base, never the request's host.
    assert (
        links.absolute_url("/portal/", request=request, company=company)
        == f"https://{ELSTERAUE_HOST}/portal/"
    )
    request = RequestFactory().get("/", HTTP_HOST=ELSTERAUE_HOST, secure=True)
    assert (
        links.absolute_url("/portal/x/", request=request, company=company)
        == f"https://{ELSTERAUE_HOST}/portal/x/"
    )
    # A company's own base URL wins over its site's root URL.
    company.base_url = "https://portal.bauverein-elsteraue.de/"
    assert links.base_url(company) == "https://portal.bauverein-elsteraue.de"
    # No company: the request, else the portal-wide base URL.
    assert links.absolute_url("/a/", request=None) == f"https://{ADMIN_HOST}/a/"
    assert get_adapter().build_absolute_uri(request, "/a/") == f"https://{ELSTERAUE_HOST}/a/"


def test_a_page_gets_its_companys_address_not_the_site_records_localhost(voices, settings):
    """The "new document" mail linked http://localhost/my-documents/ while the Site record said
    localhost:80: a company's own base URL (or the portal-wide one) is used instead."""
    from wagtail_tenantportal.documents.models import DocumentsPage
    from wagtail_tenantportal.documents.notifications import documents_url

    company = voices["lindenhof"]
    site = company.site
    site.hostname, site.port = "localhost", 80
    site.save()
    page = site.root_page.add_child(instance=DocumentsPage(title="Meine Dokumente", slug="meine-dokumente"))
    company.base_url = f"https://{LINDENHOF_HOST}"
    company.save()
    assert page.get_full_url() == "http://localhost/meine-dokumente/"  # Wagtail's own answer
    assert documents_url(company) == f"https://{LINDENHOF_HOST}/meine-dokumente/"
    # Elsteraue's site has no documents page: the portal's own view on its own host.
    assert documents_url(voices["elsteraue"]) == f"https://{ELSTERAUE_HOST}/portal/documents/"


def test_activation_letter_names_the_companys_portal_not_the_admin_host(
    voices, django_capture_on_commit_callbacks
):
    """The staff-match flow's activation letter printed the admin's host."""
    import io

    from pypdf import PdfReader

    from wagtail_tenantportal.accounts.models import RegistrationClaim

    company = voices["elsteraue"]
    tenant = voices["tenants"]["elsteraue"]
    party = tenant.tenantportal_account.parties.get()
    claimant = UserFactory(email="neu@example.org")
    account = PortalAccount.objects.create(user=claimant)
    claim = RegistrationClaim.objects.create(
        account=account, company=company, first_name="Neu", last_name=party.last_name, street="x",
        postal_code="04229", city="Leipzig",
    )  # fmt: skip
    team = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        flows.match_claim(claim, party, team, contract=tenant.contract)
    request = RequestFactory().post("/admin/", HTTP_HOST=ADMIN_HOST, secure=True)
    out = io.BytesIO()
    staff.print_activation_letter(claim, out, user=team, request=request)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages)
    assert f"https://{ELSTERAUE_HOST}/portal/login/" in text
    assert ADMIN_HOST not in text and LINDENHOF_HOST not in text
    # The claim's mail (matched) speaks with Elsteraue's voice too.
    [message] = [m for m in mail.outbox if claimant.email in m.to]
    assert_own_voice(message, company, ELSTERAUE_HOST)


def test_pages_show_the_portal_name_of_their_sites_company(voices, client):
    for host, name in ((ELSTERAUE_HOST, "Serviceportal"), (LINDENHOF_HOST, "Mieterportal")):
        html = client.get("/portal/login/", HTTP_HOST=host, secure=True).content.decode()
        assert f"– {name}</title>" in html or f"{name}</title>" in html, html[:400]
    assert PASSWORD  # the tenants' password, used by the helpers
