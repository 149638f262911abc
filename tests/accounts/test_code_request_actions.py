"""Row actions of the staff list of code requests (issue 13, item 10): "send letter" issues a
code and prints the letter like the letter flow, "reject" records a reason and tells the
requester by mail where the party has an address. Both per company and audited: staff of
another company get a 404 and change nothing."""

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.factories import CompanyFactory, staff_for
from wagtail_tenantportal.accounts import services
from wagtail_tenantportal.accounts.models import CodeRequest, RegistrationCode

from .conftest import make_tenant, pdf_pages

pytestmark = pytest.mark.django_db

PERMS = (
    "access_admin",
    "tenantportal_accounts.add_registrationcode",
    "tenantportal_accounts.change_coderequest",
    "tenantportal_accounts.view_coderequest",
)


@pytest.fixture
def clerk(company):
    return staff_for(company, perms=PERMS, username="clerk")


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def request_with_email(company):
    party, contract = make_tenant(company, last_name="Schulze", email="schulze@example.org")
    return services.request_code(contract.number, party.last_name, company=company)


def url(name, pk):
    return reverse(f"tenantportal_coderequest:{name}", args=[pk])


def test_the_list_offers_both_actions(clerk_client, request_with_email):
    html = clerk_client.get(reverse("tenantportal_coderequest:index")).content.decode()
    assert url("send", request_with_email.pk) in html and url("reject", request_with_email.pk) in html


def test_send_letter_issues_a_code_and_prints_it(clerk_client, clerk, request_with_email):
    response = clerk_client.post(url("send", request_with_email.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_pages(b"".join(response.streaming_content))
    assert len(pages) == 1 and "Schulze" in pages[0]
    request_with_email.refresh_from_db()
    assert request_with_email.handled and request_with_email.handled_by == clerk
    assert RegistrationCode.objects.filter(party=request_with_email.party, created_by=clerk).count() == 1
    assert ModelLogEntry.objects.filter(action=services.ACTION_REQUEST_HANDLED, user=clerk).count() == 1


def test_reject_with_reason_informs_the_requester(clerk_client, clerk, request_with_email, company):
    assert clerk_client.get(url("reject", request_with_email.pk)).status_code == 200
    response = clerk_client.post(url("reject", request_with_email.pk), {"reason": "Der Vertrag ist beendet."})
    assert response.status_code == 302
    request_with_email.refresh_from_db()
    assert request_with_email.handled and request_with_email.handled_by == clerk
    assert not RegistrationCode.objects.exists()
    entry = ModelLogEntry.objects.get(action=services.ACTION_REQUEST_REJECTED)
    assert entry.user == clerk and entry.data == {"reason": "Der Vertrag ist beendet.", "mailed": True}
    (message,) = mail.outbox
    assert message.to == ["schulze@example.org"] and "Der Vertrag ist beendet." in message.body
    assert company.display_name in message.body
    # Handled: no action any more.
    assert clerk_client.post(url("reject", request_with_email.pk), {"reason": "nochmal"}).status_code == 404


def test_reject_without_address_says_so(clerk_client, company):
    unmatched = services.request_code("999", "Niemand", company=company)
    response = clerk_client.post(
        url("reject", unmatched.pk), {"reason": "Kein Vertrag gefunden."}, follow=True
    )
    assert "There is no email address" in response.content.decode()
    assert mail.outbox == [] and CodeRequest.objects.get(pk=unmatched.pk).handled


def test_reject_without_reason_is_refused_and_changes_nothing(clerk_client, request_with_email):
    response = clerk_client.post(url("reject", request_with_email.pk), {"reason": "   "})
    assert response.status_code == 200 and response.context["form"].errors
    assert not CodeRequest.objects.get(pk=request_with_email.pk).handled
    assert not ModelLogEntry.objects.filter(action=services.ACTION_REQUEST_REJECTED).exists()
    with pytest.raises(Exception, match="Please give a reason"):
        services.reject_code_request(request_with_email, reason="")


def test_staff_of_another_company_get_404_and_change_nothing(client, request_with_email):
    other = staff_for(
        CompanyFactory(name="Bauverein Elsteraue", slug="elsteraue"), perms=PERMS, username="fremd"
    )
    client.force_login(other)
    calls = 0
    for name in ("send", "reject", "handled", "inspect"):
        assert client.get(url(name, request_with_email.pk)).status_code == 404
        assert client.post(url(name, request_with_email.pk), {"reason": "x"}).status_code in (404, 405)
        calls += 2
    listing = client.get(reverse("tenantportal_coderequest:index")).content.decode()
    assert "Schulze" not in listing
    request_with_email.refresh_from_db()
    assert not request_with_email.handled and not RegistrationCode.objects.exists() and mail.outbox == []
    print(f"code request actions: {calls} calls of another company's staff, all refused")
