"""Mail about important notices: who gets it, once only, opt-out, scheduled notices, admin edit."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from tests.conftest import verified_portal_user
from tests.factories import ContractFactory, NoticeFactory, PropertyFactory, UnitFactory, tenant_for
from tests.notices.conftest import contract_in
from tests.notices.test_notices import DRAFTAIL_BODY
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.notices import services
from wagtail_tenantportal.notices.models import Notice, NoticeMail, NoticeMailPreference

pytestmark = pytest.mark.django_db


def hours(n):
    return timezone.now() + datetime.timedelta(hours=n)


def publish(company, *, properties=None, important=True, **fields):
    return services.create_notice(
        company,
        fields.pop("title", "Wasserabstellung am Donnerstag"),
        "<p>Am Donnerstag wird von 8 bis 12 Uhr das Wasser abgestellt. Bitte füllen Sie vorher Wasser ab.</p>",
        properties=properties,
        important=important,
        category="water_shut_off",
        **fields,
    )


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the mail tasks queued for after the commit (the test transaction never commits)."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


def recipients(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


# -- who gets it ---------------------------------------------------------------------------------


def test_only_tenants_who_can_see_the_notice_are_mailed(
    run_on_commit, mailoutbox, company, building, other_building, tenant, stranger
):
    neighbour = verified_portal_user(contract_in(other_building))  # same company, other building
    unconfirmed, _party = tenant_for(contract_in(building))
    PortalAccount.objects.filter(user=unconfirmed).update(email_verified_at=None)
    moved_out = verified_portal_user(contract_in(building, status="ended", end_date=hours(-48).date()))

    notice = run_on_commit(publish, company, properties=[building])

    assert recipients(mailoutbox) == [tenant.email]
    assert neighbour.email not in recipients(mailoutbox)
    assert stranger.email not in recipients(mailoutbox)
    assert unconfirmed.email not in recipients(mailoutbox) and moved_out.email not in recipients(mailoutbox)
    assert list(NoticeMail.objects.values_list("notice_id", "account__user")) == [(notice.pk, tenant.pk)]
    notice.refresh_from_db()
    assert notice.mailed_at is not None


def test_company_wide_notice_reaches_every_building_but_not_another_company(
    run_on_commit, mailoutbox, company, building, other_building, tenant, stranger
):
    neighbour = verified_portal_user(contract_in(other_building))
    run_on_commit(publish, company)
    assert recipients(mailoutbox) == sorted([tenant.email, neighbour.email])


def test_ordinary_notice_is_not_mailed(run_on_commit, mailoutbox, company, tenant):
    run_on_commit(publish, company, important=False)
    assert mailoutbox == [] and not NoticeMail.objects.exists()


def test_mail_content_german_text_and_html(run_on_commit, mailoutbox, company, building, tenant):
    with translation.override("de"):
        notice = run_on_commit(publish, company, properties=[building], visible_until=hours(30))
    [message] = mailoutbox
    assert "Wichtig – Wasserabstellung am Donnerstag" in message.subject
    assert "Guten Tag," in message.body
    assert "Am Donnerstag wird von 8 bis 12 Uhr" in message.body and "<p>" not in message.body
    assert f"http://testserver/portal/notices/{notice.pk}/" in message.body
    local = timezone.localtime(notice.visible_from)
    assert local.strftime("%d.%m.%Y") in message.body  # German date
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="http://testserver/portal/notices/{notice.pk}/"' in html
    assert "Wasserabstellung am Donnerstag" in html


# -- once only, opt-out ----------------------------------------------------------------------------


def test_twice_gives_one_mail(run_on_commit, mailoutbox, company, tenant):
    notice = run_on_commit(publish, company)
    assert run_on_commit(services.send_important_mails, notice) == 0
    assert run_on_commit(services.send_due_mails) == {}
    assert len(mailoutbox) == 1
    assert NoticeMail.objects.count() == 1


def test_opt_out_on_the_tenant_page(run_on_commit, mailoutbox, company, tenant, tenant_client):
    url = reverse("wagtail_tenantportal:notice_mail_preference")
    page = tenant_client.get(url)
    assert page.status_code == 200
    assert 'type="checkbox"' in page.content.decode() and "checked" in page.content.decode()
    assert url in tenant_client.get(reverse("wagtail_tenantportal:notices")).content.decode()
    response = tenant_client.post(url, {})  # checkbox not ticked
    assert response.status_code == 302
    assert NoticeMailPreference.objects.get(account__user=tenant).important_notices is False

    run_on_commit(publish, company)
    assert mailoutbox == []

    tenant_client.post(url, {"important_notices": "on"})
    run_on_commit(publish, company, title="Aufzug außer Betrieb")
    assert recipients(mailoutbox) == [tenant.email]


def test_preference_page_needs_a_portal_session(client):
    response = client.get(reverse("wagtail_tenantportal:notice_mail_preference"))
    assert response.status_code == 302


# -- scheduled notices -----------------------------------------------------------------------------


def test_scheduled_notice_is_mailed_by_the_command_once_visible(run_on_commit, mailoutbox, company, tenant):
    notice = run_on_commit(publish, company, visible_from=hours(3))
    assert mailoutbox == []
    run_on_commit(call_command, "tenantportal_notice_mails", stdout=open("/dev/null", "w"))
    assert mailoutbox == []  # not yet visible

    Notice.objects.filter(pk=notice.pk).update(visible_from=hours(-0.1))  # the time has come
    run_on_commit(call_command, "tenantportal_notice_mails", stdout=open("/dev/null", "w"))
    assert recipients(mailoutbox) == [tenant.email]
    run_on_commit(call_command, "tenantportal_notice_mails", stdout=open("/dev/null", "w"))
    assert len(mailoutbox) == 1


def test_expired_notice_is_not_mailed(run_on_commit, mailoutbox, company, tenant):
    run_on_commit(publish, company, visible_from=hours(-10), visible_until=hours(-1))
    run_on_commit(services.send_due_mails)
    assert mailoutbox == []


# -- staff admin and audit log ---------------------------------------------------------------------


def test_switching_to_important_in_the_admin_mails_once_and_logs(
    run_on_commit, mailoutbox, staff_client, company, building, tenant
):
    notice = publish(company, properties=[building], important=False)
    data = {
        "company": company.pk,
        "properties": [building.pk],
        "title": notice.title,
        "category": "water_shut_off",
        "important": "on",
        "body": DRAFTAIL_BODY,
        "visible_from": timezone.localtime(notice.visible_from).strftime("%Y-%m-%d %H:%M"),
        "visible_until": "",
    }
    url = reverse("tenantportal_notice:edit", args=[notice.pk])
    response = run_on_commit(staff_client.post, url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert recipients(mailoutbox) == [tenant.email]
    entry = ModelLogEntry.objects.get(action=services.ACTION_MAILED, object_id=str(notice.pk))
    assert entry.data == {"count": 1}
    history = staff_client.get(reverse("tenantportal_notice:history", args=[notice.pk])).content.decode()
    assert "Notice mailed to 1 tenant" in history

    data["title"] = "Wasserabstellung am Freitag"  # an edit of a notice already mailed
    run_on_commit(staff_client.post, url, data)
    assert len(mailoutbox) == 1


def test_admin_create_important_mails(run_on_commit, mailoutbox, staff_client, company, building, tenant):
    response = run_on_commit(
        staff_client.post,
        reverse("tenantportal_notice:add"),
        {
            "company": company.pk,
            "properties": [building.pk],
            "title": "Heizung aus",
            "category": "maintenance",
            "important": "on",
            "body": DRAFTAIL_BODY,
            "visible_from": timezone.localtime(hours(-0.1)).strftime("%Y-%m-%d %H:%M"),
            "visible_until": "",
        },
    )
    assert response.status_code == 302
    assert recipients(mailoutbox) == [tenant.email]


# -- speed ------------------------------------------------------------------------------------------


def _fan_out_queries(company, building, n, run_on_commit):
    for _i in range(n):
        verified_portal_user(ContractFactory(company=company, unit=UnitFactory(property=building)))
    notice = NoticeFactory(company=company, important=True, properties=[building])
    with CaptureQueriesContext(connection) as queries:
        count = run_on_commit(services.send_important_mails, notice)
    assert count == n
    return len(queries)


def test_fan_out_runs_a_constant_number_of_queries(run_on_commit, mailoutbox, company):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Notice)  # cached for the audit log, as in a running site
    one = _fan_out_queries(company, PropertyFactory(company=company), 1, run_on_commit)
    thirty = _fan_out_queries(company, PropertyFactory(company=company), 30, run_on_commit)
    assert one == thirty, (one, thirty)
    assert len(mailoutbox) == 31
