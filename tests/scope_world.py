"""Two cooperatives on one portal, with one object of every kind staff reach in the admin, and
their staff: what the staff-scope tests attack.

Every name, number and text of a company's objects carries the company's token (``LINDQZ``,
``ELSTQZ``), so a page, export or chooser that shows another company's data is found by
searching the response for the other token. ``objects`` maps each model to the company's
object of it, so a test can fill any object URL with another company's id.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from tests.factories import (
    CompanyFactory,
    ContractFactory,
    ExemptionOrderFactory,
    NoticeFactory,
    PropertyFactory,
    SavingsAccountFactory,
    UnitFactory,
    UserFactory,
    staff_for,
    tenant_for,
)
from wagtail_tenantportal.accounts import services as account_services
from wagtail_tenantportal.accounts.models import (
    AccountParty,
    CodeRequest,
    CompanyLetterSettings,
    PortalAccount,
    RegistrationClaim,
    RegistrationCode,
)
from wagtail_tenantportal.consumption.models import Benchmark, Meter
from wagtail_tenantportal.core.outbox_models import OutboxMessage
from wagtail_tenantportal.documents import services as document_services
from wagtail_tenantportal.documents.models import (
    BulkDistribution,
    Document,
    DocumentCategory,
    DocumentDelivery,
    DocumentRequest,
    DocumentRequestType,
)
from wagtail_tenantportal.erp.models import Connection, InboundCall
from wagtail_tenantportal.notices.models import Notice
from wagtail_tenantportal.savings.models import ExemptionOrder, ExemptionRequest, SavingsAccount
from wagtail_tenantportal.tenancy import models as m
from wagtail_tenantportal.tickets import services as ticket_services
from wagtail_tenantportal.tickets.models import (
    DamageCategory,
    DamageKind,
    DamageLocation,
    RoutingRule,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketType,
)

LINDENHOF = "LINDQZ"
ELSTERAUE = "ELSTQZ"


def staff_permissions():
    """Every permission of the portal's apps (the outbox's too), and access to the admin."""
    return Permission.objects.filter(
        Q(content_type__app_label__startswith="tenantportal_")
        | Q(content_type__app_label="wagtail_tenantportal")
        | Q(content_type__app_label="wagtailadmin", codename="access_admin")
    )


def jpeg():
    image = Image.new("RGB", (64, 48), (180, 90, 40))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return SimpleUploadedFile("schaden.jpg", out.getvalue(), content_type="image/jpeg")


def pdf(text):
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return ContentFile(out.getvalue(), name="dokument.pdf")


@dataclass
class CompanyWorld:
    token: str
    company: object
    staff: object
    tenant: object
    objects: dict = field(default_factory=dict)


def build_company(token):
    """A company with one object of every kind its staff see in the admin, its staff user (all
    permissions of the portal, working for this company only) and a verified tenant."""
    now = timezone.now()
    company = CompanyFactory(name=f"{token} Wohnungsgenossenschaft", short_name=token, erp_id=f"{token}-ERP")
    staff = staff_for(
        company,
        perms=list(staff_permissions()),
        username=f"{token.lower()}-staff",
        first_name=token,
        last_name="Sachbearbeitung",
        email=f"staff@{token.lower()}.example",
        group_name=f"{token} Team",
    )
    prop = PropertyFactory(company=company, name=f"{token} Wohnanlage", street=f"{token}straße 1")
    unit = UnitFactory(property=prop, number=f"{token}-U1")
    contract = ContractFactory(unit=unit, number=f"{token}-V1")
    tenant, party = tenant_for(contract, user=UserFactory(username=f"{token.lower()}-tenant"))
    party.last_name, party.email = f"{token}mann", f"mieter@{token.lower()}.example"
    party.save()
    rent = m.RentComponent.objects.create(
        contract=contract,
        label=f"{token} Grundmiete",
        amount=Decimal("500.00"),
        valid_from=datetime.date(2024, 1, 1),
    )
    person = m.ContactPerson.objects.create(company=company, name=f"{token} Betreuerin", user=staff)
    responsibility = m.ContactResponsibility.objects.create(contact_person=person, company=company)
    run = m.ImportRun.objects.create(company=company, files=[f"{token}.csv"], source=m.ImportRun.Source.ADMIN)
    code = account_services.issue_code(party, contract).record
    code_request = CodeRequest.objects.create(
        company=company,
        party=party,
        contract=contract,
        contract_number=contract.number,
        last_name=party.last_name,
    )
    letters = CompanyLetterSettings.objects.create(company=company, subject=f"{token} Freischaltbrief")
    claimant = UserFactory(username=f"{token.lower()}-claimant", email=f"neu@{token.lower()}.example")
    claim = RegistrationClaim.objects.create(
        account=PortalAccount.objects.create(user=claimant, email_verified_at=now),
        company=company,
        first_name=token,
        last_name=f"{token}neu",
        street=f"{token}weg 2",
        postal_code="04109",
        city="Leipzig",
    )
    ticket_type = TicketType.objects.create(
        code=f"{token.lower()}-anliegen",
        name=f"{token} Anliegen",
        company=company,
        kind=TicketType.Kind.OTHER,
    )
    location = DamageLocation.objects.create(name=f"{token} Keller", company=company)
    category = DamageCategory.objects.create(location=location, name=f"{token} Kategorie")
    kind = DamageKind.objects.create(category=category, name=f"{token} Schaden")
    rule = RoutingRule.objects.create(company=company, assignee=staff)
    ticket = ticket_services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="general_contact"),
        user=tenant,
        subject=f"{token} Wasserhahn",
        description=f"{token} tropft seit Montag",
        attachments=[jpeg()],
    )
    note = ticket_services.post_message(
        ticket, user=staff, body=f"{token} interne Notiz", role=TicketMessage.Role.STAFF, internal=True
    )
    # The tenant has no e-delivery consent: the documents go by post. The first is printed in
    # a batch, the second waits on the print list.
    printed = document_services.publish(
        pdf(f"{token} eins"), target=contract, category="letter", title=f"{token} Brief"
    )
    batch = document_services.create_print_batch(company=company, user=staff)
    document = document_services.publish(
        pdf(f"{token} zwei"), target=contract, category="letter", title=f"{token} Schreiben"
    )
    distribution = BulkDistribution.objects.create(
        company=company,
        category=DocumentCategory.objects.get(key="letter"),
        title=f"{token} Verteilung",
        document_date=now.date(),
        published_from=now,
        filename_pattern=r"(?P<contract>\d+)",
        zip_name=f"{token}.zip",
        status=BulkDistribution.Status.DONE,
    )
    request_type = DocumentRequestType.objects.create(
        company=company, name=f"{token} Hausordnung", category=DocumentCategory.objects.get(key="house_rules")
    )
    document_request = DocumentRequest.objects.create(
        company=company,
        request_type=request_type,
        contract=contract,
        note=f"{token} Bitte",
        requested_by=tenant,
    )
    notice = NoticeFactory(company=company, title=f"{token} Aushang")
    meter = Meter.objects.create(
        company=company, unit=unit, erp_id=f"{token}-M1", kind="heating", location=f"{token} Keller"
    )
    benchmark = Benchmark.objects.create(
        company=company, property=prop, kind="heating", month=datetime.date(2025, 1, 1), value=Decimal("1")
    )
    savings = SavingsAccountFactory(company=company, number=f"{token}-S1", product_name=f"{token} Sparbuch")
    savings.holders.add(party)
    exemption = ExemptionOrderFactory(company=company, party=party, erp_id=f"{token}-FSA")
    exemption_request = ExemptionRequest.objects.create(
        company=company,
        party=party,
        year=now.year,
        action="change",
        amount=Decimal("801.00"),
        submitted_by=tenant,
    )
    connection = Connection.objects.create(company=company, name=f"{token} ERP")
    call = InboundCall.objects.create(
        connection=connection, action="ticket.status", target=f"{token}-T1", status_code=200
    )
    letter = OutboxMessage.objects.create(
        channel="mail",
        topic=f"{token} Nachricht",
        company_id=company.pk,
        state=OutboxMessage.State.DEAD,
        last_error=f"{token} Fehler",
    )
    contract.iban = "DE02120300000000202051"
    contract.save()
    bank_change = m.BankDetailsChange.objects.create(
        company=company,
        contract=contract,
        requested_by=tenant,
        account_holder=f"{token} Kontoinhaber",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        bank_name="Commerzbank",
        mandate_text=f"{token} Mandat",
    )
    objects = {
        m.Company: company,
        m.Property: prop,
        m.Unit: unit,
        m.Party: party,
        m.Contract: contract,
        m.ContractParty: m.ContractParty.objects.get(contract=contract),
        m.RentComponent: rent,
        m.ContactPerson: person,
        m.ContactResponsibility: responsibility,
        m.ImportRun: run,
        m.BankDetailsChange: bank_change,
        RegistrationCode: code,
        CodeRequest: code_request,
        CompanyLetterSettings: letters,
        RegistrationClaim: claim,
        PortalAccount: tenant.tenantportal_account,
        AccountParty: AccountParty.objects.get(party=party),
        Ticket: ticket,
        TicketAttachment: ticket.attachments.get(),
        TicketMessage: note,
        TicketType: ticket_type,
        DamageLocation: location,
        DamageCategory: category,
        DamageKind: kind,
        RoutingRule: rule,
        Document: document,
        DocumentDelivery: DocumentDelivery.objects.get(document=document),
        BulkDistribution: distribution,
        DocumentRequestType: request_type,
        DocumentRequest: document_request,
        batch.__class__: batch,
        Notice: notice,
        Meter: meter,
        Benchmark: benchmark,
        SavingsAccount: savings,
        ExemptionOrder: exemption,
        ExemptionRequest: exemption_request,
        Connection: connection,
        InboundCall: call,
        OutboxMessage: letter,
    }
    assert printed.deliveries.filter(print_batch=batch).exists()
    assert Document.objects.filter(company=company).count() == 2
    return CompanyWorld(token=token, company=company, staff=staff, tenant=tenant, objects=objects)


def build_world():
    """Lindenhof and Elsteraue, each with its objects and its staff: ``{token: CompanyWorld}``."""
    return {token: build_company(token) for token in (LINDENHOF, ELSTERAUE)}


def isolated_world(settings, tmp_path):
    """``build_world()`` with its files in ``tmp_path`` and no attempt counters of earlier tests
    (for a test module's ``world`` fixture)."""
    from django.core.cache import caches

    settings.STORAGES = {
        **settings.STORAGES,
        "tenantportal_private": {
            "BACKEND": "wagtail_tenantportal.core.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    caches["default"].clear()
    return build_world()


def other(token):
    return ELSTERAUE if token == LINDENHOF else LINDENHOF
