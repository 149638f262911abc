"""Wagtail's audit log with the package's entries: Reports → Site history renders every action
the package logs on every kind of object it logs (it answered 500 once a request was in the
log: a link to an edit view the request viewset does not have), its filters and exports work,
and staff see the entries of their own companies' objects only."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.admin.views.reports.audit_logging import get_users_for_filter
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from tests.factories import UserFactory

from .scope_world import ELSTERAUE, LINDENHOF, isolated_world

pytestmark = pytest.mark.django_db

SITE_HISTORY = "/admin/reports/site-history/"


@pytest.fixture
def world(settings, tmp_path):
    return isolated_world(settings, tmp_path)


def package_actions():
    return [action for action, _label in log_registry.get_choices() if action.startswith("tenantportal")]


def test_site_history_renders_every_action_on_every_object_the_package_logs(client, world, capsys):
    actions = package_actions()
    assert len(actions) >= 20  # tickets, documents, codes, accounts, notices, two-factor, ...
    objects = list(world[LINDENHOF].objects.values())
    data = {"count": 2, "from": "new", "to": "done", "comment": "Erledigt", "channel": "staff"}
    # One entry of each action, and one of an action of the package on each kind of object.
    for index, action in enumerate(actions):
        log(objects[index % len(objects)], action, user=world[LINDENHOF].staff, data=data)
    for index, obj in enumerate(objects):
        log(obj, actions[index % len(actions)], user=world[LINDENHOF].staff, data=data)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.get(SITE_HISTORY)
    assert response.status_code == 200
    pages = 1
    for action in actions:
        response = client.get(SITE_HISTORY, {"action": action})
        pages += 1
        assert response.status_code == 200, action
        assert response.context["object_list"], action
    content_types = {
        ContentType.objects.get_for_model(type(obj), for_concrete_model=False) for obj in objects
    }
    for content_type in content_types:
        response = client.get(SITE_HISTORY, {"object_type": content_type.pk})
        pages += 1
        assert response.status_code == 200, content_type
        entries = response.context["object_list"]
        assert entries and all(entry.content_type_id == content_type.pk for entry in entries), content_type
        # Each entry links to a page of its object that exists (or to none).
        for entry in entries:
            if entry.edit_url:
                assert client.get(entry.edit_url).status_code == 200, entry.edit_url
    for export in ("csv", "xlsx"):
        response = client.get(SITE_HISTORY, {"export": export})
        pages += 1
        assert response.status_code == 200
    with capsys.disabled():
        print(
            f"\nsite history: {len(actions)} actions x {len(content_types)} kinds of object logged, "
            f"{pages} report pages and exports rendered"
        )


def test_staff_see_the_log_of_their_companies_only(client, world):
    for world_company in world.values():
        for obj in world_company.objects.values():
            log(obj, "wagtail.edit", user=world_company.staff)
    # The package's entries are Wagtail's: the same table as every model's log.
    assert ModelLogEntry.objects.filter(label__icontains=LINDENHOF).exists()
    for own, foreign in ((LINDENHOF, ELSTERAUE), (ELSTERAUE, LINDENHOF)):
        client.force_login(world[own].staff)
        response = client.get(SITE_HISTORY)
        html = response.content.decode().lower()
        assert response.status_code == 200
        assert own.lower() in html and foreign.lower() not in html
        csv_export = b"".join(client.get(SITE_HISTORY, {"export": "csv"}).streaming_content).decode().lower()
        assert own.lower() in csv_export and foreign.lower() not in csv_export
        # The filters list no one of the other company who acted.
        users = get_users_for_filter(world[own].staff)
        assert world[own].staff in users and world[foreign].staff not in users
        # An object's own history: of the staff's companies only (the walk tries every history URL).
        foreign_company = world[foreign].company
        assert (
            client.get(reverse("tenantportal_company:history", args=[foreign_company.pk])).status_code == 404
        )
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(SITE_HISTORY).content.decode().lower()
    assert LINDENHOF.lower() in html and ELSTERAUE.lower() in html
