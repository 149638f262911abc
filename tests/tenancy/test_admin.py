"""Staff admin of the master data: listings, search, filters, inspect, forms, export, query counts."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.factories import (
    CompanyFactory,
    ContractFactory,
    PartyFactory,
    PropertyFactory,
    UnitFactory,
    UserFactory,
)
from wagtail_tenantportal.tenancy import models as m

pytestmark = pytest.mark.django_db

#: viewset name -> model, for every listing of the "Tenant portal" group and its hidden viewsets.
VIEWSETS = {
    "tenantportal_company": m.Company,
    "tenantportal_property": m.Property,
    "tenantportal_unit": m.Unit,
    "tenantportal_party": m.Party,
    "tenantportal_contract": m.Contract,
    "tenantportal_contractparty": m.ContractParty,
    "tenantportal_rentcomponent": m.RentComponent,
    "tenantportal_contactperson": m.ContactPerson,
    "tenantportal_contactresponsibility": m.ContactResponsibility,
    "tenantportal_importrun": m.ImportRun,
}
EDITABLE = [name for name in VIEWSETS if name != "tenantportal_importrun"]


def url(viewset, view, *args):
    return reverse(f"{viewset}:{view}", args=args)


def make_rows(count):
    """``count`` rows of every master-data model, linked like real data (two parties per contract)."""
    staff = UserFactory(is_staff=True)
    for i in range(count):
        contract = ContractFactory()
        company = contract.company
        for role in (m.ContractParty.Role.MAIN_TENANT, m.ContractParty.Role.CO_TENANT):
            party = PartyFactory(company=company)
            m.ContractParty.objects.create(contract=contract, party=party, role=role)
        for kind, label, amount in (
            (m.RentComponent.Kind.BASE_RENT, "Grundmiete", Decimal("412.50")),
            (m.RentComponent.Kind.OPERATING_COSTS, "Betriebskosten", Decimal("120.00")),
        ):
            m.RentComponent.objects.create(
                contract=contract, kind=kind, label=label, amount=amount, valid_from=datetime.date(2024, 1, 1)
            )
        person = m.ContactPerson.objects.create(company=company, name=f"Sachbearbeiterin {i}", user=staff)
        m.ContactResponsibility.objects.create(
            contact_person=person, company=company, property=contract.unit.property, topic=m.Topic.TECHNICAL
        )
        m.ImportRun.objects.create(
            user=staff,
            source=m.ImportRun.Source.COMMAND,
            files=["contracts.csv"],
            committed=True,
            summary={"contracts": {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0, "ended": 0}},
        )


@pytest.fixture
def superuser():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def tenant_client(client):
    client.force_login(UserFactory())
    return client


@pytest.fixture
def rows():
    make_rows(2)


def first_pk(model):
    return model.objects.order_by("pk").values_list("pk", flat=True).first()


class TestMenu:
    def test_group_lists_the_master_data(self, staff_client):
        response = staff_client.get(reverse("wagtailadmin_home"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Tenant portal" in html
        for viewset in ("tenantportal_company", "tenantportal_contract", "tenantportal_importrun"):
            assert url(viewset, "index") in html
        assert reverse("tenantportal_import:index") in html

    def test_label_and_order_come_from_settings(self, staff_client, settings):
        settings.WAGTAIL_TENANTPORTAL = {"ADMIN_MENU_LABEL": "Serviceportal", "ADMIN_MENU_ORDER": 5}
        from wagtail_tenantportal.wagtail_hooks import TenantPortalViewSetGroup

        item = TenantPortalViewSetGroup([]).get_menu_item()
        assert (item.label, item.order) == ("Serviceportal", 5)


class TestPagesRender:
    @pytest.mark.parametrize("viewset", VIEWSETS)
    def test_listing_search_filter_and_inspect(self, staff_client, rows, viewset):
        model = VIEWSETS[viewset]
        index = url(viewset, "index")
        assert staff_client.get(index).status_code == 200
        assert staff_client.get(index, {"q": "a"}).status_code == 200
        assert staff_client.get(url(viewset, "index_results"), {"q": "Grund"}).status_code == 200
        assert staff_client.get(url(viewset, "inspect", first_pk(model))).status_code == 200

    @pytest.mark.parametrize("viewset", EDITABLE)
    def test_add_and_edit_forms(self, staff_client, rows, viewset):
        model = VIEWSETS[viewset]
        assert staff_client.get(url(viewset, "add")).status_code == 200
        assert staff_client.get(url(viewset, "edit", first_pk(model))).status_code == 200

    @pytest.mark.parametrize(
        ("viewset", "params"),
        [
            ("tenantportal_company", {"portal_enabled": "true", "two_factor_policy": "optional"}),
            ("tenantportal_property", {"city__icontains": "Leip"}),
            ("tenantportal_unit", {"kind": "flat"}),
            ("tenantportal_party", {"kind": "person"}),
            ("tenantportal_contract", {"kind": "rental", "status": "active"}),
            ("tenantportal_contactperson", {"active": "true"}),
            ("tenantportal_contactresponsibility", {"topic": "technical"}),
            ("tenantportal_importrun", {"source": "command", "committed": "true"}),
        ],
    )
    def test_filters(self, staff_client, rows, viewset, params):
        company = m.Company.objects.order_by("pk").first()
        if viewset not in ("tenantportal_importrun", "tenantportal_company"):
            params = {**params, "company": company.pk}
        response = staff_client.get(url(viewset, "index"), params)
        assert response.status_code == 200
        assert len(response.context["object_list"]) >= 1

    def test_filter_by_company_narrows_the_listing(self, staff_client, rows):
        company = m.Company.objects.order_by("pk").first()
        response = staff_client.get(url("tenantportal_contract", "index"), {"company": company.pk})
        assert [c.company_id for c in response.context["object_list"]] == [company.pk]

    def test_contract_search_finds_party_names_once(self, staff_client):
        contract = ContractFactory(number="4711")
        for first_name in ("Erika", "Max"):
            party = PartyFactory(company=contract.company, first_name=first_name, last_name="Mustermann-Test")
            m.ContractParty.objects.create(contract=contract, party=party)
        ContractFactory(number="4712")
        response = staff_client.get(url("tenantportal_contract", "index"), {"q": "mustermann-test"})
        assert list(response.context["object_list"]) == [contract]

    def test_contract_listing_shows_parties_and_property(self, staff_client):
        contract = ContractFactory(number="900001")
        party = PartyFactory(company=contract.company, first_name="Grete", last_name="Schmidt")
        m.ContractParty.objects.create(contract=contract, party=party)
        html = staff_client.get(url("tenantportal_contract", "index")).content.decode()
        assert "900001" in html
        assert "Grete Schmidt" in html
        assert contract.unit.property.street in html

    def test_property_listing_counts_units(self, staff_client):
        prop = PropertyFactory()
        UnitFactory.create_batch(3, property=prop)
        response = staff_client.get(url("tenantportal_property", "index"))
        assert [p.unit_count for p in response.context["object_list"]] == [3]

    def test_contract_inspect_shows_parties_rent_and_add_links(self, staff_client, rows):
        contract = m.Contract.objects.order_by("pk").first()
        response = staff_client.get(url("tenantportal_contract", "inspect", contract.pk))
        html = response.content.decode()
        for link in contract.contract_parties.select_related("party"):
            assert str(link.party) in html
        assert "Grundmiete" in html and "412" in html
        assert f"{url('tenantportal_contractparty', 'add')}?contract={contract.pk}" in html
        assert f"{url('tenantportal_rentcomponent', 'add')}?contract={contract.pk}" in html

    def test_import_run_inspect_shows_summary(self, staff_client):
        run = m.ImportRun.objects.create(
            files=["contracts.csv"],
            summary={"contracts": {"created": 7, "updated": 1, "unchanged": 0, "rejected": 1, "ended": 2}},
            errors=[{"file": "contracts.csv", "line": 4, "message": "Unknown unit E999."}],
        )
        html = staff_client.get(url("tenantportal_importrun", "inspect", run.pk)).content.decode()
        assert "Unknown unit E999." in html
        assert "<td>7</td>" in html

    def test_import_runs_are_read_only(self, staff_client, rows):
        html = staff_client.get(url("tenantportal_importrun", "index")).content.decode()
        assert "/import-runs/new/" not in html
        assert "/import-runs/edit/" not in html
        assert url("tenantportal_importrun", "inspect", first_pk(m.ImportRun)) in html


class TestAccess:
    @pytest.mark.parametrize("viewset", VIEWSETS)
    def test_non_staff_user_is_refused(self, tenant_client, rows, viewset):
        pk = first_pk(VIEWSETS[viewset])
        views = [("index",), ("inspect", pk)] + ([("add",), ("edit", pk)] if viewset in EDITABLE else [])
        for view, *args in views:
            response = tenant_client.get(url(viewset, view, *args))
            assert response.status_code == 302, (viewset, view)
            assert response.url.startswith(reverse("wagtailadmin_login"))

    def test_non_staff_user_cannot_export(self, tenant_client, rows):
        response = tenant_client.get(url("tenantportal_contract", "index"), {"export": "csv"})
        assert response.status_code == 302

    def test_anonymous_user_is_sent_to_login(self, client, rows):
        response = client.get(url("tenantportal_contract", "index"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login"))


class TestEditing:
    def test_create_company_is_logged(self, staff_client, superuser):
        data = {
            "name": "Wohnungsgenossenschaft Lindenau",
            "slug": "wg-lindenau",
            "legal_form": "eG",
            "country": "DE",
            "registration_flow": m.Company.RegistrationFlow.CODE_FIRST,
            "two_factor_policy": m.Company.TwoFactorPolicy.REQUIRED,
            "reply_names": m.Company.ReplyNames.TEAM,
            "portal_enabled": "on",
            "bank_change_countries": m.BankCountries.SEPA,
        }
        response = staff_client.post(url("tenantportal_company", "add"), data)
        assert response.status_code == 302, response.context["form"].errors
        company = m.Company.objects.get(slug="wg-lindenau")
        assert company.two_factor_policy == m.Company.TwoFactorPolicy.REQUIRED
        entry = ModelLogEntry.objects.get(object_id=str(company.pk), action="wagtail.create")
        assert entry.user_id == superuser.pk

    def test_edit_contract_is_logged_and_validated(self, staff_client):
        contract = ContractFactory()
        data = {
            "company": contract.company_id,
            "number": contract.number,
            "kind": contract.kind,
            "status": m.Contract.Status.TERMINATED,
            "unit": contract.unit_id,
            "start_date": "2020-01-01",
            "end_date": "2026-06-30",
        }
        response = staff_client.post(url("tenantportal_contract", "edit", contract.pk), data)
        assert response.status_code == 302
        contract.refresh_from_db()
        assert contract.status == m.Contract.Status.TERMINATED
        assert ModelLogEntry.objects.filter(object_id=str(contract.pk), action="wagtail.edit").exists()

        response = staff_client.post(
            url("tenantportal_contract", "edit", contract.pk), {**data, "end_date": "2019-01-01"}
        )
        assert response.status_code == 200
        assert "end_date" in response.context["form"].errors

    def test_contract_party_of_another_company_is_refused(self, staff_client):
        contract = ContractFactory()
        stranger = PartyFactory()  # another company
        response = staff_client.post(
            url("tenantportal_contractparty", "add"),
            {"contract": contract.pk, "party": stranger.pk, "role": m.ContractParty.Role.MAIN_TENANT},
        )
        assert response.status_code == 200
        assert "party" in response.context["form"].errors
        assert not m.ContractParty.objects.exists()

    def test_add_contract_party_from_contract_returns_there(self, staff_client):
        contract = ContractFactory()
        party = PartyFactory(company=contract.company)
        inspect_url = url("tenantportal_contract", "inspect", contract.pk)
        add_url = f"{url('tenantportal_contractparty', 'add')}?contract={contract.pk}&next={inspect_url}"
        form = staff_client.get(add_url).context["form"]
        assert str(form.initial["contract"]) == str(contract.pk)
        response = staff_client.post(
            add_url, {"contract": contract.pk, "party": party.pk, "role": m.ContractParty.Role.CO_TENANT}
        )
        assert response.status_code == 302
        assert response.url == inspect_url
        assert contract.contract_parties.get().role == m.ContractParty.Role.CO_TENANT

    def test_edit_rent_component_from_contract_returns_there(self, staff_client):
        contract = ContractFactory()
        component = m.RentComponent.objects.create(
            contract=contract,
            label="Grundmiete",
            amount=Decimal("400.00"),
            valid_from=datetime.date(2024, 1, 1),
        )
        inspect_url = url("tenantportal_contract", "inspect", contract.pk)
        html = staff_client.get(inspect_url).content.decode()
        edit_url = f"{url('tenantportal_rentcomponent', 'edit', component.pk)}?next=%2Fadmin%2Ftenantportal%2Fcontracts%2Finspect%2F{contract.pk}%2F"
        assert edit_url in html
        response = staff_client.post(
            edit_url,
            {
                "contract": contract.pk,
                "kind": m.RentComponent.Kind.BASE_RENT,
                "label": "Grundmiete",
                "amount": "425.00",
                "valid_from": "2024-01-01",
                "sort_order": "1",
            },
        )
        assert response.status_code == 302
        assert response.url == inspect_url
        component.refresh_from_db()
        assert component.amount == Decimal("425.00")

    def test_next_url_to_another_host_is_ignored(self, staff_client):
        contract = ContractFactory()
        party = PartyFactory(company=contract.company)
        response = staff_client.post(
            f"{url('tenantportal_contractparty', 'add')}?next=https://evil.example/",
            {"contract": contract.pk, "party": party.pk, "role": m.ContractParty.Role.MAIN_TENANT},
        )
        assert response.status_code == 302
        assert response.url == url("tenantportal_contractparty", "index")

    def test_deleting_a_referenced_record_explains_instead_of_failing(self, staff_client):
        contract = ContractFactory()
        unit = contract.unit
        response = staff_client.post(url("tenantportal_unit", "delete", unit.pk), follow=True)
        assert response.status_code == 200
        assert m.Unit.objects.filter(pk=unit.pk).exists()
        messages = [str(message) for message in response.context["messages"]]
        assert any("cannot be deleted" in message and contract.number in message for message in messages)
        assert not ModelLogEntry.objects.filter(object_id=str(unit.pk), action="wagtail.delete").exists()

    def test_deleting_an_unreferenced_record_works_and_is_logged(self, staff_client):
        unit = UnitFactory()
        response = staff_client.post(url("tenantportal_unit", "delete", unit.pk))
        assert response.status_code == 302
        assert not m.Unit.objects.filter(pk=unit.pk).exists()
        assert ModelLogEntry.objects.filter(object_id=str(unit.pk), action="wagtail.delete").exists()

    def test_contact_person_user_choices_are_admin_users(self, staff_client, superuser):
        tenant = UserFactory()
        form = staff_client.get(url("tenantportal_contactperson", "add")).context["form"]
        choices = set(form.fields["user"].queryset)
        assert superuser in choices
        assert tenant not in choices

    def test_responsibility_for_property_of_another_company_is_refused(self, staff_client):
        company = CompanyFactory()
        person = m.ContactPerson.objects.create(company=company, name="Frau Weber")
        foreign_property = PropertyFactory()
        response = staff_client.post(
            url("tenantportal_contactresponsibility", "add"),
            {
                "contact_person": person.pk,
                "company": company.pk,
                "topic": m.Topic.GENERAL,
                "property": foreign_property.pk,
            },
        )
        assert response.status_code == 200
        assert "property" in response.context["form"].errors

    def test_contract_chooser_searches_the_database(self, staff_client):
        ContractFactory(number="777001")
        ContractFactory(number="888002")
        response = staff_client.get(url("tenantportal_contract_chooser", "choose_results"), {"q": "7770"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "777001" in html and "888002" not in html


class TestExport:
    def test_contract_csv_export_has_all_rows(self, staff_client):
        make_rows(3)
        response = staff_client.get(url("tenantportal_contract", "index"), {"export": "csv"})
        assert response.status_code == 200
        content = b"".join(response.streaming_content).decode()
        table = list(csv.reader(io.StringIO(content)))
        header, body = table[0], table[1:]
        assert "Contract number" in header and "Contract parties" in header
        numbers = sorted(row[header.index("Contract number")] for row in body)
        assert numbers == sorted(m.Contract.objects.values_list("number", flat=True))
        parties = body[0][header.index("Contract parties")]
        assert parties.count(",") == 1  # two parties per contract

    def test_xlsx_export_downloads(self, staff_client, rows):
        response = staff_client.get(url("tenantportal_party", "index"), {"export": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


class TestQueryCounts:
    """The number of queries of a listing does not depend on the number of rows.

    One data set for all listings (building rows is the slow part): measure every listing,
    search and export with 3 rows of each model, add 30 more, measure again.
    """

    SEARCHED = ["tenantportal_contract", "tenantportal_party", "tenantportal_company"]

    @staticmethod
    def count_queries(client, path, params=None):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, params or {})
            if response.streaming:
                b"".join(response.streaming_content)  # the export queries while streaming
        assert response.status_code == 200
        rows = None if response.streaming else len(response.context["object_list"])
        return len(queries), rows

    def measure(self, client):
        counts, rows = {}, {}
        for viewset in VIEWSETS:
            path = url(viewset, "index")
            counts[viewset], rows[viewset] = self.count_queries(client, path)
            if viewset in self.SEARCHED:
                counts[f"{viewset} search"], _ = self.count_queries(client, path, {"q": "e"})
                counts[f"{viewset} export"], _ = self.count_queries(client, path, {"export": "csv"})
        return counts, rows

    def test_listing_search_and_export_queries_are_constant(self, staff_client):
        make_rows(3)
        self.measure(staff_client)  # warm caches (content types, site, menu)
        few, few_rows = self.measure(staff_client)
        make_rows(30)
        many, many_rows = self.measure(staff_client)
        assert all(few_rows[viewset] >= 3 for viewset in VIEWSETS)
        assert all(many_rows[viewset] >= few_rows[viewset] + 30 for viewset in VIEWSETS)
        assert many == few
