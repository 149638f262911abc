"""The German demo of the example site: pages, master data, letterheads, contact persons, logins,
the portal pages, a damage taxonomy, requests and documents of the demo tenant, the notice
boards of both cooperatives, consumption information of the two demo tenants' flats, Erika
Mustermann's savings account, and a host page mixing text with portal blocks (``/service/``).

Two cooperatives share the one portal installation, each with its own Wagtail site: the
Wohnungsgenossenschaft Lindenhof eG (the default site, 127.0.0.1 / localhost) and the
Bauverein Elsteraue eG (elsteraue.localhost, same port). Each site has its own homepage, its
portal pages below it, its name and address in the header and footer (the site setting
``home.CooperativeSettings``) and its own colours (the portal's ``SITE_THEMES`` setting).

``load_demo()`` is what ``manage.py load_demo_data`` runs. Every step may run again: pages and
records that exist are kept, the import is an idempotent upsert, the demo users get their demo
passwords back, the demo requests, documents and notices are created once. Monthly
consumption values (the 24 months before today) and savings bookings (up to today) are
generated in code and fed to the portal's import services as in-memory CSV files; a value
depends only on its meter and month, so a later run adds the new months and changes none.
"""

import csv
import datetime
import io
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation
from wagtail.models import Page, Site

from wagtail_tenantportal.accounts.models import AccountParty, PortalAccount
from wagtail_tenantportal.core.ratelimit import RateLimit
from wagtail_tenantportal.tenancy.models import (
    Company,
    ContactPerson,
    ContactResponsibility,
    ImportRun,
    Party,
    Property,
    Topic,
)

from .models import CooperativeSettings, HomePage, StandardPage

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
TENANT_CONTRACT = "0101-01"
# The contact persons log in to the admin with this password and receive the routed requests.
TEAM_PASSWORD = "lindenhof-team"
# One staff group per cooperative: its members work for that cooperative only (staff scope).
STAFF_GROUPS = {"LH": "Kundenbetreuung Lindenhof", "EA": "Kundenbetreuung Elsteraue"}
# The group of earlier demo versions, shared by both cooperatives' contact persons.
OLD_TEAM_GROUP = "Kundenbetreuung (Demo)"

# The second cooperative's tenant. Bauverein Elsteraue requires two-factor: at the first
# login he sets up a method (codes by email appear in the console of runserver).
ELSTERAUE_TENANT_EMAIL = "dirk.herrmann@example.org"
ELSTERAUE_TENANT_PASSWORD = "elsteraue-mieter"
ELSTERAUE_TENANT_COMPANY = "EA"
ELSTERAUE_TENANT_PARTY = "EA-P50002"  # Dirk Herrmann, Rödelstraße 5

SITE_NAME = "Wohnungsgenossenschaft Lindenhof eG"
ELSTERAUE_SITE_NAME = "Bauverein Elsteraue eG"  # the key of its theme in SITE_THEMES
ELSTERAUE_HOSTNAME = "elsteraue.localhost"
SITE_PORT = 8000
#: Site settings per site: (company erp id, short name in the header).
SITE_COOPERATIVES = {SITE_NAME: ("LH", "WG Lindenhof eG"), ELSTERAUE_SITE_NAME: ("EA", "Bauverein Elsteraue")}


class DemoDataError(Exception):
    """The demo could not be loaded (the import rejected rows); nothing of the import is saved."""


@dataclass
class DemoResult:
    import_result: object
    homepage: Page
    staff_user: object
    tenant_user: object
    taxonomy: object = None
    portal_pages: list = field(default_factory=list)  # page_setup.PageSetupResult per page type
    team_users: dict = field(default_factory=dict)  # contact person name -> user
    elsteraue_homepage: Page = None
    elsteraue_tenant_user: object = None
    elsteraue_portal_pages: list = field(default_factory=list)
    sites: list = field(default_factory=list)  # the two wagtail Sites, Lindenhof first
    notices: list = field(default_factory=list)
    consumption_result: object = None
    savings_result: object = None
    service_page: Page = None  # the host page with portal blocks ("Service für Mieter")


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


#: The texts tenants agree to at registration (CONSENT_URLS of the settings), on each site.
CONSENT_PAGES = [
    (
        "datenschutz",
        "Datenschutzhinweise",
        "<p>Dies ist eine Demo. Hier stehen die Datenschutzhinweise der Genossenschaft für das "
        "Mieterportal: welche Daten wir verarbeiten (Name, Anschrift, Vertragsdaten, Anliegen, "
        "Dokumente), wozu, wie lange, und welche Rechte Sie haben.</p>",
        False,
    ),
    (
        "nutzungsbedingungen",
        "Nutzungsbedingungen",
        "<p>Dies ist eine Demo. Hier stehen die Nutzungsbedingungen des Mieterportals: wer es "
        "nutzen darf, wie Sie Ihren Zugang schützen und wann wir ihn sperren.</p>",
        False,
    ),
    (
        "elektronische-zustellung",
        "Elektronische Zustellung",
        "<p>Dies ist eine Demo. Mit Ihrer Zustimmung stellen wir Ihnen Schreiben wie die "
        "Betriebskostenabrechnung im Portal statt per Post zu; Sie erhalten dann eine E-Mail. "
        "Sie können die Zustimmung jederzeit in Ihrem Konto widerrufen.</p>",
        False,
    ),
]

ELSTERAUE_SLUG = "elsteraue"
ELSTERAUE_HOME_TITLE = "Willkommen beim Bauverein Elsteraue eG"
ELSTERAUE_HOME_INTRO = (
    "<p>Wohnen zwischen Auwald und Karl-Heine-Kanal: Der Bauverein Elsteraue eG vermietet in "
    "Plagwitz und Lindenau rund 120 Wohnungen an seine Mitglieder – gepflegte Altbauten, "
    "ruhige Höfe und kurze Wege zur Weißen Elster.</p>"
    "<p>In unserem <b>Serviceportal</b> melden Sie Schäden, rufen Dokumente ab und schreiben "
    "uns Nachrichten – zu jeder Tageszeit. Zu Ihrer Sicherheit melden Sie sich dort mit einem "
    "zweiten Schritt an, zum Beispiel einem Code per E-Mail.</p>"
)
ELSTERAUE_STANDARD_PAGES = [
    (
        "serviceportal-so-funktionierts",
        "Serviceportal – so funktioniert's",
        "<p>Im Serviceportal erreichen Sie uns zu jeder Tageszeit.</p>"
        "<h2>So kommen Sie zu Ihrem Zugang</h2>"
        "<ol><li>Sie registrieren sich mit Ihrem Namen, Ihrer Anschrift und Ihrer E-Mail-Adresse.</li>"
        "<li>Wir prüfen Ihre Angaben und schicken Ihnen einen Brief mit Ihrem Freischaltcode.</li>"
        "<li>Sie melden sich an und geben den Code ein. Zu Ihrer Sicherheit richten Sie dabei einen "
        "zweiten Schritt ein, zum Beispiel einen Code per E-Mail.</li></ol>"
        "<p>Bei Notfällen wie Wasserrohrbruch oder Gasgeruch rufen Sie bitte immer direkt unseren "
        "Notdienst an: 0341 90009-111.</p>",
        False,  # linked from the homepage
    ),
    (
        "ueber-uns",
        "Über uns",
        "<p>Der Bauverein Elsteraue eG wurde 1954 gegründet. Unsere Häuser in der Rödelstraße "
        "und der Holbeinstraße haben wir in den letzten Jahren behutsam saniert.</p>"
        "<p>Vorstand: Thomas Reinhardt, Susanne Keller. Vorsitzende des Aufsichtsrats: "
        "Ingrid Pohl.</p>",
        True,
    ),
    (
        "kontakt",
        "Kontakt",
        "<p>Bauverein Elsteraue eG<br>Könneritzstraße 88<br>04229 Leipzig</p>"
        "<p>Telefon: 0341 90009-0<br>E-Mail: service@bauverein-elsteraue.example</p>"
        "<h2>Sprechzeiten</h2>"
        "<p>Dienstag 9–12 Uhr und 14–18 Uhr<br>Donnerstag 9–12 Uhr</p>"
        "<h2>Notdienst</h2>"
        "<p>Außerhalb der Sprechzeiten erreichen Sie unseren Notdienst unter 0341 90009-111.</p>",
        True,
    ),
]


def _add_standard_pages(homepage, pages):
    existing = set(homepage.get_children().values_list("slug", flat=True))
    for slug, title, body, in_menu in pages:
        if slug in existing:
            continue
        page = homepage.add_child(
            instance=StandardPage(title=title, slug=slug, body=body, show_in_menus=in_menu)
        )
        page.save_revision().publish()


def build_pages():
    """Make a German ``HomePage`` the root of the default site and add the standard pages.

    Wagtail's own welcome page is replaced the first time; pages that exist are left as
    editors may have changed them. Returns the homepage.
    """
    root = Page.get_first_root_node()
    homepage = HomePage.objects.filter(depth=2).exclude(slug=ELSTERAUE_SLUG).order_by("path").first()
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
        site = Site(is_default_site=True, hostname="127.0.0.1", port=SITE_PORT)
    site.root_page = homepage
    site.site_name = SITE_NAME
    site.save()
    _add_standard_pages(homepage, STANDARD_PAGES + CONSENT_PAGES)
    return homepage


def build_elsteraue_site():
    """The second cooperative's homepage (a sibling of Lindenhof's) and its Wagtail site at
    ``elsteraue.localhost``. Returns the homepage."""
    site = Site.objects.filter(hostname=ELSTERAUE_HOSTNAME, port=SITE_PORT).first()
    homepage = site.root_page.specific if site is not None else None
    if not isinstance(homepage, HomePage):
        homepage = HomePage.objects.filter(depth=2, slug=ELSTERAUE_SLUG).first()
    if homepage is None:
        homepage = Page.get_first_root_node().add_child(
            instance=HomePage(
                title=ELSTERAUE_HOME_TITLE,
                seo_title="Startseite",
                slug=ELSTERAUE_SLUG,
                intro=ELSTERAUE_HOME_INTRO,
            )
        )
        homepage.save_revision().publish()
    site = site or Site(hostname=ELSTERAUE_HOSTNAME, port=SITE_PORT, is_default_site=False)
    site.root_page = homepage
    site.site_name = ELSTERAUE_SITE_NAME
    site.save()
    _add_standard_pages(homepage, ELSTERAUE_STANDARD_PAGES + CONSENT_PAGES)
    return homepage


def set_site_cooperatives():
    """Each site's cooperative (name in the header, address in the footer): a site setting;
    and each cooperative's website for the portal (``Company.site``: its mails, letters and
    links lead to its own site)."""
    sites = []
    for site_name, (erp_id, logo_text) in SITE_COOPERATIVES.items():
        site = Site.objects.get(site_name=site_name)
        company = Company.objects.get(erp_id=erp_id)
        settings = CooperativeSettings.for_site(site)
        settings.company = company
        settings.logo_text = logo_text
        settings.save()
        if company.site_id != site.pk:
            company.site = site
            company.save(update_fields=["site", "updated_at"])
        sites.append(site)
    return sites


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
        "mail_from": "Mieterportal WG Lindenhof <portal@wg-lindenhof.example>",
        "mail_signature": "Wohnungsgenossenschaft Lindenhof eG\nLindenhofstraße 12, 04177 Leipzig\n"
        "Telefon 0341 23125-0 · Notdienst 0341 23125-99\nwww.wg-lindenhof.example",
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
        "mail_from": "Serviceportal Bauverein Elsteraue <service@bauverein-elsteraue.example>",
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


def create_tenant_account(
    company=TENANT_COMPANY, party_erp_id=TENANT_PARTY, email=TENANT_EMAIL, password=TENANT_PASSWORD
):
    """A ready portal login (email as username) linked to the party: by default Erika
    Mustermann of Lindenhof. Runs again without change but for the demo password."""
    party = Party.objects.get(company__erp_id=company, erp_id=party_erp_id)
    User = get_user_model()
    user = User.objects.filter(username=email).first() or User(username=email)
    user.email = email
    user.first_name, user.last_name = party.first_name, party.last_name
    user.is_active = True
    user.is_staff = user.is_superuser = False
    user.set_password(password)
    user.save()
    account, _ = PortalAccount.objects.get_or_create(user=user)
    if account.email_verified_at is None:  # as if she had confirmed the link of the registration mail
        account.email_verified_at = timezone.now()
        account.save(update_fields=["email_verified_at"])
    AccountParty.objects.update_or_create(account=account, party=party, defaults={"active": True})
    # The party's email on file is the login address.
    if party.email != email:
        party.email = email
        party.save(update_fields=["email"])
    return user


def create_elsteraue_tenant_account():
    """Dirk Herrmann, tenant of Bauverein Elsteraue (which requires two-factor)."""
    return create_tenant_account(
        ELSTERAUE_TENANT_COMPANY, ELSTERAUE_TENANT_PARTY, ELSTERAUE_TENANT_EMAIL, ELSTERAUE_TENANT_PASSWORD
    )


#: Permissions of the customer-service group of each cooperative, as docs/staff-admin.md
#: describes them ("Kundenbetreuung"): the admin, requests, documents and paper post, codes and
#: letters, registrations and accounts; master data to look at.
TEAM_PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("tenantportal_tickets", "ticket", "view_ticket"),
    ("tenantportal_tickets", "ticket", "change_ticket"),
    ("tenantportal_tickets", "ticket", "add_ticket"),
    ("tenantportal_documents", "document", "view_document"),
    ("tenantportal_documents", "document", "add_document"),
    ("tenantportal_documents", "document", "change_document"),
    ("tenantportal_documents", "documentdelivery", "view_documentdelivery"),
    ("tenantportal_documents", "printbatch", "add_printbatch"),
    ("tenantportal_documents", "bulkdistribution", "add_bulkdistribution"),
    ("tenantportal_accounts", "registrationcode", "view_registrationcode"),
    ("tenantportal_accounts", "registrationcode", "add_registrationcode"),
    ("tenantportal_accounts", "registrationcode", "change_registrationcode"),
    ("tenantportal_accounts", "coderequest", "change_coderequest"),
    ("tenantportal_accounts", "registrationclaim", "change_registrationclaim"),
    ("tenantportal_accounts", "portalaccount", "change_portalaccount"),
    ("tenantportal_tenancy", "company", "view_company"),
    ("tenantportal_tenancy", "property", "view_property"),
    ("tenantportal_tenancy", "unit", "view_unit"),
    ("tenantportal_tenancy", "party", "view_party"),
    ("tenantportal_tenancy", "contract", "view_contract"),
    ("tenantportal_tenancy", "contactperson", "view_contactperson"),
]


def create_staff_groups():
    """The customer-service group of each cooperative (``STAFF_GROUPS``): the permissions of
    ``TEAM_PERMISSIONS``, and the cooperative ticked as the company its members work for.
    Returns ``{company ERP id: group}``."""
    permissions = [
        Permission.objects.get(content_type__app_label=app, content_type__model=model, codename=codename)
        for app, model, codename in TEAM_PERMISSIONS
    ]
    Group.objects.filter(name=OLD_TEAM_GROUP).delete()
    groups = {}
    for erp_id, name in STAFF_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)
        Company.objects.get(erp_id=erp_id).staff_groups.add(group)
        groups[erp_id] = group
    return groups


def create_team_users():
    """A staff login per contact person (username: the email address), linked to the contact
    person so that routed requests reach them, and a member of their cooperative's staff group
    (they see that cooperative's data only). Returns ``{name: user}``."""
    groups = create_staff_groups()
    User = get_user_model()
    users = {}
    for person in (
        ContactPerson.objects.filter(company__erp_id__in=CONTACT_PERSONS)
        .select_related("company")
        .order_by("pk")
    ):
        user = User.objects.filter(username=person.email).first() or User(username=person.email)
        user.email = person.email
        user.first_name, _, user.last_name = person.name.rpartition(" ")
        user.is_active = True
        user.is_staff, user.is_superuser = True, False
        user.set_password(TEAM_PASSWORD)
        user.save()
        user.groups.add(groups[person.company.erp_id])
        if person.user_id != user.pk:
            person.user = user
            person.save(update_fields=["user"])
        users[person.name] = user
    return users


# --------------------------------------------------------------------------------------------
# Portal: pages, damage taxonomy, the tenant's requests and documents
# --------------------------------------------------------------------------------------------


def build_portal_pages(homepage):
    """The portal pages (overview, login, registration, my account, report damage, my
    requests, my documents, my contracts, notice board, consumption, savings) below the
    homepage, with German titles; existing ones are kept. A new registration page registers
    Lindenhof's tenants."""
    from wagtail_tenantportal.page_setup import setup_portal_pages

    with translation.override("de"):
        return setup_portal_pages(homepage, company=Company.objects.get(erp_id=TENANT_COMPANY))


def build_site_portal_pages(homepage, company_erp_id):
    """The portal pages of a second site: one of each portal page type below ``homepage``
    where that site has none yet, with the same German titles and slugs as on the first site
    (``/anmelden/`` on each host is that site's login page); its registration page registers
    the tenants of the site's own cooperative. Returns ``PageSetupResult`` per page type.
    """
    from wagtail_tenantportal.page_setup import setup_portal_pages

    with translation.override("de"):
        return setup_portal_pages(homepage, company=Company.objects.get(erp_id=company_erp_id))


# (subject, type code, damage kind (location, kind) or None, days ago, description,
#  [(status code, comment, by contact person)], staff reply or "")
DEMO_TICKETS = [
    (
        "Wasserhahn in der Küche tropft",
        "damage_report",
        ("Küche", "Wasserhahn tropft"),
        4,
        "Der Wasserhahn an der Spüle tropft seit einigen Tagen, auch wenn er ganz zugedreht ist. "
        "Unter der Spüle ist alles trocken.",
        [
            (
                "in_progress",
                "Wir haben die Firma Sanitär Krause mit der Reparatur beauftragt.",
                "Jens Richter",
            )
        ],
        "Guten Tag Frau Mustermann, die Firma Sanitär Krause würde am kommenden Dienstag zwischen "
        "8 und 10 Uhr vorbeikommen. Passt Ihnen der Termin? Viele Grüße, Jens Richter",
    ),
    (
        "Heizkörper im Schlafzimmer bleibt kalt",
        "damage_report",
        ("Wohn- und Schlafräume", "Heizkörper wird nicht warm"),
        40,
        "Der Heizkörper im Schlafzimmer wird nur oben warm, unten bleibt er kalt.",
        [
            ("in_progress", "Unser Haustechniker kommt am Donnerstag vorbei.", "Jens Richter"),
            (
                "done",
                "Der Heizkörper wurde entlüftet und heizt wieder. Bitte melden Sie sich, falls er "
                "erneut kalt bleibt.",
                "Jens Richter",
            ),
        ],
        "",
    ),
    (
        "Frage zur Betriebskostenabrechnung 2025",
        "general_contact",
        None,
        1,
        "In der Abrechnung ist die Position Hausreinigung deutlich höher als im Vorjahr. "
        "Können Sie mir erklären, woran das liegt?",
        [],
        "",
    ),
]
TENANT_PHONE = "0176 23456789"


def create_demo_tickets(tenant_user, team_users):
    """Erika Mustermann's requests, filed and handled through the ticket services (routing sends
    them to the contact persons). A request whose subject she filed already is skipped.
    Returns the tickets."""
    from wagtail_tenantportal.tenancy.models import Contract
    from wagtail_tenantportal.tickets import services
    from wagtail_tenantportal.tickets.models import (
        DamageKind,
        Ticket,
        TicketMessage,
        TicketStatus,
        TicketType,
    )

    contract = Contract.objects.get(company__erp_id=TENANT_COMPANY, number=TENANT_CONTRACT)
    tickets = []
    for subject, type_code, kind_path, days_ago, description, steps, reply in DEMO_TICKETS:
        existing = Ticket.objects.filter(contract=contract, subject=subject).first()
        if existing is not None:
            tickets.append(existing)
            continue
        ticket_type = TicketType.objects.get(code=type_code)
        extra = {}
        if kind_path:
            location, kind = kind_path
            extra = {
                "damage_kind": DamageKind.objects.get(
                    category__location__name=location, category__location__company=None, name=kind
                ),
                "contact_phone": TENANT_PHONE,
                "reachability": "werktags ab 16 Uhr",
                "access_permission": Ticket.AccessPermission.ASK_FIRST,
            }
        ticket = services.submit_ticket(
            contract=contract,
            ticket_type=ticket_type,
            user=tenant_user,
            subject=subject,
            description=description,
            created_at=timezone.now() - datetime.timedelta(days=days_ago),
            **extra,
        )
        for status_code, comment, by in steps:
            services.change_status(
                ticket, TicketStatus.objects.get(code=status_code), user=team_users[by], comment=comment
            )
        if reply:
            services.post_message(
                ticket, user=team_users[steps[0][2]], body=reply, role=TicketMessage.Role.STAFF
            )
        tickets.append(ticket)
    # Invented requests do not count against what she may file herself in the next hour.
    RateLimit.for_scope("ticket_submit").reset(tenant_user.pk)
    return tickets


def _pdf(title, sender, lines):
    """A one-page A4 PDF letter. ``invariant``: the same content gives the same bytes, so the
    documents service recognises it when the demo runs again."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    width, height = A4
    pdf.setFont("Helvetica", 8)
    pdf.drawString(25 * mm, height - 45 * mm, sender)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(25 * mm, height - 95 * mm, title)
    y = height - 110 * mm
    for line in lines:
        if isinstance(line, tuple):
            label, amount = line
            pdf.setFont("Helvetica", 10)
            pdf.drawString(25 * mm, y, label)
            pdf.drawRightString(width - 25 * mm, y, amount)
        else:
            pdf.setFont("Helvetica-Bold" if line.isupper() else "Helvetica", 10)
            pdf.drawString(25 * mm, y, line)
        y -= 6 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


OPERATING_COSTS_2025 = [
    ("Grundsteuer", "186,40 €"),
    ("Wasser und Abwasser", "412,75 €"),
    ("Müllbeseitigung", "158,20 €"),
    ("Hausreinigung", "231,60 €"),
    ("Gartenpflege", "64,30 €"),
    ("Allgemeinstrom", "48,90 €"),
    ("Gebäudeversicherung", "143,10 €"),
    ("Summe Ihrer Betriebskosten", "1.245,25 €"),
    ("Ihre Vorauszahlungen (12 × 110,00 €)", "1.320,00 €"),
    ("Guthaben, überwiesen auf Ihr Konto", "74,75 €"),
]

HOUSE_RULES = [
    "1. RUHEZEITEN",
    "Nachtruhe von 22 bis 6 Uhr, an Sonn- und Feiertagen ganztägig Rücksicht auf die Nachbarn.",
    "2. TREPPENHAUS UND GEMEINSCHAFTSRÄUME",
    "Fluchtwege freihalten: keine Schuhe, Kinderwagen oder Fahrräder im Treppenhaus.",
    "Die Haustür bleibt geschlossen; der Keller ist abzuschließen.",
    "3. MÜLL",
    "Bitte trennen Sie Ihren Abfall und nutzen Sie die Tonnen auf dem Müllplatz im Hof.",
    "4. LÜFTEN UND HEIZEN",
    "Mehrmals täglich stoßlüften, um Feuchtigkeit und Schimmel zu vermeiden.",
    "5. SCHÄDEN",
    "Melden Sie Schäden bitte umgehend über das Mieterportal, in Notfällen beim Notdienst.",
]


def publish_demo_documents(staff_user):
    """Her operating cost statement 2025 (for her rental contract) and the house rules of her
    building, published through the documents service. Publishing the same file again returns
    the existing document. Returns the documents."""
    from wagtail_tenantportal.documents import services
    from wagtail_tenantportal.tenancy.models import Contract

    contract = Contract.objects.select_related("company", "unit__property").get(
        company__erp_id=TENANT_COMPANY, number=TENANT_CONTRACT
    )
    prop = contract.unit.property
    sender = contract.company.sender_line
    statement = _pdf(
        "Betriebskostenabrechnung 2025",
        sender,
        [f"Vertrag {contract.number} · {prop.street}", "Abrechnungszeitraum 01.01.–31.12.2025", ""]
        + OPERATING_COSTS_2025,
    )
    rules = _pdf(f"Hausordnung {prop.street}", sender, HOUSE_RULES)
    common = {"user": staff_user, "notify": False, "on_duplicate": "return"}
    return [
        services.publish(
            io.BytesIO(statement),
            target=contract,
            category="operating_cost_statement",
            title="Betriebskostenabrechnung 2025",
            document_date=datetime.date(2026, 3, 15),
            filename="Betriebskostenabrechnung-2025.pdf",
            **common,
        ),
        services.publish(
            io.BytesIO(rules),
            target=prop,
            category="house_rules",
            title=f"Hausordnung {prop.street}",
            document_date=datetime.date(2024, 1, 1),
            filename="Hausordnung.pdf",
            **common,
        ),
    ]


# --------------------------------------------------------------------------------------------
# Notices, consumption information, savings, a host page with portal blocks
# --------------------------------------------------------------------------------------------

_MONTHS_DE = [
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
]  # fmt: skip
_WEEKDAYS_DE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


def _german_date(day):
    """``Donnerstag, 26. November 2026`` (independent of the active locale)."""
    return f"{_WEEKDAYS_DE[day.weekday()]}, {day.day}. {_MONTHS_DE[day.month - 1]} {day.year}"


def _next_weekday(today, weekday, min_days=3):
    """The first ``weekday`` (0 = Monday) at least ``min_days`` after ``today``."""
    day = today + datetime.timedelta(days=min_days)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _summer_party_day(today):
    """The third Saturday in June, this year's if still ahead, else next year's."""
    for year in (today.year, today.year + 1):
        first = datetime.date(year, 6, 1)
        day = first + datetime.timedelta(days=(5 - first.weekday()) % 7 + 14)
        if day > today:
            return day
    raise AssertionError("unreachable")


def _demo_notices(today):
    """``[(company, title, category, important, property erp ids (None: all), body,
    last day shown (None: open end))]``; dates in the texts relative to ``today``."""
    shut_off = _next_weekday(today, 3)  # a Thursday
    lift = _next_weekday(today, 1, min_days=7)  # a Tuesday
    party = _summer_party_day(today)
    return [
        (
            "LH",
            "Wasserabstellung in der Lindenhofstraße 14",
            "water_shut_off",
            True,
            ["WE01"],
            f"<p>Am <b>{_german_date(shut_off)}, von 8 bis etwa 13 Uhr</b> ist in der "
            "Lindenhofstraße 14 das Wasser abgestellt. Die Firma Sanitär Krause tauscht im Keller "
            "die Absperrventile der Steigleitungen.</p>"
            "<ul><li>Bitte füllen Sie sich vorher etwas Trinkwasser ab.</li>"
            "<li>Lassen Sie danach das Wasser kurz laufen, bis es wieder klar ist.</li></ul>"
            "<p>Fragen beantwortet Ihnen Jens Richter, Haustechnik, Telefon 0341 23125-31.</p>",
            shut_off,
        ),
        (
            "LH",
            "Treppenhausreinigung: neuer Dienstleister",
            "information",
            False,
            None,
            "<p>Ab dem kommenden Monat reinigt die Firma <b>Glanzwerk Gebäudeservice GmbH</b> die "
            "Treppenhäuser in allen unseren Häusern – wie bisher einmal pro Woche, dazu zweimal "
            "im Jahr die Fenster im Treppenhaus.</p>"
            "<p>Die Reinigungstage hängen im Hausflur aus. Wenn Ihnen etwas auffällt, melden Sie "
            "es bitte über das Mieterportal unter „Anliegen melden“.</p>",
            None,
        ),
        (
            "LH",
            "Sommerfest im Innenhof",
            "event",
            False,
            ["WE01"],
            f"<p>Merken Sie sich schon jetzt den <b>{_german_date(party)}</b> vor: Ab 15 Uhr "
            "feiern wir im Innenhof der Lindenhofstraße unser Sommerfest – mit Kaffee und Kuchen, "
            "Grill, Kinderschminken und Musik.</p>"
            "<p>Wer einen Kuchen beisteuern oder beim Aufbau helfen möchte, meldet sich bitte bei "
            "Sandra Vogel, Telefon 0341 23125-21.</p>",
            None,
        ),
        (
            "EA",
            "Wartung des Aufzugs in der Rödelstraße 5",
            "maintenance",
            True,
            ["100"],
            f"<p>Am <b>{_german_date(lift)}</b> wird der Aufzug zwischen 9 und 12 Uhr gewartet und "
            "steht in dieser Zeit nicht zur Verfügung.</p>"
            "<p>Wenn Sie an diesem Vormittag Hilfe brauchen, zum Beispiel beim Tragen von "
            "Einkäufen, rufen Sie bitte unseren Hausmeister Frank Lehmann an: 0160 90009130.</p>",
            lift,
        ),
        (
            "EA",
            "Neue Fahrradbügel im Hof",
            "information",
            False,
            None,
            "<p>In den Höfen unserer Häuser stehen jetzt zusätzliche überdachte Fahrradbügel. "
            "Bitte stellen Sie Ihr Fahrrad dort ab und nicht mehr im Treppenhaus oder im "
            "Kellergang – die Fluchtwege müssen frei bleiben.</p>",
            None,
        ),
    ]


def create_demo_notices(staff_user, now=None):
    """The notice board of both cooperatives, published through the notices service. A
    notice is found again by company and title; one whose time window has passed (the
    water shut-off of an earlier demo run) gets new dates, so the demo always shows it.
    Returns the notices."""
    from wagtail_tenantportal.notices.models import Notice
    from wagtail_tenantportal.notices.services import create_notice

    now = now or timezone.now()
    today = timezone.localdate(now)
    notices = []
    for erp_id, title, category, important, property_ids, body, last_day in _demo_notices(today):
        company = Company.objects.get(erp_id=erp_id)
        until = None
        if last_day is not None:  # shown until the evening of that day
            until = timezone.make_aware(datetime.datetime.combine(last_day, datetime.time(18, 0)))
        notice = Notice.objects.filter(company=company, title=title).first()
        if notice is None:
            properties = (
                list(Property.objects.filter(company=company, erp_id__in=property_ids))
                if property_ids
                else None
            )
            notice = create_notice(
                company,
                title,
                body,
                properties=properties,
                user=staff_user,
                category=category,
                important=important,
                visible_from=now,
                visible_until=until,
            )
        elif notice.visible_until is not None and notice.visible_until <= now:
            notice.body, notice.visible_from, notice.visible_until = body, now, until
            notice.save(update_fields=["body", "visible_from", "visible_until", "updated_at"])
        notices.append(notice)
    return notices


def _in_memory(import_file_class, name, kind, rows):
    """An import file (of the portal's ``ImportFile`` shape) holding ``rows`` as a
    ``;``-separated UTF-8 CSV, the first row naming the columns."""
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\n").writerows(rows)
    data = text.getvalue().encode("utf-8")
    return import_file_class(name=name, kind=kind, open=lambda: io.BytesIO(data))


def _decimal_comma(value, places):
    return f"{value:.{places}f}".replace(".", ",")


#: Share of a year's heating in each month (January first); adds up to 1.
HEATING_SHARES = [0.20, 0.155, 0.12, 0.07, 0.03, 0.01, 0.005, 0.005, 0.02, 0.075, 0.135, 0.175]
#: Hot water through the year (more in winter: longer showers, colder mains water).
HOT_WATER_SEASON = [1.1, 1.1, 1.05, 1.0, 0.95, 0.9, 0.85, 0.85, 0.95, 1.0, 1.05, 1.1]
HOT_WATER_KWH_PER_M3 = 58  # the conversion factor of the hot water meters in meters.csv
CONSUMPTION_MONTHS = 24

# The demo flats' meters (meters.csv) and how their households use energy.
# unit erp id -> (property erp id, living area m², average user's heating kWh per m² and year,
#                 the household's share of it, hot water m³ per month,
#                 [(heating meter, share of the flat's heat, kWh per measuring unit or None)],
#                 hot water meter)
CONSUMPTION_FLATS = {
    ("LH", "WE01-01"): (
        "WE01",
        Decimal("68.40"),
        125,  # a 1928 house with new windows
        0.92,
        2.6,  # Erika and Max Mustermann
        [
            ("LH-WE01-01-HKV1", 0.40, 6.5),
            ("LH-WE01-01-HKV2", 0.20, 6.5),
            ("LH-WE01-01-HKV3", 0.25, 6.5),
            ("LH-WE01-01-HKV4", 0.15, 4.8),
        ],
        "LH-WE01-01-WW",
    ),
    ("EA", "100-002"): (
        "100",
        Decimal("92.60"),
        85,  # built 1999
        1.06,
        4.4,  # a family of four
        [("EA-100-002-WMZ", 1.0, None)],
        "EA-100-002-WW",
    ),
}


def _months_before(today, count):
    """The first days of the ``count`` months before ``today``'s month, oldest first."""
    year, month = today.year, today.month
    months = []
    for _i in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append(datetime.date(year, month, 1))
    return months[::-1]


def _weather(month):
    """How cold a month was against the long-term mean (the same for every flat)."""
    return random.Random(f"weather:{month:%Y-%m}").uniform(0.82, 1.18)


def demo_consumption_rows(today):
    """The rows of ``consumption.csv`` and ``benchmarks.csv`` for the 24 months before
    ``today``'s month. Every value depends only on its meter and month (seeded random
    numbers), so loading the demo again, even months later, changes no month it had."""
    consumption = [["company", "meter", "month", "value", "estimated"]]
    benchmarks = [["company", "property", "kind", "month", "value", "measuring_unit", "basis"]]
    for month in _months_before(today, CONSUMPTION_MONTHS):
        weather = _weather(month)
        for (company, _unit), flat in CONSUMPTION_FLATS.items():
            prop, area, per_m2_year, share, hot_water, heating_meters, hot_water_meter = flat
            average_heating = per_m2_year * HEATING_SHARES[month.month - 1] * weather
            average_hot_water = 25 / 12 * HOT_WATER_SEASON[month.month - 1]  # kWh per m²
            benchmarks.append(
                [
                    company,
                    prop,
                    "heating",
                    f"{month:%m.%Y}",
                    _decimal_comma(average_heating, 4),
                    "kwh",
                    "per_m2",
                ]
            )
            benchmarks.append(
                [
                    company,
                    prop,
                    "hot_water",
                    f"{month:%m.%Y}",
                    _decimal_comma(average_hot_water, 4),
                    "kwh",
                    "per_m2",
                ]
            )
            flat_kwh = float(area) * average_heating * share
            for meter, meter_share, factor in heating_meters:
                rng = random.Random(f"{meter}:{month:%Y-%m}")
                value = flat_kwh * meter_share * rng.uniform(0.9, 1.1) / (factor or 1)
                estimated = "ja" if rng.random() < 0.04 else "nein"
                consumption.append([company, meter, f"{month:%m.%Y}", _decimal_comma(value, 1), estimated])
            rng = random.Random(f"{hot_water_meter}:{month:%Y-%m}")
            value = hot_water * HOT_WATER_SEASON[month.month - 1] * rng.uniform(0.9, 1.1)
            consumption.append([company, hot_water_meter, f"{month:%m.%Y}", _decimal_comma(value, 3), "nein"])
    return consumption, benchmarks


def import_demo_consumption(today=None):
    """Meters (``demo_data/meters.csv``) and the monthly values and average users of the two
    demo flats, generated for the 24 months before today, through the consumption import
    (an idempotent upsert). Raises ``DemoDataError`` if it did not commit."""
    from wagtail_tenantportal.consumption.importer import consumption_file
    from wagtail_tenantportal.consumption.services import ImportFile, import_consumption

    consumption, benchmarks = demo_consumption_rows(today or timezone.localdate())
    files = [
        consumption_file(DEMO_DATA_DIR / "meters.csv"),
        _in_memory(ImportFile, "consumption.csv", "consumption", consumption),
        _in_memory(ImportFile, "benchmarks.csv", "benchmarks", benchmarks),
    ]
    result = import_consumption(files)
    _check_import(result, "consumption")
    return result


def _check_import(result, what):
    if result.errors or not result.committed:
        lines = [str(error) for error in result.errors[:20]]
        raise DemoDataError("\n".join([f"The demo {what} data were not imported:", *lines]))


# Erika Mustermann's savings account (savings_accounts.csv): the export starts in November
# 2024 with the balance the ERP carried over; a standing order pays in 50 € on the 1st.
SAVINGS_ACCOUNT = ("LH", "SK-7001")
SAVINGS_START = datetime.date(2024, 11, 1)
SAVINGS_OPENING_BALANCE = Decimal("6218.40")
SAVINGS_RATE = Decimal("0.75")  # % p.a., as in savings_accounts.csv
SAVINGS_MONTHLY = Decimal("50.00")
SAVINGS_EXEMPTION_FROM = 2025  # her Freistellungsauftrag (exemption_orders.csv) is valid from then
#: One-off bookings: (date, amount, kind, text)
SAVINGS_EXTRA = [
    (datetime.date(2025, 8, 14), Decimal("-800.00"), "withdrawal", "Auszahlung auf Girokonto"),
    (datetime.date(2025, 12, 2), Decimal("300.00"), "deposit", "Einzahlung Weihnachtsgeld"),
    (datetime.date(2026, 6, 12), Decimal("500.00"), "deposit", "Einzahlung"),
]


def demo_savings_transactions(today):
    """The bookings of Erika's account from ``SAVINGS_START`` up to ``today``: the monthly
    standing order, some one-off payments, the interest on 31 December and, before her
    exemption order was valid, Kapitalertragsteuer and Solidaritätszuschlag on it. Past
    bookings never change, so loading again later only adds the new ones."""
    cent = Decimal("0.01")
    bookings = []  # (date, sequence, amount, kind, text)
    month = SAVINGS_START
    while month <= today:
        bookings.append((month, 1, SAVINGS_MONTHLY, "deposit", "Dauerauftrag Sparrate"))
        month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    bookings += [(day, 1, amount, kind, text) for day, amount, kind, text in SAVINGS_EXTRA if day <= today]
    rows = [
        ["company", "account", "erp_id", "booking_date", "value_date", "amount", "balance_after", "kind", "text", "sequence"]
    ]  # fmt: skip
    balance = SAVINGS_OPENING_BALANCE
    year_ends = [datetime.date(year, 12, 31) for year in range(SAVINGS_START.year, today.year + 1)]
    # A year end (amount None) comes after the other bookings of its day.
    pending = sorted(
        bookings + [(day, 2, None, "interest", "") for day in year_ends if day <= today],
        key=lambda b: (b[0], b[2] is None),
    )

    def add(day, sequence, amount, kind, text):
        nonlocal balance
        balance += amount
        rows.append(
            [
                SAVINGS_ACCOUNT[0],
                SAVINGS_ACCOUNT[1],
                f"{day:%Y%m%d}-{sequence}",
                f"{day:%d.%m.%Y}",
                f"{day:%d.%m.%Y}",
                _decimal_comma(amount, 2),
                _decimal_comma(balance, 2),
                kind,
                text,
                str(sequence),
            ]
        )

    for day, sequence, amount, kind, text in pending:
        if amount is not None:
            add(day, sequence, amount, kind, text)
            continue
        # Year end: interest on the balance (the ERP reckons it to the day; near enough).
        interest = (balance * SAVINGS_RATE / 100 * Decimal("0.97")).quantize(cent)
        add(day, 2, interest, "interest", f"Zinsen {day.year}")
        if day.year < SAVINGS_EXEMPTION_FROM:
            tax = (interest * Decimal("0.25")).quantize(cent)
            add(day, 3, -tax, "tax", f"Kapitalertragsteuer {day.year}")
            add(day, 4, -(tax * Decimal("0.055")).quantize(cent), "tax", f"Solidaritätszuschlag {day.year}")
    return rows


def import_demo_savings(today=None):
    """Erika Mustermann's savings account, its bookings and her exemption order through the
    savings import (an idempotent upsert): account, holder and exemption order from
    ``demo_data/``, the bookings generated up to today. Raises ``DemoDataError`` if it did
    not commit."""
    from wagtail_tenantportal.savings.importer import ImportFile, import_savings, savings_file

    files = [
        savings_file(DEMO_DATA_DIR / "savings_accounts.csv"),
        savings_file(DEMO_DATA_DIR / "savings_holders.csv"),
        _in_memory(
            ImportFile,
            "savings_transactions.csv",
            "savings_transactions",
            demo_savings_transactions(today or timezone.localdate()),
        ),
        savings_file(DEMO_DATA_DIR / "exemption_orders.csv"),
    ]
    result = import_savings(files)
    _check_import(result, "savings")
    return result


SERVICE_SLUG = "service"
SERVICE_TITLE = "Service für Mieter"
SERVICE_BODY = [
    (
        "text",
        "<p>Auf dieser Seite finden Sie alles, was Sie als Mieterin oder Mieter der "
        "Wohnungsgenossenschaft Lindenhof eG schnell erledigen möchten: Ihre Übersicht im "
        "Mieterportal, die aktuellen Aushänge Ihres Hauses, Ihre Ansprechpartnerin und den "
        "direkten Weg zu einem neuen Anliegen.</p>"
        "<p>Noch kein Zugang? Die Anleitung finden Sie unter "
        "„Mieterportal – so funktioniert's“.</p>",
    ),
    ("portal_dashboard", {"heading": "Ihre Übersicht", "widgets": []}),
    ("portal_notices", {"heading": "Aktuelle Aushänge", "limit": 3, "only_important": False}),
    ("portal_contact_person", {"heading": "Ihre Ansprechpartnerin", "topic": "general", "show_photo": True}),
    (
        "portal_new_request",
        {
            "heading": "Anliegen melden",
            "intro": "Melden Sie uns einen Schaden oder schreiben Sie uns Ihre Frage. Bei Notfällen "
            "wie Wasserrohrbruch oder Gasgeruch rufen Sie bitte sofort den Notdienst an: "
            "0341 23125-99.",
            "ticket_types": [],
        },
    ),
]


def build_service_page(homepage):
    """The host page "Service für Mieter" (``/service/``): a ``PortalContentPage`` whose
    StreamField mixes a text block with portal blocks, as editors would build it. Kept as
    it is when it exists. Returns the page."""
    from .models import PortalContentPage

    page = PortalContentPage.objects.child_of(homepage).filter(slug=SERVICE_SLUG).first()
    if page is not None:
        return page
    body = json.dumps([{"type": name, "value": value} for name, value in SERVICE_BODY])
    page = homepage.add_child(
        instance=PortalContentPage(title=SERVICE_TITLE, slug=SERVICE_SLUG, body=body, show_in_menus=True)
    )
    page.save_revision().publish()
    return page


#: Where the example ERP (the app ``example_erp``) answers; the portal's events go there.
DEMO_ERP_PATH = "/example-erp/"


def configure_demo_erp():
    """Link both cooperatives to the example ERP: a webhook connection per company (case
    types for requests and damage reports), and the ERP's side of it (the portal's address,
    the API key, the signing secret). Set up after the invented requests, so only requests
    filed during the demo become cases. Safe to run again (keys are issued once)."""
    from django.conf import settings
    from example_erp.models import PortalLink

    from wagtail_tenantportal.erp.models import WEBHOOK_CONNECTOR, CaseMapping, Connection
    from wagtail_tenantportal.tickets.models import TicketType

    base = (getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    damage = TicketType.objects.filter(code="damage_report").first()
    for company in Company.objects.filter(erp_id__in=[TENANT_COMPANY, ELSTERAUE_TENANT_COMPANY]):
        connection, created = Connection.objects.get_or_create(
            company=company,
            defaults={
                "name": "Beispiel-ERP",
                "default_case_type": "Mieteranliegen",
                "default_clerk": "Kundenservice",
            },
        )
        connection.connector = {
            "CLASS": WEBHOOK_CONNECTOR,
            "OPTIONS": {"url": f"{base}{DEMO_ERP_PATH}webhook/{company.erp_id}/", "timeout": 10},
        }
        connection.save()
        if damage is not None and not connection.case_mappings.exists():
            CaseMapping.objects.create(
                connection=connection, ticket_type=damage, case_type="Schadensmeldung", clerk="Technik"
            )
        link = PortalLink.objects.filter(company_erp_id=company.erp_id).first()
        if link is None or not connection.key_hash:
            PortalLink.objects.update_or_create(
                company_erp_id=company.erp_id,
                defaults={
                    "api_url": f"{base}/portal/erp/v1/",
                    "api_key": connection.issue_key(),
                    "signing_secret": connection.signing_secret,
                },
            )


def create_document_catalogue():
    """The standard list of requestable documents for every demo company (safe to run again)."""
    from wagtail_tenantportal.documents.services import doc_requests
    from wagtail_tenantportal.tenancy.models import Company

    return sum(doc_requests.standard_catalogue(company) for company in Company.objects.order_by("pk"))


def load_demo():
    """Build the whole demo; safe to run again. Returns a ``DemoResult``."""
    from wagtail_tenantportal.tickets.taxonomy import seed_damage_taxonomy

    import_result = import_demo_files()  # its own transaction
    with transaction.atomic():
        homepage = build_pages()
        portal_pages = build_portal_pages(homepage)
        elsteraue_homepage = build_elsteraue_site()
        elsteraue_portal_pages = build_site_portal_pages(elsteraue_homepage, ELSTERAUE_TENANT_COMPANY)
        sites = set_site_cooperatives()
        set_letterheads()
        set_contact_persons()
        staff_user = create_staff_user()
        tenant_user = create_tenant_account()
        elsteraue_tenant_user = create_elsteraue_tenant_account()
        team_users = create_team_users()
        taxonomy = seed_damage_taxonomy()
        service_page = build_service_page(homepage)
        notices = create_demo_notices(staff_user)
        create_document_catalogue()
    consumption_result = import_demo_consumption()  # its own transaction
    savings_result = import_demo_savings()  # its own transaction
    # The demo's history is invented: nobody is mailed about it (the mails are sent on commit).
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        with transaction.atomic():
            create_demo_tickets(tenant_user, team_users)
            publish_demo_documents(staff_user)
    with transaction.atomic():
        configure_demo_erp()
    return DemoResult(
        import_result,
        homepage,
        staff_user,
        tenant_user,
        taxonomy=taxonomy,
        portal_pages=portal_pages,
        team_users=team_users,
        elsteraue_homepage=elsteraue_homepage,
        elsteraue_tenant_user=elsteraue_tenant_user,
        elsteraue_portal_pages=elsteraue_portal_pages,
        sites=sites,
        notices=notices,
        consumption_result=consumption_result,
        savings_result=savings_result,
        service_page=service_page,
    )
