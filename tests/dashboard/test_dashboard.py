"""The tenant's overview: widgets from tickets, documents and notices, the hook contract, the view,
the page type and the block in every session state, constant queries, editor previews."""

import itertools
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.models import Page

from tests.conftest import verified_portal_user
from tests.factories import ContractFactory, NoticeFactory, UserFactory
from wagtail_tenantportal.core import widgets as w
from wagtail_tenantportal.core.session import portal_state
from wagtail_tenantportal.dashboard.blocks import DashboardBlock
from wagtail_tenantportal.dashboard.models import DashboardPage
from wagtail_tenantportal.documents.models import Document, DocumentCategory, DocumentReceipt
from wagtail_tenantportal.notices import services as notice_services
from wagtail_tenantportal.tickets.models import Ticket, TicketMessage, TicketStatus, TicketType

pytestmark = pytest.mark.django_db

URL = "/portal/overview/"
_numbers = itertools.count(1)


# -- builders -----------------------------------------------------------------------------------


def make_ticket(contract, *, status="new", subject="Wasserhahn tropft", reply=None):
    ticket = Ticket.objects.create(
        reference=f"2026-{next(_numbers):06d}",
        company=contract.company,
        contract=contract,
        ticket_type=TicketType.objects.get(code="general_contact"),
        subject=subject,
        status=TicketStatus.objects.get(code=status),
    )
    if reply:
        TicketMessage.objects.create(ticket=ticket, author_role=TicketMessage.Role.STAFF, body=reply)
    return ticket


def make_document(contract, title="Betriebskostenabrechnung 2025"):
    return Document.objects.create(
        company=contract.company,
        contract=contract,
        category=DocumentCategory.objects.get(key="letter"),
        title=title,
        file=f"documents/test/{uuid.uuid4().hex}.pdf",
        content_hash=uuid.uuid4().hex,
    )


def fill(contract, user, count):
    """``count`` tickets (with a staff reply each), documents and notices for ``contract``."""
    for n in range(count):
        make_ticket(contract, status="awaiting_tenant" if n % 2 else "new", reply=f"Antwort {n}")
        document = make_document(contract, title=f"Schreiben {n}")
        if n % 3 == 0:
            party = user.tenantportal_account.party_links.first().party
            now = timezone.now()
            DocumentReceipt.objects.create(
                document=document, party=party, first_opened_at=now, last_opened_at=now
            )
        notice = NoticeFactory(company=contract.company, properties=[contract.unit.property] if n % 2 else [])
        if n % 3 == 0:
            notice_services.mark_read(notice, user)


def make_request(rf, user=None, session=None, path="/start/"):
    request = rf.get(path)
    request.user = user or AnonymousUser()
    request.session = session or SessionStore()
    return request


# -- the widgets with real data -----------------------------------------------------------------


def test_dashboard_shows_the_widgets_of_tickets_documents_and_notices(portal_client):
    contract = portal_client.contract
    make_ticket(contract, status="awaiting_tenant", subject="Heizung kalt", reply="Wann dürfen wir kommen?")
    make_ticket(contract, status="done", subject="Erledigt")
    make_ticket(ContractFactory(), subject="Fremder Vorgang", reply="Geheim")
    make_document(contract, "Betriebskostenabrechnung 2025")
    make_document(ContractFactory(), "Fremdes Dokument")
    NoticeFactory(company=contract.company, title="Sommerfest im Hof")
    NoticeFactory(title="Fremder Aushang")

    response = portal_client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Good day, Erika Mustermann" in content
    # Order: requests, documents, notices; each a card with heading, attention text and link.
    assert (
        content.index("tp-widget--tickets")
        < content.index("tp-widget--documents")
        < content.index("tp-widget--notices")
    )
    assert "You have 1 open request." in content
    assert "1 request has an unread reply; 1 request awaits your reply" in content
    assert "Unread replies" in content
    assert "Wann dürfen wir kommen?" in content and "Heizung kalt" in content
    assert "Betriebskostenabrechnung 2025" in content and "1 new document" in content
    assert "Sommerfest im Hof" in content and "1 new notice" in content
    for name in ("ticket_list", "documents", "notices"):
        assert f'href="{reverse(f"wagtail_tenantportal:{name}")}"' in content
    for foreign in ("Fremder Vorgang", "Geheim", "Fremdes Dokument", "Fremder Aushang"):
        assert foreign not in content
    assert "max-age=0" in response["Cache-Control"]
    assert 'aria-labelledby="tp-widget-tickets-heading"' in content


def test_dashboard_in_german(portal_client):
    content = portal_client.get(URL, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'lang="de"' in content


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/")


def test_widgets_of_other_apps_are_declared():
    keys = dict(w.widget_choices())
    assert {"tickets", "documents", "notices"} <= set(keys)


def test_total_queries_are_constant_for_1_or_30_of_everything(portal_client):
    contract, user = portal_client.contract, portal_client.user
    portal_client.get(URL)  # warm up
    counts = []
    for more in (1, 29):
        fill(contract, user, more)
        with CaptureQueriesContext(connection) as queries:
            response = portal_client.get(URL)
        assert response.status_code == 200
        counts.append(len(queries))
    content = response.content.decode()
    assert "You have 30 open requests." in content
    # fill(1) then fill(29): every odd n awaits a reply, every third n was opened / read.
    assert "14 requests await your reply" in content
    assert "30 requests have unread replies" in content  # none opened yet
    assert "19 new documents" in content and "19 new notices" in content
    assert counts[0] == counts[1], counts
    print(f"dashboard queries with 1 and 30 of everything: {counts}")


# -- the hook contract --------------------------------------------------------------------------


def test_a_widget_returning_none_is_skipped_and_keys_limit_without_calling(rf, portal_client):
    calls = []

    def nothing(request):
        calls.append("nothing")
        return None

    @w.widget_function("extra", "Extra")
    def extra(request):
        calls.append("extra")
        return w.Widget(
            key="extra",
            title="Extra",
            template="wagtail_tenantportal/dashboard/widgets/notices.html",
            order=5,
        )

    request = make_request(rf, portal_client.user)
    with hooks.register_temporarily(w.HOOK_NAME, nothing), hooks.register_temporarily(w.HOOK_NAME, extra):
        keys = [widget.key for widget in w.collect_widgets(request)]
        assert keys[0] == "extra" and "nothing" not in keys
        assert keys.index("tickets") < keys.index("documents") < keys.index("notices")
        assert calls == ["nothing", "extra"]
        calls.clear()
        assert [widget.key for widget in w.collect_widgets(request, ["notices"])] == ["notices"]
        assert calls == ["nothing"]  # declared "extra" not called; undeclared ones are
        assert ("extra", "Extra") in w.widget_choices()


def test_sample_widgets_query_nothing():
    with CaptureQueriesContext(connection) as queries:
        samples = w.sample_widgets()
    keys = [s.key for s in samples]
    assert keys.index("tickets") < keys.index("documents") < keys.index("notices")
    assert len(queries) == 0


# -- page ---------------------------------------------------------------------------------------


@pytest.fixture
def dashboard_page(db):
    home = Page.objects.get(depth=1).get_children().first()
    page = DashboardPage(
        title="Mein Mieterportal",
        slug="uebersicht",
        greeting="Hallo {name}!",
        intro="<p>Schön, dass Sie da sind.</p>",
    )
    home.add_child(instance=page)
    return page


def test_page_anonymous_half_logged_in_and_ok(client, dashboard_page):
    contract = ContractFactory()
    NoticeFactory(company=contract.company, title="Sommerfest im Hof")
    content = client.get(dashboard_page.url).content.decode()
    assert (
        "/portal/login/?next=" in content and "Sommerfest" not in content and "Mein Mieterportal" in content
    )

    from tests.notices.test_notices import half_logged_in

    half_logged_in(client, contract)
    content = client.get(dashboard_page.url).content.decode()
    assert 'href="/portal/2fa/verify/"' in content and "Sommerfest" not in content

    client.logout()
    user = verified_portal_user(ContractFactory(unit__property=contract.unit.property))
    client.force_login(user)
    response = client.get(dashboard_page.url)
    content = response.content.decode()
    assert "Hallo Erika Mustermann" in content and "Sommerfest im Hof" in content
    assert "Schön, dass Sie da sind." in content
    assert "max-age=0" in response["Cache-Control"]


def test_page_shows_only_the_chosen_widgets(portal_client, dashboard_page):
    dashboard_page.widget_keys = "notices,documents"
    dashboard_page.save()
    content = portal_client.get(dashboard_page.url).content.decode()
    assert "tp-widget--notices" in content and "tp-widget--documents" in content
    assert "tp-widget--tickets" not in content


def test_page_form_offers_the_registered_widgets_as_check_boxes(client, dashboard_page):
    editor = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(editor)
    content = client.get(reverse("wagtailadmin_pages:edit", args=[dashboard_page.pk])).content.decode()
    for key in ("tickets", "documents", "notices"):
        assert f'value="{key}"' in content
    from wagtail_tenantportal.dashboard.pages import DashboardPageForm

    form_class = dashboard_page.get_edit_handler().get_form_class()
    assert issubclass(form_class, DashboardPageForm)


# -- block --------------------------------------------------------------------------------------


def render_block(request, widgets=()):
    block = DashboardBlock()
    value = block.to_python({"heading": "Meine Übersicht", "widgets": list(widgets)})
    return block.render(value, {"request": request})


def test_block_states(rf, client, portal_client):
    contract = portal_client.contract
    NoticeFactory(company=contract.company, title="Sommerfest im Hof")
    anonymous = render_block(make_request(rf))
    assert "/portal/login/?next=%2Fstart%2F" in anonymous and "Sommerfest" not in anonymous

    from tests.notices.test_notices import half_logged_in

    half_logged_in(client, ContractFactory(unit__property=contract.unit.property))
    half = render_block(make_request(rf, session=client.session))
    assert 'href="/portal/2fa/verify/"' in half and "Sommerfest" not in half

    request = make_request(rf, portal_client.user)
    html = render_block(request)
    assert "Sommerfest im Hof" in html and "tp-widget--tickets" in html
    assert "<h3" in html  # card headings below the block's h2
    only = render_block(request, ["notices"])
    assert "tp-widget--notices" in only and "tp-widget--tickets" not in only


def test_block_queries_are_constant(rf, portal_client):
    request = make_request(rf, portal_client.user)
    portal_state(request)
    counts = []
    for more in (1, 29):
        fill(portal_client.contract, portal_client.user, more)
        with CaptureQueriesContext(connection) as queries:
            render_block(request)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    print(f"dashboard block queries with 1 and 30 of everything: {counts}")


def test_block_preview_shows_sample_widgets_without_tenant_data(client):
    from wagtail_tenantportal.blocks import portal_blocks

    editor = UserFactory(is_superuser=True, is_staff=True, email="editor@example.org")
    client.force_login(editor)
    contract = ContractFactory()
    NoticeFactory(company=contract.company, title="Echter Aushang")
    block = dict(portal_blocks())["portal_dashboard"]
    response = client.get(reverse("wagtailadmin_block_preview") + f"?id={block.definition_prefix}")
    content = response.content.decode()
    assert response.status_code == 200
    for sample in ("Wasserhahn im Bad tropft", "Betriebskostenabrechnung 2025", "Sommerfest im Innenhof"):
        assert sample in content
    assert "Echter Aushang" not in content and "editor@example.org" not in content
