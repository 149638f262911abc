"""The example site's demo loader (``manage.py load_demo_data``).

Needs the example site's apps, so it runs in its own pytest invocation:
``pytest --ds=tests.example_settings tests/test_demo.py`` (``make test`` does). Under the
suite's default settings these tests are skipped.
"""

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

pytestmark = [
    pytest.mark.skipif(
        not apps.is_installed("home"),
        reason="example site not installed: run pytest --ds=tests.example_settings tests/test_demo.py",
    ),
    pytest.mark.django_db,
]


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """The demo's documents go to a temporary folder, not into example_site/private/."""
    storages = {name: dict(config) for name, config in settings.STORAGES.items()}
    storages["tenantportal_private"]["OPTIONS"] = {"location": str(tmp_path / "private")}
    settings.STORAGES = storages


@pytest.fixture
def demo(capsys):
    """Load the demo twice (the second run must change nothing) and return the second output."""
    call_command("load_demo_data")
    capsys.readouterr()
    call_command("load_demo_data")
    return capsys.readouterr().out


def test_demo_loads_twice_with_the_same_data(demo):
    from wagtail_tenantportal.tenancy.models import (
        Company,
        ContactPerson,
        ContactResponsibility,
        Contract,
        ContractParty,
        Party,
        Property,
        RentComponent,
        Unit,
    )

    assert Company.objects.count() == 2
    assert Property.objects.count() == 5
    assert Unit.objects.count() == 42
    assert {kind: Unit.objects.filter(kind=kind).count() for kind in Unit.Kind} == {
        Unit.Kind.FLAT: 32,
        Unit.Kind.PARKING: 9,
        Unit.Kind.COMMERCIAL: 1,
    }
    assert Party.objects.count() == 38
    kinds = {kind: Contract.objects.filter(kind=kind).count() for kind in Contract.Kind}
    assert all(kinds.values()), kinds
    assert Contract.objects.count() == 79
    assert ContractParty.objects.filter(role=ContractParty.Role.CO_TENANT).count() == 5
    assert RentComponent.objects.count() == 173
    assert ContactPerson.objects.count() == 6
    assert ContactResponsibility.objects.count() == 14
    # Second run: everything unchanged.
    assert "79 unchanged" in demo
    assert " new" in demo and not any(f"{n} new" in demo for n in range(1, 200))


def test_letterheads_and_contact_persons_per_company(demo):
    from wagtail_tenantportal.tenancy.models import Company, Contract, Topic
    from wagtail_tenantportal.tenancy.services import contact_person_for

    lindenhof = Company.objects.get(erp_id="LH")
    assert lindenhof.display_name == "Wohnungsgenossenschaft Lindenhof eG"
    assert lindenhof.register_court == "Amtsgericht Leipzig"
    assert lindenhof.emergency_phone and lindenhof.opening_hours and lindenhof.sender_line
    assert lindenhof.has_savings_scheme
    elsteraue = Company.objects.get(erp_id="EA")
    assert elsteraue.two_factor_policy == Company.TwoFactorPolicy.REQUIRED
    contract = Contract.objects.get(company=lindenhof, number="0101-01")
    assert contact_person_for(contract).name == "Sandra Vogel"
    assert contact_person_for(contract, Topic.TECHNICAL).name == "Jens Richter"
    gruenau = Contract.objects.get(company=lindenhof, number="0304-01")
    assert contact_person_for(gruenau).name == "Michael Hartmann"
    assert contact_person_for(gruenau, Topic.TECHNICAL).name == "Jens Richter"
    membership = Contract.objects.get(company=lindenhof, number="M-1001")
    assert contact_person_for(membership, Topic.MEMBERSHIP).name == "Petra Lorenz"
    assert contact_person_for(membership).name == "Sandra Vogel"
    elster_flat = Contract.objects.get(company=elsteraue, number="100.001.1")
    assert contact_person_for(elster_flat).name == "Claudia Neumann"
    assert contact_person_for(elster_flat, Topic.TECHNICAL).name == "Frank Lehmann"


def test_every_bank_account_is_valid(demo):
    from wagtail_tenantportal.tenancy.models import Company, Contract
    from wagtail_tenantportal.tenancy.validators import iban_is_valid

    ibans = list(Contract.objects.exclude(iban="").values_list("iban", flat=True))
    ibans += list(Company.objects.values_list("iban", flat=True))
    assert len(ibans) > 30
    assert all(iban.startswith("DE") and len(iban) == 22 and iban_is_valid(iban) for iban in ibans)


def test_tenant_account_sees_her_contracts_only(demo):
    from wagtail_tenantportal.tenancy.models import Contract

    user = authenticate(username="erika.mustermann@example.org", password="lindenhof-mieterin")
    assert user is not None and not user.is_staff
    visible = Contract.objects.visible_to(user)
    assert sorted(visible.values_list("kind", flat=True)) == ["membership", "parking", "rental", "savings"]
    rental = visible.get(kind=Contract.Kind.RENTAL)
    assert rental.number == "0101-01"
    assert rental.unit.property.street == "Lindenhofstraße 14"
    assert {c.label for c in rental.current_rent_components()} == {
        "Grundmiete",
        "Betriebskostenvorauszahlung",
        "Heizkostenvorauszahlung",
    }
    assert Contract.objects.count() > visible.count()


def test_staff_login_works(demo):
    user = authenticate(username="admin", password="lindenhof-admin")
    assert user is not None and user.is_superuser


def test_homepage_lists_both_cooperatives(demo, client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Willkommen bei der Wohnungsgenossenschaft Lindenhof eG" in html
    assert "Wohnungsgenossenschaft Lindenhof eG</h3>" in html
    assert "Bauverein Elsteraue eG</h3>" in html
    assert 'href="/mieterportal-so-funktionierts/"' in html
    assert '<a href="/kontakt/">Kontakt</a>' in html  # in the main menu
    for path in ["/ueber-uns/", "/mieterportal-so-funktionierts/", "/kontakt/"]:
        assert client.get(path).status_code == 200
    assert "Demo logins" in demo and "erika.mustermann@example.org" in demo


def test_damage_taxonomy_is_seeded_once(demo):
    from wagtail_tenantportal.tickets.models import DamageKind, DamageLocation
    from wagtail_tenantportal.tickets.taxonomy import GERMAN_TAXONOMY

    assert DamageLocation.objects.count() == len(GERMAN_TAXONOMY)  # not twice after the second run
    assert DamageLocation.objects.get(name="Treppenhaus / Hauseingang").is_shared_area
    assert DamageLocation.objects.get(name="Aufzug").is_shared_area
    assert DamageKind.objects.get(name="Gasgeruch", category__location__name="Küche").is_urgent()
    assert DamageKind.objects.filter(category__name="Sanitär", name="Wasserhahn tropft").count() == 2


def test_portal_pages_exist_and_the_site_links_them(demo, client):
    from wagtail_tenantportal.page_setup import portal_page_types

    slugs = {
        "PortalLoginPage": "anmelden",
        "RegistrationPage": "registrieren",
        "AccountPage": "mein-konto",
        "DamageReportPage": "schaden-melden",
        "RequestListPage": "meine-anliegen",
        "DocumentsPage": "meine-dokumente",
        "DashboardPage": "uebersicht",
        "ContractsPage": "meine-vertraege",
        "NoticesPage": "aushaenge",
        "ConsumptionPage": "mein-verbrauch",
        "SavingsPage": "meine-spareinlagen",
    }
    from home.models import HomePage

    lindenhof = HomePage.objects.get(slug="startseite")
    for model, _title in portal_page_types():
        pages = model.objects.live()
        assert pages.count() == 2, model  # one per site; the second run added none
        assert {page.slug for page in pages} == {slugs[model.__name__]}
        assert pages.child_of(lindenhof).count() == 1
    html = client.get("/").content.decode()
    for slug in slugs.values():
        assert f'href="/{slug}/"' in html
    assert client.get("/anmelden/").status_code == 200
    assert client.get("/registrieren/").status_code == 200
    for slug in slugs.values():
        assert f"http://testserver/{slug}/" in demo  # the command prints the portal URLs


def test_tenant_sees_her_requests_with_history_and_replies(demo):
    from wagtail_tenantportal.tickets.models import Ticket, TicketMessage

    assert Ticket.objects.count() == 3  # the second run filed none
    user = authenticate(username="erika.mustermann@example.org", password="lindenhof-mieterin")
    tickets = {ticket.subject: ticket for ticket in Ticket.objects.visible_to(user)}
    assert len(tickets) == 3
    tap = tickets["Wasserhahn in der Küche tropft"]
    assert tap.status.code == "in_progress" and tap.damage_summary == "Küche – Sanitär – Wasserhahn tropft"
    assert tap.assignee.get_full_name() == "Jens Richter"  # routed to the technical contact person
    assert [c.to_status.code for c in tap.status_changes.all()] == ["new", "in_progress"]
    reply = tap.messages.public().get()
    assert reply.author_role == TicketMessage.Role.STAFF and "Sanitär Krause" in reply.body
    heating = tickets["Heizkörper im Schlafzimmer bleibt kalt"]
    assert heating.status.is_closed and heating.closed_at is not None
    assert [c.to_status.code for c in heating.status_changes.all()] == ["new", "in_progress", "done"]
    question = tickets["Frage zur Betriebskostenabrechnung 2025"]
    assert question.status.code == "new" and question.assignee.get_full_name() == "Sandra Vogel"
    staff = authenticate(username="technik@wg-lindenhof.example", password="lindenhof-team")
    assert staff is not None and staff.has_perm("tenantportal_tickets.change_ticket")
    assert not Ticket.objects.visible_to(staff).exists()


def test_tenant_sees_her_documents(demo):
    from wagtail_tenantportal.documents.models import Document
    from wagtail_tenantportal.tenancy.models import Contract

    assert Document.objects.count() == 2  # the second run published none
    user = authenticate(username="erika.mustermann@example.org", password="lindenhof-mieterin")
    documents = {doc.category.key: doc for doc in Document.objects.visible_to(user)}
    assert set(documents) == {"operating_cost_statement", "house_rules"}
    statement = documents["operating_cost_statement"]
    assert statement.title == "Betriebskostenabrechnung 2025" and statement.contract.number == "0101-01"
    assert statement.file.open("rb").read(5) == b"%PDF-"
    statement.file.close()
    assert documents["house_rules"].property.street == "Lindenhofstraße 14"
    # A tenant of another building sees neither.
    other = Contract.objects.filter(kind=Contract.Kind.RENTAL).exclude(
        unit__property__street="Lindenhofstraße 14"
    )
    assert other.exists()
    assert not Document.objects.filter(contract__in=other).exists()


def test_tenant_pages_show_her_requests_and_documents(demo, client):
    from django.utils import timezone

    from wagtail_tenantportal.accounts.models import PortalAccount

    # The first login asks her to check her contact data; here that is done.
    PortalAccount.objects.filter(user__username="erika.mustermann@example.org").update(
        contact_checked_at=timezone.now()
    )
    assert client.login(username="erika.mustermann@example.org", password="lindenhof-mieterin")
    requests_html = client.get("/meine-anliegen/").content.decode()
    assert "Wasserhahn in der Küche tropft" in requests_html and "In Bearbeitung" in requests_html
    documents_html = client.get("/meine-dokumente/").content.decode()
    assert "Betriebskostenabrechnung 2025" in documents_html and "Hausordnung" in documents_html
    nav = client.get("/").content.decode()
    assert 'href="/meine-dokumente/"' in nav and 'href="/mein-konto/"' in nav


# ---- two cooperatives, two sites, one portal ---------------------------------------------------

ELSTERAUE = "elsteraue.localhost"


def test_each_cooperative_has_its_own_site(demo, client):
    from wagtail.models import Site

    assert Site.objects.count() == 2
    lindenhof = client.get("/").content.decode()
    elsteraue = client.get("/", HTTP_HOST=ELSTERAUE).content.decode()
    assert "Willkommen bei der Wohnungsgenossenschaft Lindenhof eG" in lindenhof
    assert '<a class="site-logo" href="/">WG Lindenhof eG</a>' in lindenhof
    assert "Lindenhofstraße 12 · 04177 Leipzig" in lindenhof
    assert "Willkommen beim Bauverein Elsteraue eG" in elsteraue
    assert '<a class="site-logo" href="/">Bauverein Elsteraue</a>' in elsteraue
    footer = elsteraue[elsteraue.index('<footer class="site-footer">') :]
    assert "Bauverein Elsteraue eG · Könneritzstraße 88 · 04229 Leipzig" in footer
    assert "Lindenhof" not in footer
    assert "– Bauverein Elsteraue eG</title>" in elsteraue
    assert ">Serviceportal</a>" in elsteraue  # the company's own portal name
    # Each site links its own portal pages (the same paths, on its own host).
    for path in ["/anmelden/", "/registrieren/", "/kontakt/", "/ueber-uns/"]:
        assert client.get(path, HTTP_HOST=ELSTERAUE).status_code == 200, path
    assert 'href="/anmelden/"' in elsteraue
    assert "http://elsteraue.localhost/anmelden/" in demo and "dirk.herrmann@example.org" in demo


def test_the_site_says_the_active_language(demo, client):
    """The host's base template takes ``lang`` from the active language: German by default, English
    (as the portal's texts then are) for a browser that asks for it."""
    assert '<html lang="de">' in client.get("/anmelden/").content.decode()
    english = client.get("/anmelden/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english and "Password" in english


def _theme_of(client, html, host):
    import re

    (url,) = re.findall(r'<link rel="stylesheet" href="(/portal/theme\.css\?v=[0-9a-f]+)">', html)
    return client.get(url, HTTP_HOST=host).content.decode()


def test_each_site_has_its_own_theme(demo, client, settings):
    lindenhof_html = client.get("/anmelden/").content.decode()
    elsteraue_html = client.get("/anmelden/", HTTP_HOST=ELSTERAUE).content.decode()
    for html in (lindenhof_html, elsteraue_html):
        assert html.count("/portal/theme.css") == 1  # linked by base.html and the layout: once
        assert html.index("portal.css") < html.index("/portal/theme.css")
    lindenhof = _theme_of(client, lindenhof_html, "testserver")
    elsteraue = _theme_of(client, elsteraue_html, ELSTERAUE)
    assert "--tp-color-primary: #9b2915;" in lindenhof and "Georgia" not in lindenhof
    assert "--tp-color-primary: #1d4d33;" in elsteraue
    assert "--tp-font-family: Georgia" in elsteraue and "--tp-radius: 0.75rem;" in elsteraue
    # The site's own pages get the theme too (its header follows the primary colour).
    assert "/portal/theme.css" in client.get("/kontakt/", HTTP_HOST=ELSTERAUE).content.decode()
    # The themes keep the contrast the check asks for.
    from wagtail_tenantportal.core.checks import check_theme

    assert check_theme() == []


def test_elsteraue_tenant_logs_in_on_his_site(demo, client):
    from wagtail_tenantportal.tenancy.models import Contract

    response = client.post(
        "/anmelden/",
        {"email": "dirk.herrmann@example.org", "password": "elsteraue-mieter"},
        HTTP_HOST=ELSTERAUE,
    )
    assert response.status_code == 302
    # Bauverein Elsteraue requires two-factor: the first login leads to setting up a method.
    assert "/portal/2fa/" in response["Location"]
    setup = client.get(response["Location"], HTTP_HOST=ELSTERAUE)
    assert setup.status_code == 200 and "Bauverein Elsteraue" in setup.content.decode()
    user = authenticate(username="dirk.herrmann@example.org", password="elsteraue-mieter")
    contracts = Contract.objects.visible_to(user)
    assert "100.002.1" in {c.number for c in contracts} and {c.company.erp_id for c in contracts} == {"EA"}


# ---- notices, consumption, savings, a host page with portal blocks ------------------------------

ERIKA = ("erika.mustermann@example.org", "lindenhof-mieterin")


def _login_erika(client):
    from django.utils import timezone

    from wagtail_tenantportal.accounts.models import PortalAccount

    # The first login asks her to check her contact data; here that is done.
    PortalAccount.objects.filter(user__username=ERIKA[0]).update(contact_checked_at=timezone.now())
    assert client.login(username=ERIKA[0], password=ERIKA[1])


def _euro(value):
    """German money as the portal prints it: 7.549,19."""
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def test_notices_of_both_cooperatives(demo, client):
    from wagtail_tenantportal.notices.models import Notice

    assert Notice.objects.count() == 5  # the second run published none
    erika = authenticate(username=ERIKA[0], password=ERIKA[1])
    dirk = authenticate(username="dirk.herrmann@example.org", password="elsteraue-mieter")
    erikas = list(Notice.objects.for_tenant(erika))
    assert [n.title for n in erikas][0] == "Wasserabstellung in der Lindenhofstraße 14"  # important first
    assert {n.title for n in erikas} == {
        "Wasserabstellung in der Lindenhofstraße 14",
        "Treppenhausreinigung: neuer Dienstleister",
        "Sommerfest im Innenhof",
    }
    assert erikas[0].important and erikas[0].visible_until is not None
    assert {n.title for n in Notice.objects.visible_to(dirk)} == {
        "Wartung des Aufzugs in der Rödelstraße 5",
        "Neue Fahrradbügel im Hof",
    }
    _login_erika(client)
    html = client.get("/aushaenge/").content.decode()
    assert "Wasserabstellung in der Lindenhofstraße 14" in html and "Wichtig" in html
    assert "Rödelstraße" not in html


def test_an_expired_demo_notice_is_shown_again_not_doubled(demo):
    import datetime

    from django.utils import timezone
    from home import demo as demo_module

    from wagtail_tenantportal.notices.models import Notice

    later = timezone.now() + datetime.timedelta(days=60)
    demo_module.create_demo_notices(None, now=later)
    assert Notice.objects.count() == 5
    water = Notice.objects.get(title="Wasserabstellung in der Lindenhofstraße 14")
    assert water.visible_from == later and water.visible_until > later
    assert water in Notice.objects.current(later)


def _last_month(today):
    import datetime

    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def test_consumption_page_shows_last_months_figures(demo, client):
    from decimal import Decimal

    from django.utils import timezone
    from django.utils.formats import date_format
    from home import demo as demo_module

    from wagtail_tenantportal.consumption.models import Benchmark, Meter, MonthlyConsumption
    from wagtail_tenantportal.consumption.services import consumption_information, format_amount

    assert Meter.objects.count() == 7
    assert MonthlyConsumption.objects.count() == 7 * 24  # the second run added none
    assert Benchmark.objects.count() == 2 * 2 * 24
    today = timezone.localdate()
    month = _last_month(today)
    # Her heating in the last month: the four heat cost allocators × their kWh factor.
    rows, _benchmarks = demo_module.demo_consumption_rows(today)
    factors = {m.erp_id: m.conversion_factor for m in Meter.objects.filter(company__erp_id="LH")}
    heating = sum(
        Decimal(value.replace(",", ".")) * factors[meter]
        for _company, meter, when, value, _estimated in rows[1:]
        if when == f"{month:%m.%Y}" and "HKV" in meter
    )
    erika = authenticate(username=ERIKA[0], password=ERIKA[1])
    info = consumption_information(erika)
    assert info.month == month
    card = next(c for c in info.cards if c.kind_label == "Heizung")
    assert card.current_text == format_amount(heating, "kwh")
    assert card.last_year.value is not None and card.benchmark.value is not None

    _login_erika(client)
    html = client.get("/mein-verbrauch/").content.decode()
    month_name = date_format(month, "F Y")
    assert f"Heizung im {month_name} (kWh)" in html  # the latest month is the default
    assert f'<option value="{month:%Y-%m}" selected>' in html
    assert format_amount(heating, "kwh") in html
    assert "Warmwasser" in html and "Durchschnittsnutzer" in html


def test_demo_consumption_values_do_not_change_with_the_load_date():
    import datetime

    from home import demo as demo_module

    now, _ = demo_module.demo_consumption_rows(datetime.date(2026, 11, 21))
    later, _ = demo_module.demo_consumption_rows(datetime.date(2027, 2, 3))
    assert len(now) == len(later) == 1 + 24 * 7
    assert now[1:][3 * 7 :] == later[1:][: 21 * 7]  # the common 21 months are the same rows
    savings_now = demo_module.demo_savings_transactions(datetime.date(2026, 11, 21))
    savings_later = demo_module.demo_savings_transactions(datetime.date(2027, 2, 3))
    assert savings_later[: len(savings_now)] == savings_now


def test_savings_page_shows_her_balance(demo, client):
    from decimal import Decimal

    from django.utils import timezone
    from home import demo as demo_module

    from wagtail_tenantportal.savings.models import ExemptionOrder, SavingsAccount, SavingsTransaction

    rows = demo_module.demo_savings_transactions(timezone.localdate())
    assert SavingsAccount.objects.count() == 1
    assert SavingsTransaction.objects.count() == len(rows) - 1 > 24  # about two years, not doubled
    assert ExemptionOrder.objects.get().amount == Decimal("1000.00")
    kinds = set(SavingsTransaction.objects.values_list("kind", flat=True))
    assert {"deposit", "withdrawal", "interest", "tax"} <= kinds
    # Tax only before her exemption order (valid from 2025).
    assert not SavingsTransaction.objects.filter(kind="tax", booking_date__year__gte=2025).exists()
    balance = Decimal(rows[-1][6].replace(",", "."))
    erika = authenticate(username=ERIKA[0], password=ERIKA[1])
    account = SavingsAccount.objects.visible_to(erika).with_balance().get()
    assert account.balance == balance and account.contract.number == "SP-7001"

    _login_erika(client)
    html = client.get("/meine-spareinlagen/").content.decode()
    assert "7001-01" in html and f"{_euro(balance)} €" in html
    assert "1.000,00" in html  # her exemption order
    detail = client.get(f"/portal/savings/{account.pk}/").content.decode()
    assert "Kapitalertragsteuer 2024" in detail and "Zinsen 2025" in detail


SERVICE_HEADINGS = ["Ihre Übersicht", "Aktuelle Aushänge", "Ihre Ansprechpartnerin", "Anliegen melden"]


def test_service_page_renders_its_blocks_for_visitors_and_the_tenant(demo, client):
    from home.models import HomePage, PortalContentPage

    page = PortalContentPage.objects.get()  # one, the second run added none
    assert page.slug == "service" and page.get_parent().specific == HomePage.objects.get(slug="startseite")
    assert [block.block_type for block in page.body] == [
        "text",
        "portal_dashboard",
        "portal_notices",
        "portal_contact_person",
        "portal_new_request",
    ]
    assert "http://testserver/service/" in demo  # the command prints its URL

    response = client.get("/service/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Service für Mieter</h1>" in html and "schnell erledigen" in html
    assert "wagtail_tenantportal/css/portal.css" in html
    for heading in SERVICE_HEADINGS:
        assert f"<h2>{heading}</h2>" in html
    assert html.count("tp-login-prompt") == 4  # every portal block asks the visitor to log in
    assert 'href="/portal/login/?next=%2Fservice%2F"' in html
    assert "Wasserabstellung" not in html and "Sandra Vogel" not in html

    _login_erika(client)
    html = client.get("/service/").content.decode()
    for heading in SERVICE_HEADINGS:
        assert f"<h2>{heading}</h2>" in html
    assert "tp-login-prompt" not in html
    assert "Wasserabstellung in der Lindenhofstraße 14" in html  # notices block and widget
    assert "Sandra Vogel" in html  # contact person
    assert 'href="/portal/requests/new/damage_report/"' in html  # new request
    assert "Konto 7001-01" in html and "Mein Verbrauch" in html  # the overview's widgets


def test_a_third_run_creates_nothing(demo):
    from home import demo as demo_module
    from wagtail.models import Page

    from wagtail_tenantportal.consumption.models import Benchmark, Meter, MonthlyConsumption
    from wagtail_tenantportal.notices.models import Notice
    from wagtail_tenantportal.savings.models import (
        ExemptionOrder,
        SavingsAccount,
        SavingsAccountHolder,
        SavingsTransaction,
    )

    models = [
        Page,
        Notice,
        Meter,
        MonthlyConsumption,
        Benchmark,
        SavingsAccount,
        SavingsAccountHolder,
        SavingsTransaction,
        ExemptionOrder,
    ]
    before = {model.__name__: model.objects.count() for model in models}
    result = demo_module.load_demo()
    assert {model.__name__: model.objects.count() for model in models} == before
    for import_result in (result.consumption_result, result.savings_result):
        assert all(not c.created and not c.updated for c in import_result.counts.values())


def test_each_cooperative_has_a_staff_group_and_demo_staff(demo, client):
    """One customer-service group per cooperative (the permissions docs/staff-admin.md lists),
    its contact persons' logins in it, printed by the command; each sees its own cooperative."""
    from django.urls import reverse

    from wagtail_tenantportal.tenancy.models import Company
    from wagtail_tenantportal.tickets.models import Ticket

    lindenhof, elsteraue = Company.objects.get(erp_id="LH"), Company.objects.get(erp_id="EA")
    assert [g.name for g in lindenhof.staff_groups.all()] == ["Kundenbetreuung Lindenhof"]
    assert [g.name for g in elsteraue.staff_groups.all()] == ["Kundenbetreuung Elsteraue"]
    assert "Kundenbetreuung Lindenhof:" in demo and "Kundenbetreuung Elsteraue:" in demo
    assert "hausmeister@bauverein-elsteraue.example" in demo and "technik@wg-lindenhof.example" in demo
    technik = authenticate(username="technik@wg-lindenhof.example", password="lindenhof-team")
    hausmeister = authenticate(username="hausmeister@bauverein-elsteraue.example", password="lindenhof-team")
    for user, own, other in ((technik, lindenhof, elsteraue), (hausmeister, elsteraue, lindenhof)):
        assert list(Company.objects.for_staff(user)) == [own]
        assert not Company.objects.for_staff(user).filter(pk=other.pk).exists()
        for permission in (
            "tenantportal_tickets.change_ticket",
            "tenantportal_documents.add_printbatch",
            "tenantportal_accounts.add_registrationcode",
            "tenantportal_accounts.change_portalaccount",
            "tenantportal_tenancy.view_party",
        ):
            assert user.has_perm(permission), permission
    lindenhof_ticket = Ticket.objects.filter(company=lindenhof).first()
    assert lindenhof_ticket is not None and lindenhof_ticket.assignee.groups.filter(
        name="Kundenbetreuung Lindenhof"
    )
    client.force_login(hausmeister)
    inbox = client.get(reverse("tenantportal_tickets:index")).content.decode()
    assert lindenhof_ticket.reference not in inbox
    assert client.get(reverse("tenantportal_tickets:detail", args=[lindenhof_ticket.pk])).status_code == 404
    client.force_login(technik)
    assert lindenhof_ticket.reference in client.get(reverse("tenantportal_tickets:index")).content.decode()
