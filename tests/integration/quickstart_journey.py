"""A short tenant journey, run inside the quickstart site with ``manage.py shell -c``.

Not a test module of this repository: the quickstart test passes this file's text to the new
site's ``manage.py shell -c``. It uses only Django's test client and the portal's public
services, prints one line per step and ends with ``quickstart journey: ok``; any failure
raises (non-zero exit). Mail goes to Django's in-memory outbox (``setup_test_environment``).
"""

import re
from urllib.parse import urlsplit

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
from wagtail.models import Page, Site

from wagtail_tenantportal.accounts import services
from wagtail_tenantportal.tenancy.models import ContractParty

setup_test_environment()  # locmem mail backend, "testserver" allowed
PASSWORD = "Rotkehlchen-Mauersegler-42"
EMAIL = "quickstart@example.org"


def step(text):
    print(f"quickstart journey: {text}", flush=True)


def expect(response, status, where=""):
    location = response.get("Location", "")
    assert response.status_code == status, f"{where}: {response.status_code} {location}"
    return location


client = Client()
expect(client.get("/"), 200, "home page")
step("home page 200")
body = client.get("/portal/login/")
expect(body, 200, "/portal/login/")
# The portal renders inside the site's base template (BASE_TEMPLATE of the quickstart).
assert 'href="/static/css/mysite.css"' in body.content.decode(), "not inside the site's base.html"
assert "wagtail_tenantportal/css/portal.css" in body.content.decode(), "portal stylesheet not linked"
step("portal login page 200 inside the site's base template")

pages = Page.objects.filter(depth__gt=2).specific()
portal_pages = [page for page in pages if type(page).__module__.startswith("wagtail_tenantportal.")]
assert len(portal_pages) >= 3, f"portal pages missing: {portal_pages}"
for page in portal_pages:
    expect(client.get(page.url), 200, page.url)
step(f"{len(portal_pages)} portal pages 200: " + ", ".join(page.url for page in portal_pages))

link = ContractParty.objects.select_related("contract__company", "party").order_by("contract__number").first()
assert link is not None, "no imported contract"
contract, party = link.contract, link.party
code = services.issue_code(party, contract).code
response = client.post(
    "/portal/register/",
    {
        "flow": "code",
        "company": contract.company.slug,
        "contract_number": contract.number,
        "code": code,
        "last_name": party.last_name,
        "email": EMAIL,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consent_privacy": "on",
        "consent_terms": "on",
    },
)
assert expect(response, 302, "registration").endswith("/portal/register/done/")
step(f"registered with a letter code for contract {contract.number}")

# The quickstart's task backend queues the mail; its worker delivers it (to the test outbox).
assert not [m for m in mail.outbox if EMAIL in m.to], "mail sent inside the request"
call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
[message] = [m for m in mail.outbox if EMAIL in m.to]
step(f"the worker delivered the confirmation mail from {message.from_email}")
# Its links lead to the site's own address (the Site record the quickstart set), never to
# example.com, localhost or the host this client happened to use; the signature names the
# company's own website (from companies.csv).
hosts = {urlsplit(url).hostname for url in re.findall(r"https?://[^\s\"'<>]+", message.body)}
site = Site.objects.get(is_default_site=True)
website = urlsplit(contract.company.website).hostname
assert site.hostname in hosts and hosts <= {site.hostname, website}, hosts
assert "localhost" not in message.body and "example.com" not in message.body
assert "portal@" in message.from_email and "example.com" not in message.from_email, message.from_email
step(f"mails link {site.root_url}")
email_code = re.search(r"^\s*(\d{6})\s*$", message.body, re.MULTILINE).group(1)
expect(client.post("/portal/verify/code/", {"code": email_code}), 302, "email code")
step("email address confirmed with the code from the mail")

response = client.get("/portal/account/", follow=True)
if response.redirect_chain and "/portal/account/contact/" in response.redirect_chain[-1][0]:
    expect(client.post("/portal/account/contact/", {"phone": "0341 1234567"}), 302, "contact data")
expect(client.post("/portal/logout/"), 302, "logout")
assert expect(client.get("/portal/account/"), 302, "account after logout").startswith("/portal/login/")
step("logged out")

response = client.post("/portal/login/", {"email": EMAIL, "password": PASSWORD})
expect(response, 302, "login")
response = client.get("/portal/account/")
expect(response, 200, "account page")
assert contract.number in response.content.decode()
step("logged in; the account page shows the contract")
step("ok")
