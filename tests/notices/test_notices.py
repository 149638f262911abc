"""The notice board: who sees which notice when, read marks, tenant views, staff admin, page, block."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry, Page

from tests.conftest import verified_portal_user
from tests.factories import NoticeFactory
from tests.notices.conftest import contract_in
from wagtail_tenantportal.core.session import OK, portal_state
from wagtail_tenantportal.notices import services
from wagtail_tenantportal.notices.blocks import NoticesBlock
from wagtail_tenantportal.notices.models import Notice, NoticeRead, NoticesPage

pytestmark = pytest.mark.django_db

LIST_URL = "/portal/notices/"


def detail_url(notice):
    return f"/portal/notices/{notice.pk}/"


def hours(n):
    return timezone.now() + datetime.timedelta(hours=n)


# -- visible_to ---------------------------------------------------------------------------------


def test_company_wide_notice_reaches_every_building_of_the_company(tenant, company, stranger):
    notice = NoticeFactory(company=company)
    assert list(Notice.objects.visible_to(tenant)) == [notice]
    assert not Notice.objects.visible_to(stranger).exists()


def test_property_notice_reaches_only_that_building(tenant, company, building, other_building):
    mine = NoticeFactory(company=company, properties=[building], title="Wasserabstellung Lindenstraße")
    NoticeFactory(company=company, properties=[other_building], title="Aufzug Ahornweg")
    both = NoticeFactory(company=company, properties=[building, other_building], title="Beide Häuser")
    assert set(Notice.objects.visible_to(tenant)) == {mine, both}
    # Two of the tenant's own buildings targeted: still one row per notice.
    contract_in(other_building, number="200001")
    second = verified_portal_user(contract_in(other_building), user=tenant)
    assert sorted(n.pk for n in Notice.objects.visible_to(second)) == sorted(
        n.pk for n in Notice.objects.all()
    )


def test_time_window(tenant, company):
    NoticeFactory(company=company, visible_from=hours(2), title="geplant")
    NoticeFactory(company=company, visible_from=hours(-5), visible_until=hours(-1), title="abgelaufen")
    current = NoticeFactory(company=company, visible_from=hours(-5), visible_until=hours(3))
    assert list(Notice.objects.visible_to(tenant)) == [current]
    assert Notice.objects.visible_to(tenant, now=hours(2.5)).count() == 2
    assert Notice.objects.visible_to(tenant, now=hours(4)).count() == 1


def test_ended_contract_sees_no_notices(tenant, contract, company):
    NoticeFactory(company=company)
    contract.status = contract.Status.ENDED
    contract.end_date = timezone.localdate() - datetime.timedelta(days=1)
    contract.save()
    assert not Notice.objects.visible_to(tenant).exists()


def test_anonymous_sees_nothing(company):
    from django.contrib.auth.models import AnonymousUser

    NoticeFactory(company=company)
    assert not Notice.objects.visible_to(AnonymousUser()).exists()


def test_publish_rejects_properties_of_another_company(company, building, staff):
    from django.core.exceptions import ValidationError

    from tests.factories import PropertyFactory

    with pytest.raises(ValidationError):
        services.create_notice(company, "Test", "<p>x</p>", properties=[PropertyFactory()])
    notice = services.create_notice(company, "Aushang", "<p>x</p>", properties=[building], user=staff)
    assert notice.created_by == staff
    assert list(notice.properties.all()) == [building]
    assert ModelLogEntry.objects.filter(action=services.ACTION_PUBLISHED, object_id=str(notice.pk)).exists()


# -- tenant views -------------------------------------------------------------------------------


def test_list_important_first_new_marked_and_reading_marks_read(tenant_client, tenant, company):
    NoticeFactory(company=company, title="Sommerfest im Hof", category="event")
    important = NoticeFactory(
        company=company,
        title="Wasser wird abgestellt",
        category="water_shut_off",
        important=True,
        visible_from=hours(-10),
    )
    response = tenant_client.get(LIST_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("Wasser wird abgestellt") < content.index("Sommerfest im Hof")
    assert content.count(">New<") == 2
    assert "Important" in content and "Water shut-off" in content
    assert "2 new notices." in content
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]

    detail = tenant_client.get(detail_url(important))
    assert detail.status_code == 200
    assert "Liebe Mieterinnen und Mieter" in detail.content.decode()
    assert NoticeRead.objects.filter(notice=important, account__user=tenant).count() == 1
    tenant_client.get(detail_url(important))  # twice: still one read mark
    assert NoticeRead.objects.filter(notice=important).count() == 1
    assert tenant_client.get(LIST_URL).content.decode().count(">New<") == 1


def test_list_in_german_with_german_dates(tenant_client, company):
    NoticeFactory(company=company, visible_from=timezone.make_aware(datetime.datetime(2026, 1, 5, 9, 0)))
    content = tenant_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'lang="de"' in content
    assert "05.01.2026" in content and ">Neu<" in content


def test_foreign_missing_and_future_notices_give_the_same_404(tenant_client, company, other_building):
    foreign = NoticeFactory()  # another company
    other_house = NoticeFactory(company=company, properties=[other_building])
    future = NoticeFactory(company=company, visible_from=hours(5))
    for url in (
        detail_url(foreign),
        detail_url(other_house),
        detail_url(future),
        "/portal/notices/999999/",
        "/portal/notices/abc/",
    ):
        assert tenant_client.get(url).status_code == 404, url
    assert not NoticeRead.objects.exists()


def test_anonymous_is_sent_to_login(client, company):
    notice = NoticeFactory(company=company)
    for url in (LIST_URL, detail_url(notice)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/portal/login/" in response["Location"]


def add_notices(count, company, building, tenant):
    for n in range(count):
        notice = NoticeFactory(company=company, properties=[building] if n % 2 else [])
        if n % 3 == 0:
            services.mark_read(notice, tenant)


def test_list_runs_a_constant_number_of_queries(tenant_client, tenant, company, building):
    tenant_client.get(LIST_URL)  # warm up (session, content types)
    counts = []
    for more in (1, 29):
        add_notices(more, company, building, tenant)
        with CaptureQueriesContext(connection) as queries:
            response = tenant_client.get(LIST_URL)
        assert response.content.decode().count('<li class="tp-notice') == len(counts) * 29 + 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


DRAFTAIL_BODY = (
    '{"blocks":[{"key":"a","type":"unstyled","text":"Von 8 bis 12 Uhr.","depth":0,'
    '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}'
)

# -- staff admin --------------------------------------------------------------------------------


def test_admin_create_list_filter_and_audit_log(staff_client, staff, company, building, other_building):
    add_url = reverse("tenantportal_notice:add") + f"?company={company.pk}"
    form = staff_client.get(add_url)
    assert form.status_code == 200
    assert "Ahornweg 2" in form.content.decode()
    response = staff_client.post(
        add_url,
        {
            "company": company.pk,
            "properties": [building.pk],
            "title": "Wasserabstellung am Donnerstag",
            "category": "water_shut_off",
            "important": "on",
            "body": DRAFTAIL_BODY,
            "visible_from": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "visible_until": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    notice = Notice.objects.get()
    assert notice.created_by == staff and notice.important
    assert list(notice.properties.all()) == [building]
    assert ModelLogEntry.objects.filter(action=services.ACTION_PUBLISHED, object_id=str(notice.pk)).exists()

    edit = staff_client.get(reverse("tenantportal_notice:edit", args=[notice.pk])).content.decode()
    assert 'type="checkbox"' in edit and "Ahornweg 2" in edit  # the company's buildings only
    history = staff_client.get(reverse("tenantportal_notice:history", args=[notice.pk]))
    assert history.status_code == 200 and "Notice published" in history.content.decode()

    NoticeFactory(company=company, title="Alter Aushang", visible_until=hours(-1), visible_from=hours(-9))
    index = reverse("tenantportal_notice:index")
    listing = staff_client.get(index).content.decode()
    assert "Wasserabstellung am Donnerstag" in listing and "Alter Aushang" in listing
    current = staff_client.get(index, {"state": "current"}).content.decode()
    assert "Wasserabstellung am Donnerstag" in current and "Alter Aushang" not in current
    by_category = staff_client.get(index, {"category": "event"}).content.decode()
    assert "Wasserabstellung am Donnerstag" not in by_category


def test_admin_refuses_a_property_of_another_company(staff_client, company):
    from tests.factories import PropertyFactory

    foreign = PropertyFactory()
    response = staff_client.post(
        reverse("tenantportal_notice:add"),
        {
            "company": company.pk,
            "properties": [foreign.pk],
            "title": "Falsch",
            "category": "information",
            "body": DRAFTAIL_BODY,
            "visible_from": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        },
    )
    assert response.status_code == 200
    assert not Notice.objects.exists()


# -- page and block -----------------------------------------------------------------------------


@pytest.fixture
def notices_page(db):
    root = Page.objects.get(depth=1)
    home = root.get_children().first()
    page = NoticesPage(title="Schwarzes Brett", slug="aushang")
    home.add_child(instance=page)
    return page


def test_page_anonymous_prompt_then_notices(client, tenant, company, notices_page):
    NoticeFactory(company=company, title="Sommerfest im Hof")
    response = client.get(notices_page.url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Sommerfest" not in content
    assert "/portal/login/?next=" in content
    client.force_login(tenant)
    assert "Sommerfest im Hof" in client.get(notices_page.url).content.decode()


def render_block(request, value=None):
    block = NoticesBlock()
    value = block.to_python(value or {"heading": "Aushänge", "limit": 5, "only_important": False})
    return block.render(value, {"request": request})


def make_request(rf, user, session=None):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/hausseite/")
    request.user = user or AnonymousUser()
    request.session = session or SessionStore()
    return request


def test_block_states(rf, tenant, company):
    NoticeFactory(company=company, title="Sommerfest im Hof")
    NoticeFactory(company=company, title="Rohrbruch", important=True)
    anonymous = render_block(make_request(rf, None))
    assert "Sommerfest" not in anonymous and "/portal/login/?next=%2Fhausseite%2F" in anonymous

    request = make_request(rf, tenant)
    assert portal_state(request) == OK
    html = render_block(request)
    assert "Sommerfest im Hof" in html and "Rohrbruch" in html
    only = render_block(request, {"heading": "Wichtig", "limit": 5, "only_important": True})
    assert "Rohrbruch" in only and "Sommerfest" not in only


def half_logged_in(client, contract):
    """A client that passed the password of a tenant with an authenticator app, not the code."""
    from tests.accounts.flow_helpers import PASSWORD, login, verified_tenant
    from tests.accounts.twofactor_helpers import confirmed_totp

    user = verified_tenant(contract)
    confirmed_totp(user)
    login(client, user.email, PASSWORD)
    return client


def test_page_and_block_lead_a_half_logged_in_session_to_its_code(
    client, rf, contract, company, notices_page
):
    NoticeFactory(company=company, title="Sommerfest im Hof")
    half_logged_in(client, contract)
    content = client.get(notices_page.url).content.decode()
    assert 'href="/portal/2fa/verify/"' in content and "Sommerfest" not in content
    html = render_block(make_request(rf, None, session=client.session))
    assert 'href="/portal/2fa/verify/"' in html and "Sommerfest" not in html


def test_block_runs_one_query_for_1_or_30_notices(rf, tenant, company, building):
    request = make_request(rf, tenant)
    portal_state(request)
    counts = []
    for more in (1, 29):
        add_notices(more, company, building, tenant)
        with CaptureQueriesContext(connection) as queries:
            html = render_block(request, {"heading": "", "limit": 20, "only_important": False})
        assert html.count('<li class="tp-notice') == (1 if not counts else 20)
        counts.append(len(queries))
    assert counts == [1, 1]


def test_block_preview_shows_sample_notices(client):
    from tests.factories import UserFactory

    editor = UserFactory(is_superuser=True, is_staff=True, email="editor@example.org")
    client.force_login(editor)
    block = dict(__import__("wagtail_tenantportal.blocks", fromlist=["x"]).portal_blocks())["portal_notices"]
    response = client.get(reverse("wagtailadmin_block_preview") + f"?id={block.definition_prefix}")
    content = response.content.decode()
    assert "Wasserabstellung am Donnerstag" in content
    assert "editor@example.org" not in content
