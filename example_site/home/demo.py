"""The German demo of the example site: pages, master data, letterheads, contact persons, logins.

``load_demo()`` is what ``manage.py load_demo_data`` runs. Every step may run again: pages and
records that exist are kept, the import is an idempotent upsert, the demo users get their demo
passwords back.
"""

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Page, Site

from wagtail_tenantportal.accounts.models import AccountParty, PortalAccount
from wagtail_tenantportal.tenancy.models import (
    Company,
    ContactPerson,
    ContactResponsibility,
    ImportRun,
    Party,
    Property,
    Topic,
)

from .models import HomePage, StandardPage

DEMO_DATA_DIR = Path(__file__).resolve().parent.parent / "demo_data"
#: The order of an ERP export; the import service sorts by kind anyway.
DEMO_FILES = [
    "companies.csv",
    "properties.csv",
    "units.csv",
    "parties.csv",
    "contracts.csv",
    "contract_parties.csv",
    "rent_components.csv",
]

# Demo logins. Printed at the end of the command; never use them outside the demo.
STAFF_USERNAME = "admin"
STAFF_EMAIL = "admin@wg-lindenhof.example"
STAFF_PASSWORD = "lindenhof-admin"
TENANT_EMAIL = "erika.mustermann@example.org"
TENANT_PASSWORD = "lindenhof-mieterin"
TENANT_COMPANY = "LH"
TENANT_PARTY = "10001"  # Erika Mustermann, Lindenhofstraße 14, EG links

SITE_NAME = "Wohnungsgenossenschaft Lindenhof eG"


class DemoDataError(Exception):
    """The demo could not be loaded (the import rejected rows); nothing of the import is saved."""


@dataclass
class DemoResult:
    import_result: object
    homepage: Page
    staff_user: object
    tenant_user: object


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------

HOME_TITLE = "Willkommen bei der Wohnungsgenossenschaft Lindenhof eG"
HOME_INTRO = (
    "<p>Seit 1928 bieten wir in Leipzig sicheres und bezahlbares Wohnen: rund 300 Wohnungen in "
    "Lindenau, Gohlis und Grünau, lebendige Nachbarschaften und eine Genossenschaft, die ihren "
    "Mitgliedern gehört.</p>"
    "<p>Im <b>Mieterportal</b> erledigen Sie Ihre Anliegen rund um die Uhr: Schäden melden, "
    "Dokumente wie die Betriebskostenabrechnung abrufen, Ihre Bankverbindung ändern und mit Ihrer "
    "Kundenbetreuerin Nachrichten austauschen. Das Portal teilen wir uns mit unserer "
    "Partnergenossenschaft, dem Bauverein Elsteraue eG.</p>"
)

# (slug, title, body, shown in the main menu)
STANDARD_PAGES = [
    (
        "ueber-uns",
        "Über uns",
        "<p>Die Wohnungsgenossenschaft Lindenhof eG wurde 1928 von Arbeiterfamilien aus Lindenau "
        "gegründet. Heute wohnen über 600 Menschen in unseren Häusern.</p>"
        "<h2>Genossenschaftlich wohnen</h2>"
        "<ul><li>lebenslanges Wohnrecht für Mitglieder</li>"
        "<li>faire Nutzungsgebühren statt Rendite für Dritte</li>"
        "<li>Mitbestimmung in der Vertreterversammlung</li></ul>"
        "<h2>Vorstand und Aufsichtsrat</h2>"
        "<p>Vorstand: Katrin Albrecht, Stefan Brandt. Vorsitzender des Aufsichtsrats: "
        "Dr. Werner Fuchs.</p>",
        True,
    ),
    (
        "mieterportal-so-funktionierts",
        "Mieterportal – so funktioniert's",
        "<p>Mit dem Mieterportal erreichen Sie uns jederzeit – auch außerhalb unserer Sprechzeiten.</p>"
        "<h2>In drei Schritten zum Zugang</h2>"
        "<ol><li>Sie erhalten von uns einen Brief mit Ihrem persönlichen Registrierungscode.</li>"
        "<li>Sie registrieren sich mit Ihrer Vertragsnummer, dem Code und Ihrer E-Mail-Adresse.</li>"
        "<li>Sie bestätigen Ihre E-Mail-Adresse über den Link, den wir Ihnen senden.</li></ol>"
        "<h2>Was Sie im Portal erledigen können</h2>"
        "<ul><li>Schäden melden – auf Wunsch mit Foto</li>"
        "<li>Dokumente abrufen, etwa die Betriebskostenabrechnung oder eine Mietbescheinigung</li>"
        "<li>Ihre Kontaktdaten und Ihre Bankverbindung aktualisieren</li>"
        "<li>Nachrichten an Ihre Kundenbetreuerin oder Ihren Kundenbetreuer senden</li></ul>"
        "<p>Bei Notfällen wie Wasserrohrbruch, Heizungsausfall oder Gasgeruch rufen Sie bitte "
        "immer direkt unseren Notdienst an: 0341 23125-99.</p>",
        False,  # linked from the homepage; the menu already has "Mieterportal"
    ),
    (
        "kontakt",
        "Kontakt",
        "<p>Wohnungsgenossenschaft Lindenhof eG<br>Lindenhofstraße 12<br>04177 Leipzig</p>"
        "<p>Telefon: 0341 23125-0<br>E-Mail: info@wg-lindenhof.example</p>"
        "<h2>Sprechzeiten</h2>"
        "<p>Montag und Mittwoch 9–12 Uhr<br>Dienstag und Donnerstag 13–18 Uhr</p>"
        "<h2>Notdienst</h2>"
        "<p>Außerhalb der Sprechzeiten erreichen Sie unseren Notdienst unter 0341 23125-99.</p>",
        True,
    ),
]


def build_pages():
    """Make a German ``HomePage`` the root of the default site and add the standard pages.

    Wagtail's own welcome page is replaced the first time; pages that exist are left as
    editors may have changed them. Returns the homepage.
    """
    root = Page.get_first_root_node()
    homepage = HomePage.objects.filter(depth=2).first()
    if homepage is None:
        homepage = root.add_child(
            instance=HomePage(title=HOME_TITLE, seo_title="Startseite", slug="startseite", intro=HOME_INTRO)
        )
        homepage.save_revision().publish()
        # Wagtail's welcome page is a plain Page; sites pointing at it would be deleted with it.
        welcome = Page.objects.filter(depth=2, content_type=ContentType.objects.get_for_model(Page))
        Site.objects.filter(root_page__in=welcome).update(root_page=homepage)
        for page in welcome:
            page.delete()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(is_default_site=True, hostname="127.0.0.1", port=8000)
    site.root_page = homepage
    site.site_name = SITE_NAME
    site.save()

    existing = set(homepage.get_children().values_list("slug", flat=True))
    for slug, title, body, in_menu in STANDARD_PAGES:
        if slug in existing:
            continue
        page = homepage.add_child(
            instance=StandardPage(title=title, slug=slug, body=body, show_in_menus=in_menu)
        )
        page.save_revision().publish()
    return homepage


# --------------------------------------------------------------------------------------------
# Master data and what the ERP export does not carry
# --------------------------------------------------------------------------------------------


def import_demo_files():
    """Import the CSVs in ``demo_data/`` through the portal's import service.

    Raises ``DemoDataError`` listing the first rejected rows if the import did not commit.
    """
    from wagtail_tenantportal.tenancy.services import ImportFile, import_master_data

    files = [ImportFile.from_path(DEMO_DATA_DIR / name) for name in DEMO_FILES]
    result = import_master_data(files, source=ImportRun.Source.COMMAND)
    if result.errors or not result.committed:
        lines = [str(error) for error in result.errors[:20]]
        raise DemoDataError("\n".join(["The demo data were not imported:", *lines]))
    return result


LETTERHEADS = {
    "LH": {
        "short_name": "WG Lindenhof",
        "fax": "0341 23125-19",
        "opening_hours": "Mo und Mi 9–12 Uhr\nDi und Do 13–18 Uhr",
        "emergency_phone": "0341 23125-99",
        "sender_line": "WG Lindenhof eG · Lindenhofstraße 12 · 04177 Leipzig",
        "management_board": "Katrin Albrecht, Stefan Brandt",
        "supervisory_board_chair": "Dr. Werner Fuchs",
        "register_court": "Amtsgericht Leipzig",
        "register_number": "GnR 1287",
        "tax_number": "231/140/01234",
        "bank_name": "Sparkasse Leipzig",
        "iban": "DE31860555921100234567",
        "bic": "WELADE8LXXX",
        "has_savings_scheme": True,
    },
    "EA": {
        "short_name": "Bauverein Elsteraue",
        "opening_hours": "Di 9–12 Uhr und 14–18 Uhr\nDo 9–12 Uhr",
        "emergency_phone": "0341 90009-111",
        "sender_line": "Bauverein Elsteraue eG · Könneritzstraße 88 · 04229 Leipzig",
        "management_board": "Thomas Reinhardt, Susanne Keller",
        "supervisory_board_chair": "Ingrid Pohl",
        "register_court": "Amtsgericht Leipzig",
        "register_number": "GnR 902",
        "tax_number": "232/140/05678",
        "bank_name": "Leipziger Volksbank",
        "iban": "DE77860956040307123400",
        "bic": "GENODEF1LVB",
        "portal_name": "Serviceportal",
        "registration_flow": Company.RegistrationFlow.VERIFY_LATER,
        "two_factor_policy": Company.TwoFactorPolicy.REQUIRED,
    },
}

# company -> [(name, position, phone, email, office hours, [(topic, property erp id or None), ...])]
# None: the whole company. Resolution prefers a property over the company, then the topic.
CONTACT_PERSONS = {
    "LH": [
        (
            "Sandra Vogel",
            "Kundenbetreuerin",
            "0341 23125-21",
            "s.vogel@wg-lindenhof.example",
            "Mo–Do 9–12 Uhr",
            [(Topic.GENERAL, None), (Topic.GENERAL, "WE01"), (Topic.GENERAL, "WE02")],
        ),
        (
            "Michael Hartmann",
            "Kundenbetreuer",
            "0341 23125-22",
            "m.hartmann@wg-lindenhof.example",
            "Mo–Do 9–12 Uhr",
            [(Topic.GENERAL, "WE03")],
        ),
        (
            "Jens Richter",
            "Haustechnik",
            "0341 23125-31",
            "technik@wg-lindenhof.example",
            "Mo–Fr 7–15 Uhr",
            [(Topic.TECHNICAL, "WE01"), (Topic.TECHNICAL, "WE02"), (Topic.TECHNICAL, "WE03")],
        ),
        (
            "Petra Lorenz",
            "Mitgliederwesen und Spareinrichtung",
            "0341 23125-41",
            "mitglieder@wg-lindenhof.example",
            "Di und Do 13–18 Uhr",
            [(Topic.MEMBERSHIP, None), (Topic.SAVINGS, None)],
        ),
    ],
    "EA": [
        (
            "Claudia Neumann",
            "Kundenbetreuerin",
            "0341 90009-120",
            "c.neumann@bauverein-elsteraue.example",
            "Di und Do 9–12 Uhr",
            [(Topic.GENERAL, None), (Topic.GENERAL, "100"), (Topic.GENERAL, "200")],
        ),
        (
            "Frank Lehmann",
            "Hausmeister",
            "0160 90009130",
            "hausmeister@bauverein-elsteraue.example",
            "Mo–Fr 7–14 Uhr",
            [(Topic.TECHNICAL, "100"), (Topic.TECHNICAL, "200")],
        ),
    ],
}


def set_letterheads():
    """Per-company letterhead and portal options (not part of an ERP export)."""
    for erp_id, values in LETTERHEADS.items():
        company = Company.objects.get(erp_id=erp_id)
        for name, value in values.items():
            setattr(company, name, value)
        company.full_clean()
        company.save()


def set_contact_persons():
    """Contact persons and what they are responsible for: per property, or the whole company."""
    for erp_id, people in CONTACT_PERSONS.items():
        company = Company.objects.get(erp_id=erp_id)
        for name, position, phone, email, office_hours, duties in people:
            person, _ = ContactPerson.objects.update_or_create(
                company=company,
                name=name,
                defaults={"position": position, "phone": phone, "email": email, "office_hours": office_hours},
            )
            for topic, property_erp_id in duties:
                prop = (
                    Property.objects.get(company=company, erp_id=property_erp_id) if property_erp_id else None
                )
                ContactResponsibility.objects.get_or_create(
                    contact_person=person, company=company, property=prop, contract=None, topic=topic
                )


# --------------------------------------------------------------------------------------------
# Logins
# --------------------------------------------------------------------------------------------


def create_staff_user():
    User = get_user_model()
    user = User.objects.filter(username=STAFF_USERNAME).first() or User(username=STAFF_USERNAME)
    user.email = STAFF_EMAIL
    user.first_name, user.last_name = "Demo", "Verwaltung"
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(STAFF_PASSWORD)
    user.save()
    return user


def create_tenant_account():
    """A ready portal login for Erika Mustermann (email as username) linked to her party."""
    party = Party.objects.get(company__erp_id=TENANT_COMPANY, erp_id=TENANT_PARTY)
    User = get_user_model()
    user = User.objects.filter(username=TENANT_EMAIL).first() or User(username=TENANT_EMAIL)
    user.email = TENANT_EMAIL
    user.first_name, user.last_name = party.first_name, party.last_name
    user.is_active = True
    user.is_staff = user.is_superuser = False
    user.set_password(TENANT_PASSWORD)
    user.save()
    account, _ = PortalAccount.objects.get_or_create(user=user)
    AccountParty.objects.update_or_create(account=account, party=party, defaults={"active": True})
    # The party's email on file is the login address.
    if party.email != TENANT_EMAIL:
        party.email = TENANT_EMAIL
        party.save(update_fields=["email"])
    return user


def load_demo():
    """Build the whole demo; safe to run again. Returns a ``DemoResult``."""
    import_result = import_demo_files()  # its own transaction
    with transaction.atomic():
        homepage = build_pages()
        set_letterheads()
        set_contact_persons()
        staff_user = create_staff_user()
        tenant_user = create_tenant_account()
    return DemoResult(import_result, homepage, staff_user, tenant_user)
