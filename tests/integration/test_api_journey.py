"""The API over real HTTP: the example site under gunicorn on 127.0.0.1 (a subprocess), a
tenant's journey from the registration letter to a document (``make api-journey``).

Registration with the letter's code -> the 6-digit code from the mail (the site writes mails to
files) -> contact check -> authenticator app -> logout -> login with password and TOTP -> a
damage photo with a request (multipart) -> staff change the status (``manage.py shell``, the
service the admin calls) -> the change feed shows it -> staff publish a document -> download
with the token and through a signed link without it.
"""

import io
import json
import re
import time

import pyotp
import pytest
import requests
from PIL import Image

from tests.integration.api_server import Site

pytestmark = pytest.mark.api_http

PASSWORD = "Rotkehlchen-Mauersegler-42"
TIMEOUT = 20

SETUP = """
import json
from wagtail_tenantportal.accounts import services
from wagtail_tenantportal.tenancy.models import Company, Contract, ContractParty, Party, Property, Unit
company = Company.objects.create(name="WG Lindenhof", slug="lindenhof", portal_enabled=True)
home = Property.objects.create(company=company, erp_id="P1", street="Lindenstraße 7", postal_code="04109", city="Leipzig")
unit = Unit.objects.create(company=company, property=home, erp_id="U1", number="0701")
contract = Contract.objects.create(company=company, unit=unit, number="JOURNEY-1")
party = Party.objects.create(company=company, erp_id="M1", first_name="Jonas", last_name="Becker")
ContractParty.objects.create(contract=contract, party=party, role=ContractParty.Role.MAIN_TENANT)
print(json.dumps({"contract": contract.number, "code": services.issue_code(party, contract).code}))
"""

STAFF_STATUS = """
from wagtail_tenantportal.tickets import services
from wagtail_tenantportal.tickets.models import Ticket, TicketStatus
ticket = Ticket.objects.get(reference="{reference}")
services.change_status(ticket, TicketStatus.objects.get(code="in_progress"), comment="Der Handwerker kommt am Dienstag.")
print("ok")
"""

STAFF_DOCUMENT = """
import io
from django.core.files.base import ContentFile
from reportlab.pdfgen.canvas import Canvas
from wagtail_tenantportal.documents import services
from wagtail_tenantportal.tenancy.models import Contract
out = io.BytesIO(); canvas = Canvas(out, invariant=1); canvas.drawString(72, 720, "Abrechnung 2025"); canvas.showPage(); canvas.save()
document = services.publish(ContentFile(out.getvalue(), name="abrechnung.pdf"), target=Contract.objects.get(number="JOURNEY-1"),
    category=services.get_category("operating_cost_statement"), title="Betriebskostenabrechnung 2025", notify=False, deliver=False)
print(document.uuid)
"""


def mail_text(message):
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return ""


def emailed_code(site, address):
    texts = [mail_text(m) for m in site.mails() if address in (m["To"] or "")]
    assert texts, f"no mail to {address}"
    match = re.search(r"^\s*(\d{6})\s*$", texts[-1], re.MULTILINE)
    assert match, texts[-1]
    return match.group(1)


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 60, 30)).save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture(scope="module")
def site():
    site = Site()
    started = time.monotonic()
    try:
        site.migrate()
        site.data = json.loads(site.shell(SETUP).strip().splitlines()[-1])
        site.start()
        print(f"\nAPI journey: site ready in {time.monotonic() - started:.1f} s at {site.url}")
        yield site
    finally:
        site.cleanup()


def test_journey_over_http(site):
    api, http = site.api, requests.Session()
    steps = []

    def call(method, path, token=None, expect=200, **kwargs):
        headers = {"Accept-Language": "de"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = http.request(method, api + path, headers=headers, timeout=TIMEOUT, **kwargs)
        assert response.status_code == expect, (
            f"{method} {path}: {response.status_code} {response.text[:500]}"
        )
        steps.append(f"{method} {path} {response.status_code}")
        return response

    # 1. registration with the letter's code
    body = call(
        "POST",
        "/register/code/",
        json={
            "contract_number": site.data["contract"],
            "code": site.data["code"],
            "last_name": "Becker",
            "email": "jonas@example.org",
            "password": PASSWORD,
            "consents": ["privacy", "terms", "e_delivery"],
            "device_name": "Jonas' Telefon",
        },
        expect=202,
    ).json()
    # 2. the emailed code
    verified = call(
        "POST",
        "/auth/email/verify/",
        body["verification_token"],
        json={"code": emailed_code(site, "jonas@example.org")},
    ).json()
    token = verified["token"]
    assert verified["state"] == "contact_check_required"
    refused = call("GET", "/requests/", token, expect=403).json()
    assert refused["step"] == "contact_check_required" and refused["message"]
    call("PATCH", "/me/profile/", token, json={"mobile": "0170 1234567"})
    # 3. the authenticator app
    secret = call("POST", "/me/two-factor/totp/", token, json={"password": PASSWORD}).json()["secret"]
    totp = pyotp.TOTP(secret)
    codes = call("POST", "/me/two-factor/totp/confirm/", token, json={"code": totp.now()}).json()[
        "backup_codes"
    ]
    assert len(codes) == 10
    call("POST", "/auth/logout/", token, expect=204)
    call("GET", "/me/", token, expect=401)
    # 4. login with password and TOTP (the next step's code: the one used is spent)
    pending = call("POST", "/auth/login/", json={"email": "jonas@example.org", "password": PASSWORD}).json()
    assert pending["status"] == "second_factor_required" and pending["methods"][0] == "totp"
    call("GET", "/requests/", pending["pending_token"], expect=401)
    logged_in = call(
        "POST",
        "/auth/2fa/verify/",
        pending["pending_token"],
        json={"method": "totp", "code": totp.at(time.time() + 30), "device_name": "Jonas' Telefon"},
    ).json()
    token = logged_in["token"]
    assert logged_in["state"] == "ok"
    # 5. a request with a photo
    types = call("GET", "/request-types/", token).json()
    general = next(t for t in types if t["code"] == "general_contact")
    created = call(
        "POST",
        "/requests/",
        token,
        data={
            "contract": str(general["contracts"][0]),
            "type": "general_contact",
            "subject": "Fenster klemmt",
            "description": "Das Küchenfenster schließt nicht mehr.",
        },
        files=[("attachments", ("fenster.jpg", jpeg(), "image/jpeg"))],
        expect=201,
    ).json()
    assert len(created["attachments"]) == 1
    photo = call("GET", created["attachments"][0]["url"].split("/api/v1", 1)[1], token)
    assert photo.headers["Content-Type"] == "image/jpeg"
    cursor = call("GET", "/feed/", token).json()["cursor"]
    # 6. staff change the status; the feed shows it
    time.sleep(0.01)
    assert site.shell(STAFF_STATUS.format(reference=created["reference"])).strip().endswith("ok")
    feed = call("GET", "/feed/", token, params={"cursor": cursor}).json()
    status = [
        i for i in feed["items"] if i["kind"] == "request_status" and i["reference"] == created["reference"]
    ]
    assert status and status[0]["status"] == "in_progress", feed
    detail = call("GET", f"/requests/{created['reference']}/", token).json()
    assert detail["status"]["code"] == "in_progress"
    # 7. a document: with the token, and through a signed link without it
    document_id = site.shell(STAFF_DOCUMENT).strip().splitlines()[-1]
    listing = call("GET", "/documents/", token).json()["results"]
    assert listing[0]["id"] == document_id and listing[0]["is_new"] is True
    pdf = call("GET", f"/documents/{document_id}/file/", token)
    assert pdf.content.startswith(b"%PDF") and pdf.headers["Content-Type"] == "application/pdf"
    link = call("POST", f"/documents/{document_id}/link/", token).json()["url"]
    anonymous = requests.get(link, timeout=TIMEOUT)
    assert anonymous.status_code == 200 and anonymous.content == pdf.content
    assert call("GET", "/documents/", token).json()["results"][0]["is_new"] is False
    print(f"API journey: {len(steps)} calls over HTTP, all as expected")
