"""Exemption orders the tenant gives, changes or withdraws: the checks against the allowance,
the tenant page, the staff's decision in the admin, the statement PDF, the REST API; every
action as another tenant and as another company's staff; constant query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api.conftest import API, client_for, token_for
from tests.factories import ExemptionOrderFactory, PartyFactory, SavingsAccountFactory, staff_for
from tests.savings.conftest import login, pdf_text, statement_url
from wagtail_tenantportal.savings import exemptions
from wagtail_tenantportal.savings.models import ExemptionOrder, ExemptionRequest

pytestmark = pytest.mark.django_db

D = Decimal
PAGE = "/portal/savings/exemption-orders/"
GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}
THIS_YEAR = timezone.localdate().year
PERMS = (
    "access_admin",
    "tenantportal_savings.view_exemptionrequest",
    "tenantportal_savings.change_exemptionrequest",
)


@pytest.fixture
def staff(company):
    return staff_for(company, perms=PERMS, username="lindenhof-staff")


@pytest.fixture
def foreign_staff(stranger):
    return staff_for(stranger.party.company, perms=PERMS, username="andere-staff")


def errors_of(call):
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


class TestChecks:
    def test_a_single_order_up_to_the_allowance_is_taken(self, tenant, account):
        req = exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("1000.00"))
        assert req.status == "pending" and req.action == "change"  # an order for the year is on file
        assert ExemptionOrder.objects.get(party=tenant.party).amount == D(
            "1000.00"
        )  # unchanged until confirmed

    @pytest.mark.parametrize(
        ("kwargs", "field", "text"),
        [
            ({"year": THIS_YEAR, "amount": D("1000.01")}, "amount", "above the legal allowance"),
            ({"year": THIS_YEAR, "amount": D("-1.00")}, "amount", "cannot be negative"),
            ({"year": THIS_YEAR - 1, "amount": D("100.00")}, "year", "past year"),
            ({"year": THIS_YEAR + 2, "amount": D("100.00")}, "year", "this year or the next"),
            ({"year": THIS_YEAR, "amount": D("1500.00"), "joint": True}, "partner", "second holder"),
            ({"year": THIS_YEAR, "amount": None}, "amount", "Enter the amount"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_saved(self, tenant, account, kwargs, field, text):
        messages = errors_of(lambda: exemptions.request_order(tenant.user, tenant.party, **kwargs))
        assert text in " ".join(messages[field])
        assert not ExemptionRequest.objects.exists()

    def test_the_messages_are_german(self, tenant, account):
        from django.utils import translation

        with translation.override("de"):
            messages = errors_of(
                lambda: exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("1200"))
            )
        assert "Sparer-Pauschbetrag" in messages["amount"][0]

    def test_a_joint_order_may_use_the_joint_allowance(self, tenant, account):
        husband = account.holders.exclude(pk=tenant.party.pk).get()
        req = exemptions.request_order(
            tenant.user, tenant.party, year=THIS_YEAR, amount=D("2000"), joint=True, partner=husband
        )
        assert req.joint and req.partner == husband

    def test_the_partner_must_be_a_co_holder(self, tenant, account, company):
        somebody = PartyFactory(company=company)
        messages = errors_of(
            lambda: exemptions.request_order(
                tenant.user, tenant.party, year=THIS_YEAR, amount=D("2000"), joint=True, partner=somebody
            )
        )
        assert "holders of your savings accounts" in messages["partner"][0]

    def test_all_orders_of_the_persons_for_the_year_count(self, tenant, account, company):
        husband = account.holders.exclude(pk=tenant.party.pk).get()
        ExemptionOrderFactory(
            party=husband, company=company, amount=D("800"), valid_from=datetime.date(THIS_YEAR, 1, 1)
        )
        messages = errors_of(
            lambda: exemptions.request_order(
                tenant.user, tenant.party, year=THIS_YEAR, amount=D("1500"), joint=True, partner=husband
            )
        )
        assert "2.300" in messages["amount"][0] or "2,300" in messages["amount"][0]
        ok = exemptions.request_order(
            tenant.user, tenant.party, year=THIS_YEAR, amount=D("1200"), joint=True, partner=husband
        )
        assert ok.amount == D("1200.00")

    def test_the_allowance_is_a_setting(self, tenant, account, settings):
        settings.WAGTAIL_TENANTPORTAL = {"SAVINGS_EXEMPTION_ALLOWANCE_SINGLE": 1200}
        assert exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("1200")).pk

    def test_a_new_request_replaces_the_pending_one(self, tenant, account):
        first = exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("500"))
        exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("600"))
        first.refresh_from_db()
        assert first.status == "superseded"
        assert ExemptionRequest.objects.pending().get().amount == D("600")

    def test_withdrawing_needs_an_order_for_the_year(self, tenant, account):
        ExemptionOrder.objects.all().delete()
        messages = errors_of(
            lambda: exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, withdraw=True)
        )
        assert "no exemption order" in messages["year"][0]


class TestConfirmation:
    def test_confirming_a_change_splits_the_running_order(self, tenant, account, staff):
        req = exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("400"))
        exemptions.confirm_request(req, staff)
        orders = list(ExemptionOrder.objects.filter(party=tenant.party).order_by("valid_from"))
        assert [(o.amount, o.valid_from, o.valid_until) for o in orders] == [
            (D("1000.00"), datetime.date(2023, 1, 1), datetime.date(THIS_YEAR - 1, 12, 31)),
            (D("400.00"), datetime.date(THIS_YEAR, 1, 1), datetime.date(THIS_YEAR, 12, 31)),
            (D("1000.00"), datetime.date(THIS_YEAR + 1, 1, 1), None),
        ]
        req.refresh_from_db()
        assert req.status == "confirmed" and req.decided_by == staff and req.order.amount == D("400.00")

    def test_confirming_a_withdrawal_leaves_no_order_in_the_year(self, tenant, account, staff):
        req = exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, withdraw=True)
        exemptions.confirm_request(req, staff)
        assert not ExemptionOrder.objects.filter(party=tenant.party).valid_in_year(THIS_YEAR).exists()
        assert ExemptionOrder.objects.filter(party=tenant.party).valid_in_year(THIS_YEAR + 1).exists()

    def test_the_statement_shows_the_confirmed_order(self, client, tenant, account, staff):
        husband = account.holders.exclude(pk=tenant.party.pk).get()
        req = exemptions.request_order(
            tenant.user, tenant.party, year=THIS_YEAR, amount=D("1801"), joint=True, partner=husband
        )
        exemptions.confirm_request(req, staff)
        response = login(client, tenant).get(statement_url(account, THIS_YEAR))
        text = pdf_text(response.content)
        assert "1.801,00" in text and "Max Mustermann" in text

    def test_a_decided_request_cannot_be_decided_again(self, tenant, account, staff):
        req = exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("400"))
        exemptions.reject_request(req, staff, note="Unterschrift fehlt")
        with pytest.raises(ValidationError):
            exemptions.confirm_request(req, staff)
        assert ExemptionOrder.objects.get(party=tenant.party).amount == D("1000.00")


class TestTenantPage:
    def test_submit_and_see_the_state(self, client, tenant, account):
        login(client, tenant)
        response = client.post(
            PAGE, {"holder": tenant.party.pk, "year": THIS_YEAR, "amount": "801,50"}, **GERMAN
        )
        assert response.status_code == 302
        assert ExemptionRequest.objects.get().amount == D("801.50")
        content = client.get(PAGE, **GERMAN).content.decode()
        assert "Wartet auf Bestätigung" in content

    def test_above_the_allowance_shows_the_error_summary(self, client, tenant, account):
        login(client, tenant)
        response = client.post(
            PAGE, {"holder": tenant.party.pk, "year": THIS_YEAR, "amount": "1500"}, **GERMAN
        )
        assert response.status_code == 200
        assert "tp-error-summary" in response.content.decode()
        assert not ExemptionRequest.objects.exists()

    def test_withdraw_button(self, client, tenant, account):
        login(client, tenant)
        response = client.post(PAGE, {"holder": tenant.party.pk, "year": THIS_YEAR, "withdraw": "1"})
        assert response.status_code == 302
        assert ExemptionRequest.objects.get().action == "withdraw"

    def test_another_tenant_can_neither_see_nor_act_for_the_holder(
        self, client, tenant, account, stranger, neighbour
    ):
        exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("500"))
        login(client, stranger)
        content = client.get(PAGE).content.decode()
        assert "Max Mustermann" not in content and "500,00" not in content and "500.00" not in content
        response = client.post(PAGE, {"holder": tenant.party.pk, "year": THIS_YEAR, "amount": "1"})
        assert ExemptionRequest.objects.count() == 1
        assert (
            response.status_code == 200 and "Choose one of the account holders" in response.content.decode()
        )
        login(client, neighbour)  # no savings: no page
        assert client.get(PAGE).status_code == 404

    def test_anonymous_visitors_are_led_to_the_login(self, client, account):
        assert client.get(PAGE).status_code == 302

    def test_queries_constant_in_the_number_of_orders(self, client, tenant, account, company):
        login(client, tenant)
        client.get(PAGE)

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(PAGE).status_code == 200
            return len(queries)

        few = count()
        for year in range(2010, 2020):
            ExemptionOrderFactory(
                party=tenant.party,
                company=company,
                amount=D("10"),
                valid_from=datetime.date(year, 1, 1),
                valid_until=None if year == 2019 else datetime.date(year, 12, 31),
            )
            exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("10"))
        more = SavingsAccountFactory(company=company)
        more.holders.add(tenant.party)
        many = count()
        assert many == few, (few, many)
        print(f"\nexemption page: {few} queries with 1 order, {many} with 11 orders and 10 requests")


class TestAdmin:
    def url(self, req, action):
        return f"/admin/tenantportal/exemption-requests/{action}/{req.pk}/"

    def test_staff_confirm_and_reject(self, client, tenant, account, staff):
        req = exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("300"))
        client.force_login(staff)
        listing = client.get("/admin/tenantportal/exemption-requests/")
        assert listing.status_code == 200 and "Mustermann" in listing.content.decode()
        assert client.get(self.url(req, "confirm")).status_code == 200
        assert client.post(self.url(req, "confirm")).status_code == 302
        req.refresh_from_db()
        assert req.status == "confirmed"
        other = exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR + 1, amount=D("300"))
        assert client.post(self.url(other, "reject"), {"reason": ""}).status_code == 200  # reason required
        client.post(self.url(other, "reject"), {"reason": "Bitte unterschreiben"})
        other.refresh_from_db()
        assert other.status == "rejected" and other.note == "Bitte unterschreiben"

    def test_a_confirmation_that_no_longer_fits_is_refused(self, client, tenant, account, staff, company):
        req = exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("900"))
        ExemptionRequest.objects.filter(pk=req.pk).update(amount=D("5000"))  # as if the law changed
        client.force_login(staff)
        client.post(self.url(req, "confirm"))
        req.refresh_from_db()
        assert req.status == "pending"
        assert ExemptionOrder.objects.get(party=tenant.party).amount == D("1000.00")

    def test_another_companys_staff_get_404(self, client, tenant, account, foreign_staff):
        req = exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("300"))
        client.force_login(foreign_staff)
        statuses = [
            client.get(f"/admin/tenantportal/exemption-requests/inspect/{req.pk}/").status_code,
            client.get(self.url(req, "confirm")).status_code,
            client.post(self.url(req, "confirm")).status_code,
            client.post(self.url(req, "reject"), {"reason": "x"}).status_code,
        ]
        assert statuses == [404, 404, 404, 404]
        assert "Mustermann" not in client.get("/admin/tenantportal/exemption-requests/").content.decode()
        req.refresh_from_db()
        assert req.status == "pending"


class TestApi:
    URL = API + "savings/exemption-orders/"

    def test_get_and_post(self, tenant, account):
        api = client_for(token_for(tenant.user))
        data = api.get(self.URL).json()
        assert [h["id"] for h in data["holders"]] == [tenant.party.pk]
        assert data["holders"][0]["partners"][0]["name"] == "Max Mustermann"
        assert data["allowance_single"] == "1000.00"
        response = api.post(
            self.URL, {"holder": tenant.party.pk, "year": THIS_YEAR, "amount": "700.00"}, format="json"
        )
        assert response.status_code == 201 and response.json()["status"] == "pending"

    def test_bad_input_gives_400_with_fields(self, tenant, account):
        api = client_for(token_for(tenant.user))
        body = api.post(
            self.URL, {"holder": tenant.party.pk, "year": THIS_YEAR - 1, "amount": "-5"}, format="json"
        ).json()
        assert set(body["fields"]) == {"year", "amount"}
        assert not ExemptionRequest.objects.exists()

    def test_another_tenant_cannot_act_for_the_holder(self, tenant, account, stranger):
        exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("500"))
        api = client_for(token_for(stranger.user))
        data = api.get(self.URL).json()
        assert [h["id"] for h in data["holders"]] == [stranger.party.pk]
        assert data["requests"] == [] and "Max Mustermann" not in str(data)
        response = api.post(
            self.URL, {"holder": tenant.party.pk, "year": THIS_YEAR, "amount": "1"}, format="json"
        )
        assert response.status_code == 400 and "holder" in response.json()["fields"]
        assert ExemptionRequest.objects.count() == 1


def test_a_confirmed_order_is_an_erp_event_for_a_company_with_a_connection(tenant, account, staff):
    from wagtail_tenantportal.core.outbox_models import OutboxMessage
    from wagtail_tenantportal.erp.events import EXEMPTION_ORDER_CHANGED
    from wagtail_tenantportal.erp.models import DUMMY_CONNECTOR, Connection

    Connection.objects.create(
        company=tenant.party.company, name="ERP", connector={"CLASS": DUMMY_CONNECTOR, "OPTIONS": {}}
    )
    req = exemptions.request_order(tenant.user, tenant.party, year=THIS_YEAR, amount=D("800.00"))
    assert not OutboxMessage.objects.filter(channel="erp").exists()  # a request is not an order yet
    exemptions.confirm_request(req, staff)
    (event,) = OutboxMessage.objects.filter(channel="erp")
    assert event.topic == EXEMPTION_ORDER_CHANGED and event.stream == f"party:{tenant.party.pk}"
    data = event.payload["data"]
    assert data["holder"]["erp_id"] == "P-ERIKA" and data["year"] == THIS_YEAR
    assert data["amount"] == "800.00" and data["joint"] is False and data["confirmed_by"]
