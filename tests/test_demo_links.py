"""The link test: the example site's two cooperatives, each on a real-looking host of its own,
and every tenant page, every mail and every letter of each names only its own host.

Lindenhof answers at www.wg-lindenhof.de, Elsteraue at www.bauverein-elsteraue.de, the admin at
a host of its own. Every page of each site and every page of the portal is rendered for a
visitor and for the cooperative's tenant; every mail the portal sends is triggered for each
cooperative (the set of mail templates is checked to be complete), from requests on its own
site, on the other cooperative's site, from the admin and without a request; the registration,
activation and certificate PDFs are read. No link may lead to the other cooperative's host, to
``localhost``, ``127.0.0.1``, ``testserver`` or an ``example.com``-like host; mails come from
the cooperative's own sender in its own portal name.

Needs the example site: ``pytest --ds=tests.example_settings tests/test_demo_links.py``
(``make test`` runs it with the demo tests).
"""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import URLResolver, reverse

pytestmark = [
    pytest.mark.skipif(
        not apps.is_installed("home"),
        reason="example site not installed: run pytest --ds=tests.example_settings tests/test_demo_links.py",
    ),
    pytest.mark.django_db,
]

HOSTS = {"LH": "www.wg-lindenhof.de", "EA": "www.bauverein-elsteraue.de"}
ADMIN_HOST = "verwaltung.mieterportal-leipzig.de"
TENANTS = {"LH": ("erika.mustermann@example.org", "lindenhof-mieterin"), "EA": ("dirk.herrmann@example.org", "elsteraue-mieter")}  # fmt: skip
URL = re.compile(r"""https?://[^\s"'<>)\]]+""")
#: Never a public address, wherever it stands (an address with example.com is a foreign link;
#: the demo's tenants have example.org mail addresses, which are no links).
FORBIDDEN = re.compile(r"localhost|127\.0\.0\.1|testserver", re.IGNORECASE)
#: Mails to staff link the Wagtail admin, not a cooperative's portal.
STAFF_MAILS = {"ticket_assigned", "ticket_tenant_message"}
MAIL_TEMPLATES = (
    Path(apps.get_app_config("wagtail_tenantportal").path) / "templates/wagtail_tenantportal/emails"
)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    storages = {name: dict(config) for name, config in settings.STORAGES.items()}
    storages["tenantportal_private"]["OPTIONS"] = {"location": str(tmp_path / "private")}
    settings.STORAGES = storages


@pytest.fixture
def demo(settings):
    """The demo with real-looking hosts: each cooperative's site and website, the admin's own."""
    from django.utils import timezone
    from wagtail.models import Site

    from wagtail_tenantportal.accounts.models import PortalAccount
    from wagtail_tenantportal.tenancy.models import Company

    call_command("load_demo_data", stdout=io.StringIO())
    settings.WAGTAILADMIN_BASE_URL = f"https://{ADMIN_HOST}"
    companies = {}
    for erp_id, host in HOSTS.items():
        company = Company.objects.select_related("site").get(erp_id=erp_id)
        if erp_id == "LH":
            # As a new site is set up: the default Site record still says localhost:80 (what
            # Wagtail's own absolute URLs use); the company's web address says where it is.
            Site.objects.filter(pk=company.site_id).update(hostname="localhost", port=80)
            company.base_url = f"https://{host}"
        else:
            Site.objects.filter(pk=company.site_id).update(hostname=host, port=443)
        company.website = f"https://{host}"
        # The pages are under test here, not the login: a full session without a second factor.
        company.two_factor_policy = Company.TwoFactorPolicy.OPTIONAL
        company.save()
        companies[erp_id] = Company.objects.select_related("site").get(pk=company.pk)
    Site.clear_site_root_paths_cache()
    PortalAccount.objects.update(contact_checked_at=timezone.now())
    yield companies
    Site.clear_site_root_paths_cache()


def foreign_links(text, own_host):
    """The absolute addresses in ``text`` that are not on ``own_host``, and forbidden names."""
    found = {url for url in URL.findall(text) if urlsplit(url).hostname != own_host}
    found |= {match.group(0) for match in FORBIDDEN.finditer(text)}
    return found


def tenant_client(erp_id):
    client = Client(HTTP_HOST=HOSTS[erp_id])
    email, password = TENANTS[erp_id]
    assert client.login(username=email, password=password)
    return client


# -- pages ----------------------------------------------------------------------------------------


def portal_paths(user):
    """Every page of the portal's URLconf that takes no argument, and the tenant's detail pages."""
    from wagtail_tenantportal import urls as portal_urls
    from wagtail_tenantportal.notices.models import Notice
    from wagtail_tenantportal.savings.models import SavingsAccount
    from wagtail_tenantportal.tenancy.models import Contract
    from wagtail_tenantportal.tickets.models import Ticket

    paths = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if not pattern.namespace:  # the REST API and the ERP's API are not pages
                    walk(pattern.url_patterns)
            elif (
                pattern.name and not pattern.pattern.regex.groupindex and pattern.name != "logout_everywhere"
            ):
                paths.append(reverse(f"wagtail_tenantportal:{pattern.name}"))

    walk(portal_urls.urlpatterns)
    paths += [ticket.get_absolute_url() for ticket in Ticket.objects.visible_to(user)]
    paths += [
        reverse("wagtail_tenantportal:contract_detail", args=[c.pk])
        for c in Contract.objects.visible_to(user)
    ]
    paths += [
        reverse("wagtail_tenantportal:notice_detail", args=[n.pk]) for n in Notice.objects.visible_to(user)
    ]
    paths += [reverse("wagtail_tenantportal:savings_account", args=[a.pk]) for a in SavingsAccount.objects.visible_to(user)]  # fmt: skip
    return paths


def site_paths(company, user):
    """Every live page of the cooperative's site (and the tenant's contracts below "My contracts")."""
    from wagtail.models import Page

    from wagtail_tenantportal.tenancy.models import Contract
    from wagtail_tenantportal.tenancy.pages import ContractsPage

    paths = []
    for page in Page.objects.live().descendant_of(company.site.root_page, inclusive=True).specific():
        _site, _root, path = page.get_url_parts()
        paths.append(path)
        if isinstance(page, ContractsPage):
            paths += [
                path + page.reverse_subpage("contract", args=(c.pk,))
                for c in Contract.objects.visible_to(user)
            ]
    return paths


#: The example site's homepage introduces the partner cooperative with its website: the host's
#: own content, not a link of the portal. Nothing else may name the other cooperative's host.
PARTNER_CARD = {"/": {f"https://{host}" for host in HOSTS.values()}}


def crawl(client, paths, host):
    """``{path: foreign links}`` of the pages (and redirects) at ``paths``; every page answers."""
    problems, rendered = {}, 0
    for path in dict.fromkeys(paths):
        response = client.get(path, secure=True)
        assert response.status_code in (200, 302, 404), (host, path, response.status_code)
        text = response.get("Location", "")
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            text += response.content.decode()
            rendered += 1
        found = foreign_links(text, host) - PARTNER_CARD.get(path, set())
        if found:
            problems[path] = sorted(found)
    return problems, rendered


def test_every_page_of_both_cooperatives_names_only_its_own_host(demo):
    from django.contrib.auth import get_user_model

    counts = {}
    for erp_id, company in demo.items():
        host = HOSTS[erp_id]
        user = get_user_model().objects.get(username=TENANTS[erp_id][0])
        paths = site_paths(company, user) + portal_paths(user)
        visitor_problems, visitor_pages = crawl(Client(HTTP_HOST=host), paths, host)
        tenant_problems, tenant_pages = crawl(tenant_client(erp_id), paths, host)
        assert visitor_problems == {} and tenant_problems == {}, (
            f"{erp_id}\n{visitor_problems}\n{tenant_problems}"
        )
        counts[erp_id] = (visitor_pages, tenant_pages)
    print(f"link test pages: {counts}")
    assert all(visitor >= 20 and tenant >= 30 for visitor, tenant in counts.values()), counts


def test_portal_root_answers_with_the_sites_overview(demo):
    for erp_id, host in HOSTS.items():
        visitor = Client(HTTP_HOST=host).get("/portal/", secure=True)
        assert visitor.status_code == 302 and visitor["Location"] == "/uebersicht/"
        overview = Client(HTTP_HOST=host).get(visitor["Location"], secure=True)
        assert overview.status_code == 200  # the overview page asks a visitor to log in
        assert tenant_client(erp_id).get("/portal/", secure=True)["Location"] == "/uebersicht/"


# -- mails ----------------------------------------------------------------------------------------


@pytest.fixture
def recorded_mails(monkeypatch):
    """``[(template prefix, company erp id, message)]`` of every mail the adapter renders."""
    from wagtail_tenantportal.adapter import DefaultPortalAdapter

    recorded = []
    render = DefaultPortalAdapter.render_mail

    def recording(self, template_prefix, email, context, *, request=None, company=None):
        message = render(self, template_prefix, email, context, request=request, company=company)
        speaker = company or self.mail_company(request, context.get("user") or context.get("recipient"))
        recorded.append((template_prefix, getattr(speaker, "erp_id", None), message))
        return message

    monkeypatch.setattr(DefaultPortalAdapter, "render_mail", recording)
    return recorded


def send_every_mail(company, other, django_capture_on_commit_callbacks):
    """Each mail the portal sends, for ``company``'s tenant and staff; ``other`` is the other
    cooperative (its site is used for a request that must not change the voice)."""
    from django.contrib.auth import get_user_model

    from tests.conftest import verified_portal_user
    from tests.factories import UserFactory
    from wagtail_tenantportal.accounts import flows, leaving, staff
    from wagtail_tenantportal.accounts import services as account_services
    from wagtail_tenantportal.accounts.flows.common import announce_activation
    from wagtail_tenantportal.accounts.models import CodeRequest, Consent, PortalAccount, RegistrationClaim
    from wagtail_tenantportal.accounts.twofactor import services as twofactor
    from wagtail_tenantportal.documents import notifications
    from wagtail_tenantportal.documents import services as documents
    from wagtail_tenantportal.notices.services import create_notice, send_important_mails
    from wagtail_tenantportal.tenancy import bank
    from wagtail_tenantportal.tenancy.models import Contract, Party
    from wagtail_tenantportal.tickets import services as tickets
    from wagtail_tenantportal.tickets.models import TicketMessage, TicketStatus, TicketType

    users = get_user_model().objects
    tenant = users.get(username=TENANTS[company.erp_id][0])
    neighbour = users.get(username=TENANTS[other.erp_id][0])
    account = PortalAccount.objects.get(user=tenant)
    contract = Contract.objects.visible_to(tenant).filter(kind=Contract.Kind.RENTAL).first()
    lead = UserFactory(is_staff=True, is_superuser=True, email=f"lead-{company.erp_id}@example.org")
    team = UserFactory(is_staff=True, is_superuser=True, email=f"team-{company.erp_id}@example.org")
    admin = RequestFactory().post("/admin/", HTTP_HOST=ADMIN_HOST, secure=True)
    admin.user = lead
    on_other_site = RequestFactory().post("/portal/", HTTP_HOST=HOSTS[other.erp_id], secure=True)
    with django_capture_on_commit_callbacks(execute=True):
        # Requests: received, reply, status, assigned (staff), a tenant's message (staff).
        ticket = tickets.submit_ticket(
            contract=contract, ticket_type=TicketType.objects.get(code="general_contact"), user=tenant,
            subject="Frage zur Nebenkostenabrechnung", description="Bitte um Erläuterung.",
        )  # fmt: skip
        tickets.assign(ticket, team, user=lead)
        tickets.post_message(ticket, user=team, body="Gern.", role=TicketMessage.Role.STAFF)
        tickets.post_message(ticket, user=tenant, body="Danke.")
        tickets.change_status(ticket, TicketStatus.objects.get(code="in_progress"), user=team)
        # Accounts: reset asked on the other cooperative's site, password changed, email change
        # (a confirmation to the new address, a notice to the old), an address in use (the
        # other cooperative's tenant hears of it in the voice of their own cooperative).
        Client().post(
            "/portal/password/reset/", {"email": tenant.email}, HTTP_HOST=HOSTS[other.erp_id], secure=True
        )
        flows.password_was_reset(on_other_site, tenant)
        flows.request_password_reset_code(on_other_site, tenant.email)  # the phone app's reset
        flows.request_email_change(on_other_site, account, f"neu-{company.erp_id.lower()}@example.org")
        flows.request_email_change(on_other_site, account, neighbour.email)
        # Staff in the admin: two-factor reset; the second factor's code by email.
        staff.reset_two_factor(account, user=lead, request=admin)
        twofactor.start_email_setup(tenant)
        # "Verify later" registrations: one matched, one rejected.
        party = Party.objects.visible_to(tenant).first()
        for action in ("match", "reject"):
            claimant = UserFactory(email=f"{action}-{company.erp_id}@example.org")
            claim = RegistrationClaim.objects.create(
                account=PortalAccount.objects.create(user=claimant), company=company, first_name="Neu",
                last_name=party.last_name, street="Weg 1", postal_code="04229", city="Leipzig",
            )  # fmt: skip
            if action == "match":
                flows.match_claim(claim, party, lead, contract=contract)
            else:
                flows.reject_claim(claim, lead, note="Nicht gefunden.")
        # A document for tenants who receive documents in the portal; an important notice.
        Consent.objects.get_or_create(
            account=account, kind=Consent.Kind.E_DELIVERY, defaults={"version": "1"}
        )
        from tests.documents.conftest import pdf_file

        documents.publish(pdf_file(f"BK {company.erp_id}"), target=contract, category="operating_cost_statement", title="BK 2025")  # fmt: skip
        notifications.send_due_notices()
        notice = create_notice(company, "Wasser abgestellt", "<p>Am Montag.</p>", user=lead, important=True)
        send_important_mails(notice, request=admin, user=lead)
        # The "account activated" mail; a code request refused by staff (the party has an address).
        announce_activation(account)
        party.email = party.email or f"anfrage-{company.erp_id.lower()}@example.org"
        party.save(update_fields=["email"])
        code_request = CodeRequest.objects.create(
            company=company, party=party, contract=contract, contract_number=contract.number,
            last_name=party.last_name,
        )  # fmt: skip
        account_services.reject_code_request(code_request, reason="Kein Vertrag gefunden.", user=lead)
        # Bank details: the tenant asks for a change, staff approve it (the decision is mailed).
        change = bank.submit_bank_details_change(
            tenant, contract, account_holder="Erika Mustermann", iban="DE02120300000000202051",
            mandate_confirmed=True,
        )  # fmt: skip
        bank.approve_bank_details_change(change, lead)
        # Leaving: the tenant's data export; a co-tenant deletes their account (the tenant gets
        # "goodbye", the cooperative's address the notice to staff).
        on_own_site = RequestFactory().post("/portal/", HTTP_HOST=HOSTS[company.erp_id], secure=True)
        leaving.request_export(tenant, request=on_own_site)
        leaver = verified_portal_user(contract, UserFactory(email=f"geht-{company.erp_id}@example.org"))
        leaver.set_password("Abschied-2026-Genossenschaft")
        leaver.save()
        on_own_site.user = leaver
        leaving.delete_account(on_own_site, leaver, password="Abschied-2026-Genossenschaft")
    return tenant


def test_every_mail_of_both_cooperatives_has_its_own_sender_name_and_host(
    demo, recorded_mails, django_capture_on_commit_callbacks
):
    for erp_id, company in demo.items():
        other = demo["EA" if erp_id == "LH" else "LH"]
        send_every_mail(company, other, django_capture_on_commit_callbacks)
    templates = {path.name.removesuffix("_subject.txt") for path in MAIL_TEMPLATES.glob("*_subject.txt")}
    for erp_id in HOSTS:
        sent = {prefix for prefix, speaker, _m in recorded_mails if speaker == erp_id}
        assert sent == templates, (erp_id, sorted(templates - sent))
    delivered = {id(message) for message in mail.outbox}
    checked = 0
    for prefix, speaker, message in recorded_mails:
        company = demo[speaker]
        text = "\n".join([message.subject, message.body, *(content for content, _t in message.alternatives)])
        assert message.from_email == company.mail_from, (prefix, speaker)
        own = ADMIN_HOST if prefix in STAFF_MAILS else HOSTS[speaker]
        assert foreign_links(text, own) == set(), (prefix, speaker, foreign_links(text, own))
        if prefix not in STAFF_MAILS:
            assert URL.search(text) or prefix in {"otp_code", "password_reset_code", "account_deleted", "account_deleted_staff", "code_request_rejected", "password_changed", "email_change_notice", "claim_rejected", "claim_matched"}, prefix  # fmt: skip
            name, other_name = (
                ("Serviceportal", "Mieterportal") if speaker == "EA" else ("Mieterportal", "Serviceportal")
            )
            assert name in text and other_name not in text, (prefix, speaker)
        checked += 1
    print(f"link test mails: {checked} rendered, {len(delivered)} delivered, {len(templates)} templates x 2")
    assert checked >= 2 * len(templates)


# -- letters --------------------------------------------------------------------------------------


def pdf_text(data):
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_every_letter_of_both_cooperatives_names_only_its_own_host(demo):
    from django.contrib.auth import get_user_model

    from wagtail_tenantportal.accounts import services
    from wagtail_tenantportal.documents import services as documents
    from wagtail_tenantportal.tenancy.models import Contract, Party

    for erp_id, company in demo.items():
        host = HOSTS[erp_id]
        out = io.BytesIO()
        batch = services.issue_letters(services.select_parties(company=company), out)
        text = pdf_text(out.getvalue())
        assert batch.count > 3 and f"https://{host}/portal/register/" in text
        assert foreign_links(text, host) == set(), (erp_id, foreign_links(text, host))
        user = get_user_model().objects.get(username=TENANTS[erp_id][0])
        contract = Contract.objects.visible_to(user).filter(kind=Contract.Kind.RENTAL).first()
        document = documents.generate_certificate(contract, "rent_certificate", user=user)
        with document.file.open("rb") as fh:
            certificate = pdf_text(fh.read())
        assert Party.objects.visible_to(user).first().last_name in certificate.split("Mietbescheinigung")[0]
        assert foreign_links(certificate, host) == set(), (erp_id, foreign_links(certificate, host))
