"""The staff scope against the forms and actions that take no object id in their URL: bulk
actions, filing a request, uploads and imports, letters, documents, paper post, the claim
match, notices, assignment and routing, the dashboard panel, the group panel, the system
check and the command. (Object URLs are walked in ``test_staff_scope_walk``.)"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import management
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import UserFactory, staff_for
from wagtail_tenantportal.accounts.models import RegistrationClaim, RegistrationCode
from wagtail_tenantportal.consumption.importer import import_consumption, upload_file
from wagtail_tenantportal.consumption.models import Meter
from wagtail_tenantportal.documents.models import Document, PrintBatch
from wagtail_tenantportal.notices.models import Notice
from wagtail_tenantportal.tenancy import models as m
from wagtail_tenantportal.tickets import services as ticket_services
from wagtail_tenantportal.tickets.models import RoutingRule, Ticket, TicketStatus, TicketType

from .notices.test_notices import DRAFTAIL_BODY
from .scope_world import ELSTERAUE, LINDENHOF, isolated_world, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    return isolated_world(settings, tmp_path)


@pytest.fixture
def lindenhof(world):
    return world[LINDENHOF]


@pytest.fixture
def elsteraue(world):
    return world[ELSTERAUE]


@pytest.fixture
def as_lindenhof(client, lindenhof):
    client.force_login(lindenhof.staff)
    return client


def csv_upload(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


# -- requests -----------------------------------------------------------------------------------


def test_bulk_actions_leave_other_companies_requests_alone(as_lindenhof, lindenhof, elsteraue):
    foreign = elsteraue.objects[Ticket]
    done = TicketStatus.objects.get(code="done")
    before = (foreign.status_id, foreign.assignee_id)
    url = reverse("tenantportal_tickets:bulk")
    response = as_lindenhof.post(
        url, {"ticket": [foreign.pk], "action": "status", "status": done.pk}, follow=True
    )
    assert "Select at least one request." in response.content.decode()
    as_lindenhof.post(url, {"ticket": [foreign.pk], "action": "assign", "assignee": lindenhof.staff.pk})
    foreign.refresh_from_db()
    assert (foreign.status_id, foreign.assignee_id) == before
    # Nor may one of their own requests go to the other company's staff.
    own = lindenhof.objects[Ticket]
    as_lindenhof.post(url, {"ticket": [own.pk], "action": "assign", "assignee": elsteraue.staff.pk})
    response = as_lindenhof.post(
        reverse("tenantportal_tickets:detail", args=[own.pk]),
        {"action": "assign", "assign-assignee": elsteraue.staff.pk},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    own.refresh_from_db()
    assert own.assignee_id == lindenhof.staff.pk


def test_assignment_and_routing_stay_within_the_company(lindenhof, elsteraue):
    own = lindenhof.objects[Ticket]
    with pytest.raises(ValidationError, match="does not work for the company"):
        ticket_services.assign(own, elsteraue.staff, user=lindenhof.staff)
    with pytest.raises(ValidationError):
        ticket_services.bulk_assign([own, elsteraue.objects[Ticket]], lindenhof.staff)
    assert Ticket.objects.get(pk=elsteraue.objects[Ticket].pk).assignee_id == elsteraue.staff.pk
    assert list(ticket_services.assignable_staff(own)) == [lindenhof.staff]
    # A rule for any company, a type's responsible person, a contact person: only staff of
    # the ticket's company receive it.
    RoutingRule.objects.all().delete()
    RoutingRule.objects.create(assignee=elsteraue.staff, sort_order=-1)
    general = TicketType.objects.get(code="general_contact")
    general.default_assignee = elsteraue.staff
    general.save()
    m.ContactPerson.objects.filter(company=lindenhof.company).update(user=elsteraue.staff)
    ticket = ticket_services.submit_ticket(
        contract=lindenhof.objects[m.Contract],
        ticket_type=general,
        user=lindenhof.tenant,
        subject="a",
        description="b",
    )
    assert ticket.assignee is None
    RoutingRule.objects.create(assignee=lindenhof.staff, sort_order=5)
    ticket = ticket_services.submit_ticket(
        contract=lindenhof.objects[m.Contract],
        ticket_type=general,
        user=lindenhof.tenant,
        subject="c",
        description="d",
    )
    assert ticket.assignee == lindenhof.staff


def test_staff_file_requests_for_their_companies_only(as_lindenhof, lindenhof, elsteraue):
    url = reverse("tenantportal_tickets:add")
    form = as_lindenhof.get(url).context["form"]
    assert list(form.fields["company"].queryset) == [lindenhof.company]
    assert form.fields["company"].initial == lindenhof.company.pk  # their only company
    before = Ticket.objects.count()
    response = as_lindenhof.post(
        url,
        {
            "company": elsteraue.company.pk,
            "contract_number": elsteraue.objects[m.Contract].number,
            "ticket_type": TicketType.objects.get(code="general_contact").pk,
            "subject": "Eingeschleust",
            "description": "x",
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Ticket.objects.count() == before


def test_the_dashboard_panel_counts_the_companys_requests(as_lindenhof, lindenhof, elsteraue):
    counts = ticket_services.inbox_counts(lindenhof.staff)
    assert counts["open"] == Ticket.objects.filter(company=lindenhof.company).count() == 1
    html = as_lindenhof.get(reverse("wagtailadmin_home")).content.decode()
    assert "tenantportal_tickets" in html or "Tenant requests" in html
    assert ticket_services.inbox_counts(UserFactory(is_superuser=True))["open"] == 2


def test_staff_of_no_company_are_told_on_the_start_page(client):
    staff = staff_for(perms=("access_admin", "tenantportal_tickets.view_ticket"))
    client.force_login(staff)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "You work for no company yet" in html
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert "You work for no company yet" not in client.get(reverse("wagtailadmin_home")).content.decode()


# -- imports --------------------------------------------------------------------------------------------


def test_master_data_upload_is_for_ones_own_company(as_lindenhof, lindenhof, elsteraue):
    url = reverse("tenantportal_import:index")
    form = as_lindenhof.get(url).context["form"]
    assert list(form.fields["company"].queryset) == [lindenhof.company] and form.fields["company"].required
    foreign_erp = elsteraue.company.erp_id
    own_erp = lindenhof.company.erp_id
    parties = (
        "company,erp_id,last_name\n"
        f"{own_erp},P-NEU-1,Neumann\n"
        f"{foreign_erp},P-NEU-2,Eingeschleust\n"
        f"{foreign_erp},{elsteraue.objects[m.Party].erp_id},Umbenannt\n"
    )
    companies = f"erp_id,name\n{foreign_erp},Umbenannt eG\nNEU,Neue Genossenschaft\n{own_erp},{lindenhof.company.name}\n"
    # Another company chosen: refused as an invalid choice.
    response = as_lindenhof.post(
        url, {"company": elsteraue.company.pk, "files": [csv_upload("parties.csv", parties)]}
    )
    assert "Select a valid choice" in response.content.decode()
    # Their own company: the other company's rows are rejected, the own row is imported.
    response = as_lindenhof.post(
        url,
        {
            "company": lindenhof.company.pk,
            "partial": "on",
            "files": [csv_upload("companies.csv", companies), csv_upload("parties.csv", parties)],
        },
    )
    result = response.context["result"]
    assert result.committed
    messages = " ".join(error.message for error in result.errors)
    assert messages.count(f"“{foreign_erp}”") >= 3 and "NEU" in messages
    assert m.Party.objects.filter(erp_id="P-NEU-1", company=lindenhof.company).exists()
    assert not m.Party.objects.filter(last_name__in=["Eingeschleust", "Umbenannt"]).exists()
    assert not m.Company.objects.filter(name__in=["Umbenannt eG", "Neue Genossenschaft"]).exists()
    run = m.ImportRun.objects.latest("started_at")
    assert run.company == lindenhof.company
    # The run is the company's: the other company's staff do not see it.
    assert run not in m.ImportRun.objects.for_staff(elsteraue.staff)


def test_consumption_and_savings_imports_refuse_other_companies_rows(lindenhof, elsteraue):
    unit = lindenhof.objects[m.Unit]
    meters = (
        "company,erp_id,unit,kind\n"
        f"{lindenhof.company.erp_id},M-NEU,{unit.erp_id},heating\n"
        f"{elsteraue.company.erp_id},M-FREMD,{elsteraue.objects[m.Unit].erp_id},heating\n"
    )
    result = import_consumption(
        [upload_file(csv_upload("meters.csv", meters))], partial=True, company=lindenhof.company
    )
    assert result.committed and result.counts["meters"].rejected == 1
    assert (
        Meter.objects.filter(erp_id="M-NEU").exists() and not Meter.objects.filter(erp_id="M-FREMD").exists()
    )
    from wagtail_tenantportal.savings.importer import import_savings, savings_upload

    accounts = (
        f"company,erp_id,number,product,contract\n{elsteraue.company.erp_id},SK-FREMD,999,Eingeschleust,\n"
    )
    result = import_savings(
        [savings_upload(csv_upload("savings_accounts.csv", accounts))], company=lindenhof.company
    )
    assert not result.committed and "no company with ERP id" in result.errors[0].message


# -- letters, claims --------------------------------------------------------------------------------


def test_letters_are_printed_for_ones_own_parties_only(as_lindenhof, lindenhof, elsteraue):
    url = reverse("tenantportal_registrationcode:issue")
    foreign = elsteraue.objects[m.Party]
    form = as_lindenhof.get(url, {"party": foreign.pk}).context["form"]
    assert list(form.fields["company"].queryset) == [lindenhof.company]
    assert list(form.fields["property"].queryset) == [lindenhof.objects[m.Property]]
    response = as_lindenhof.post(
        url, {"party_ids": str(foreign.pk), "action": "preview", "contract_kind": ""}
    )
    assert response.status_code == 200 and response.context["preview"].count == 0
    response = as_lindenhof.post(url, {"parties": foreign.erp_id, "action": "preview"})
    assert "Unknown ERP ids" in response.content.decode()
    codes = RegistrationCode.objects.filter(party=foreign).count()
    response = as_lindenhof.post(url, {"party_ids": str(foreign.pk), "action": "print"})
    assert response.get("Content-Type") != "application/pdf"
    assert RegistrationCode.objects.filter(party=foreign).count() == codes


def test_a_claim_is_matched_to_a_party_of_its_company_only(as_lindenhof, lindenhof, elsteraue):
    claim = lindenhof.objects[RegistrationClaim]
    response = as_lindenhof.post(
        reverse("tenantportal_registrationclaim:match", args=[claim.pk]),
        {"party": elsteraue.objects[m.Party].pk, "confirm": "1"},
        follow=True,
    )
    assert "Please choose a party of" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == RegistrationClaim.Status.PENDING and claim.party_id is None


# -- documents, paper post, notices ------------------------------------------------------------------


def test_documents_are_uploaded_for_ones_own_company(as_lindenhof, lindenhof, elsteraue):
    url = reverse("tenantportal_document:add")
    before = Document.objects.count()
    for target in ("contract", "party", "property", "company"):
        foreign = {
            "contract": elsteraue.objects[m.Contract],
            "party": elsteraue.objects[m.Party],
            "property": elsteraue.objects[m.Property],
            "company": elsteraue.company,
        }[target]
        upload = SimpleUploadedFile("brief.pdf", pdf("Eingeschleust").read(), content_type="application/pdf")
        response = as_lindenhof.post(
            url, {target: foreign.pk, "category": 1, "title": "Eingeschleust", "upload": upload}
        )
        assert response.status_code == 200, target
        assert "Select a valid choice" in response.content.decode(), target
    assert Document.objects.count() == before


def test_print_batches_and_distributions_need_one_of_ones_companies(as_lindenhof, lindenhof, elsteraue):
    url = reverse("tenantportal_printbatch:add")
    form = as_lindenhof.get(url).context["form"]
    assert form.fields["company"].required and list(form.fields["company"].queryset) == [lindenhof.company]
    assert as_lindenhof.get(url).context["pending_count"] == 1  # their own letter waiting, not the other's
    response = as_lindenhof.post(url, {"company": ""})
    assert "This field is required" in response.content.decode()
    response = as_lindenhof.post(url, {"company": elsteraue.company.pk})
    assert "Select a valid choice" in response.content.decode()
    assert PrintBatch.objects.count() == 2
    as_lindenhof.post(url, {"company": lindenhof.company.pk})
    assert PrintBatch.objects.filter(company=lindenhof.company).count() == 2
    assert elsteraue.objects[Document].deliveries.get().print_batch is None
    form = as_lindenhof.get(reverse("tenantportal_bulkdistribution:add")).context["form"]
    assert form.fields["company"].required and list(form.fields["company"].queryset) == [lindenhof.company]


def test_notices_are_for_ones_own_company_and_properties(as_lindenhof, lindenhof, elsteraue):
    before = Notice.objects.count()
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    for data in (
        {"company": elsteraue.company.pk},
        {"company": lindenhof.company.pk, "properties": [elsteraue.objects[m.Property].pk]},
    ):
        response = as_lindenhof.post(
            reverse("tenantportal_notice:add"),
            {
                "title": "Eingeschleust",
                "category": "information",
                "body": DRAFTAIL_BODY,
                "visible_from": now,
                **data,
            },
        )
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Notice.objects.count() == before


# -- configuration shared by all companies ------------------------------------------------------------


def test_shared_configuration_is_read_by_all_and_changed_by_superusers(as_lindenhof, lindenhof):
    shared = TicketType.objects.get(code="general_contact")
    assert shared.company_id is None
    edit = reverse(shared.snippet_viewset.get_url_name("edit"), args=[shared.pk])
    assert as_lindenhof.get(edit).status_code == 404
    own = lindenhof.objects[TicketType]
    response = as_lindenhof.get(reverse(shared.snippet_viewset.get_url_name("edit"), args=[own.pk]))
    assert response.status_code == 200
    field = response.context["form"].fields["company"]
    assert field.required and list(field.queryset) == [lindenhof.company]
    listing = as_lindenhof.get(reverse(shared.snippet_viewset.get_url_name("list"))).content.decode()
    assert own.name in listing and "ELSTQZ" not in listing


def test_only_superusers_add_companies(as_lindenhof, client):
    url = reverse("tenantportal_company:add")
    response = as_lindenhof.get(url)
    assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(url).status_code == 200


# -- membership: the group panel, the check, the command ----------------------------------------------


def test_the_group_page_says_which_companies_its_members_work_for(client, lindenhof, elsteraue):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    group = Group.objects.create(name="Kundenbetreuung")
    url = reverse("wagtailusers_groups:edit", args=[group.pk])
    html = client.get(url).content.decode()
    assert "Tenant portal: companies" in html and lindenhof.company.name in html
    response = client.post(
        url,
        {
            "name": "Kundenbetreuung",
            "tenantportal_companies-companies": [elsteraue.company.pk],
            **_empty_group_formsets(client, url),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(group.tenantportal_companies.all()) == [elsteraue.company]


def _empty_group_formsets(client, url):
    """The management forms of the other permission panels of Wagtail's group page."""
    data = {}
    for panel in client.get(url).context["permission_panels"]:
        management_form = getattr(panel, "management_form", None)
        if management_form is not None:
            for name, form_field in management_form.fields.items():
                data[f"{management_form.prefix}-{name}"] = management_form.initial.get(
                    name, form_field.initial or 0
                )
    return data


def test_the_check_lists_staff_who_work_for_no_company(lindenhof):
    lost = staff_for(username="ohne-firma")
    messages = [m for m in run_checks(databases=["default"]) if m.id == "tenantportal_tenancy.W001"]
    assert (
        len(messages) == 1
        and "ohne-firma" in messages[0].msg
        and lindenhof.staff.username not in messages[0].msg
    )
    assert not [m for m in run_checks() if m.id == "tenantportal_tenancy.W001"]  # only with a database
    lost.is_active = False
    lost.save()
    assert not [m for m in run_checks(databases=["default"]) if m.id == "tenantportal_tenancy.W001"]


def test_the_command_lists_and_assigns_staff(capsys, lindenhof, elsteraue):
    lost = staff_for(username="ohne-firma")
    management.call_command("tenantportal_staff_scope")
    out = capsys.readouterr().out
    assert "ohne-firma" in out and f"{LINDENHOF} Team" in out
    management.call_command("tenantportal_staff_scope", company=lindenhof.company.slug, unassigned_staff=True)
    assert "1 staff user(s) added" in capsys.readouterr().out
    assert lindenhof.company in m.Company.objects.for_staff(lost)
    assert elsteraue.company not in m.Company.objects.for_staff(lost)
    management.call_command(
        "tenantportal_staff_scope", company=elsteraue.company.erp_id, group="Zentrale", create_group=True
    )
    assert elsteraue.company.staff_groups.filter(name="Zentrale").exists()
    with pytest.raises(management.CommandError, match="No group named"):
        management.call_command("tenantportal_staff_scope", company=elsteraue.company.slug, group="Unbekannt")
    with pytest.raises(management.CommandError, match="No company"):
        management.call_command("tenantportal_staff_scope", company="unbekannt", unassigned_staff=True)
