"""Staff admin: listing with filters, printing, revoking, reprinting, code requests, letter texts."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.factories import UserFactory
from wagtail_tenantportal.accounts import services
from wagtail_tenantportal.accounts.models import CodeRequest, CompanyLetterSettings, RegistrationCode

from .conftest import make_tenant, pdf_pages

pytestmark = pytest.mark.django_db


def pdf_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_listing_with_filters(staff_client, company, tenant):
    party, contract = tenant
    active = services.issue_code(party, contract).record
    other_party, other_contract = make_tenant(company, last_name="Zander")
    revoked = services.issue_code(other_party, other_contract).record
    services.revoke_code(revoked)
    url = reverse("tenantportal_registrationcode:index")
    response = staff_client.get(url)
    assert response.status_code == 200
    assert party.last_name in response.content.decode() and "Zander" in response.content.decode()
    response = staff_client.get(url, {"status": "active", "company": company.pk})
    content = response.content.decode()
    assert party.last_name in content and "Zander" not in content
    response = staff_client.get(url, {"status": "revoked"})
    assert "Zander" in response.content.decode()
    response = staff_client.get(reverse("tenantportal_registrationcode:inspect", args=[active.pk]))
    assert response.status_code == 200
    assert active.code_hash not in response.content.decode()


def test_print_letters_for_all_unregistered_parties_of_a_company(staff_client, staff_user, company):
    parties = [make_tenant(company)[0] for _ in range(2)]
    url = reverse("tenantportal_registrationcode:issue")
    assert staff_client.get(url).status_code == 200
    form = {"company": company.pk, "contract_kind": "rental", "unregistered": "on", "skip_active_codes": "on"}
    response = staff_client.post(url, {**form, "action": "count"})
    assert response.status_code == 200
    assert response.context["preview"].count == 2
    assert not RegistrationCode.objects.exists()
    pages = pdf_pages(pdf_of(staff_client.post(url, {**form, "action": "print"})))
    assert len(pages) == 2
    assert {p.last_name for p in parties} == {
        p.last_name for p in parties if any(p.last_name in t for t in pages)
    }
    assert RegistrationCode.objects.filter(created_by=staff_user).count() == 2
    assert ModelLogEntry.objects.filter(action=services.ACTION_ISSUED, user=staff_user).count() == 2
    # Printing again with "leave out parties who hold a valid code" prints nothing.
    response = staff_client.post(url, {**form, "action": "print"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_print_letters_for_selected_parties(staff_client, company):
    first, _ = make_tenant(company)
    second, _ = make_tenant(company)
    url = reverse("tenantportal_registrationcode:issue")
    response = staff_client.get(url, {"party": [first.pk]})
    assert response.context["preselected"] == 1
    data = {"party_ids": str(first.pk), "contract_kind": "", "action": "print"}
    pages = pdf_pages(pdf_of(staff_client.post(url, data)))
    assert len(pages) == 1 and first.last_name in pages[0]
    data = {"company": company.pk, "parties": f"{second.erp_id}, nonexistent", "action": "print"}
    response = staff_client.post(url, data)
    assert "nonexistent" in str(response.context["form"].errors["parties"])
    assert not RegistrationCode.objects.filter(party=second).exists()


def test_empty_selection_is_refused(staff_client):
    response = staff_client.post(reverse("tenantportal_registrationcode:issue"), {"action": "print"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_revoke_and_reprint(staff_client, staff_user, tenant):
    party, contract = tenant
    record = services.issue_code(party, contract).record
    revoke_url = reverse("tenantportal_registrationcode:revoke", args=[record.pk])
    assert staff_client.get(revoke_url).status_code == 200
    response = staff_client.post(revoke_url)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.revoked_by == staff_user

    reprint_url = reverse("tenantportal_registrationcode:reprint", args=[record.pk])
    assert staff_client.get(reprint_url).status_code == 200
    pages = pdf_pages(pdf_of(staff_client.post(reprint_url)))
    assert len(pages) == 1 and party.last_name in pages[0] and contract.number in pages[0]
    new = RegistrationCode.objects.active().get(party=party)
    assert new.pk != record.pk and new.contract == contract


def test_code_requests_are_listed_and_handled(staff_client, staff_user, tenant):
    party, contract = tenant
    matched = services.request_code(contract.number, party.last_name)
    unmatched = services.request_code("999", "Niemand")
    response = staff_client.get(reverse("tenantportal_coderequest:index"))
    assert response.status_code == 200
    assert "Niemand" in response.content.decode()
    assert staff_client.get(reverse("tenantportal_coderequest:inspect", args=[matched.pk])).status_code == 200

    pages = pdf_pages(pdf_of(staff_client.post(reverse("tenantportal_coderequest:send", args=[matched.pk]))))
    assert len(pages) == 1 and party.last_name in pages[0]
    matched.refresh_from_db()
    assert matched.handled and matched.handled_by == staff_user and matched.code.party == party

    response = staff_client.post(reverse("tenantportal_coderequest:send", args=[unmatched.pk]))
    assert response.status_code == 302
    response = staff_client.post(reverse("tenantportal_coderequest:handled", args=[unmatched.pk]))
    assert response.status_code == 302
    assert CodeRequest.objects.filter(handled=True).count() == 2
    # Handled requests have no actions any more.
    assert (
        staff_client.post(reverse("tenantportal_coderequest:handled", args=[unmatched.pk])).status_code == 404
    )


def test_letter_texts_are_edited_and_previewed(staff_client, company):
    response = staff_client.get(reverse("tenantportal_lettersettings:add"))
    assert response.status_code == 200
    data = {
        "company": company.pk,
        "subject": "Ihr Zugang",
        "body": "{salutation}\n\nHallo {wrong}",
        "closing": "",
    }
    response = staff_client.post(reverse("tenantportal_lettersettings:add"), data)
    assert response.status_code == 200  # unknown placeholder refused
    assert not CompanyLetterSettings.objects.exists()
    data["body"] = "{salutation}\n\nSie erhalten heute Ihren Code."
    response = staff_client.post(reverse("tenantportal_lettersettings:add"), data)
    assert response.status_code == 302
    settings = CompanyLetterSettings.objects.get()
    assert staff_client.get(reverse("tenantportal_lettersettings:index")).status_code == 200
    pages = pdf_pages(
        pdf_of(staff_client.get(reverse("tenantportal_lettersettings:preview", args=[settings.pk])))
    )
    assert "Sie erhalten heute Ihren Code." in pages[0] and "Ihr Zugang" in pages[0]
    assert not RegistrationCode.objects.exists()


def test_admin_views_are_for_staff_only(client, tenant):
    party, contract = tenant
    record = services.issue_code(party, contract).record
    urls = [
        reverse("tenantportal_registrationcode:index"),
        reverse("tenantportal_registrationcode:issue"),
        reverse("tenantportal_registrationcode:revoke", args=[record.pk]),
        reverse("tenantportal_registrationcode:reprint", args=[record.pk]),
        reverse("tenantportal_coderequest:index"),
    ]
    for url in urls:  # anonymous: to the login page
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    tenant_user = UserFactory()
    client.force_login(tenant_user)
    for url in urls:  # no admin access
        assert client.get(url).status_code in (302, 403)
    # Admin access, but no permission for codes.
    editors = Group.objects.create(name="Editors without codes")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    record.company.staff_groups.add(editors)  # works for the company, lacks the permissions
    editor = UserFactory()
    editor.groups.add(editors)
    client.force_login(editor)
    for url in urls:
        assert client.get(url).status_code in (302, 403), url
    assert client.post(reverse("tenantportal_registrationcode:revoke", args=[record.pk])).status_code in (
        302,
        403,
    )
    record.refresh_from_db()
    assert record.revoked_at is None


def test_viewing_permission_shows_the_listing_but_not_the_actions(client, tenant):
    party, contract = tenant
    record = services.issue_code(party, contract).record
    group = Group.objects.create(name="Code viewers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_registrationcode"),
    )
    contract.company.staff_groups.add(group)
    viewer = UserFactory()
    viewer.groups.add(group)
    client.force_login(viewer)
    assert client.get(reverse("tenantportal_registrationcode:index")).status_code == 200
    # Wagtail answers a denied admin view with a redirect to the dashboard and a message.
    for name in ("revoke", "reprint"):
        response = client.post(reverse(f"tenantportal_registrationcode:{name}", args=[record.pk]))
        assert response.status_code in (302, 403) and response.get("Content-Type") != "application/pdf"
    assert client.get(reverse("tenantportal_registrationcode:issue")).status_code in (302, 403)
    record.refresh_from_db()
    assert record.revoked_at is None
    assert RegistrationCode.objects.count() == 1


def test_the_views_are_in_the_tenant_portal_menu(staff_client):
    content = staff_client.get(reverse("wagtailadmin_home")).content.decode()
    for name in ("tenantportal_registrationcode", "tenantportal_coderequest", "tenantportal_lettersettings"):
        assert reverse(f"{name}:index") in content


def test_log_actions_have_labels(staff_client, tenant):
    party, contract = tenant
    record = services.issue_code(party, contract).record
    response = staff_client.get(reverse("tenantportal_registrationcode:history", args=[record.pk]))
    assert response.status_code == 200
    assert "Registration code issued" in response.content.decode()
