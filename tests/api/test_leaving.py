"""The API of leaving the portal: data exports (ask, list, download) and deleting the account.

Erika asks for her export and downloads it; Ben (same landlord) and Cem (another landlord) get
404 for it; asking twice while it is prepared is a 409; deletion needs the password (and the
code where there is a second factor), refuses bad input with a translated message and changes
nothing then, and afterwards the token no longer works.
"""

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.twofactor_helpers import now_code
from tests.api.conftest import API, PASSWORD, client_for, token_for
from wagtail_tenantportal.accounts.models import DataExport
from wagtail_tenantportal.core import outbox, personal_data

EXPORTS = API + "me/exports/"
DELETE = API + "me/delete/"


def _zip(response):
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_erika_asks_for_her_export_and_downloads_it(world, erika_client):
    response = erika_client.post(EXPORTS, {}, format="json")
    assert response.status_code == 202, response.json()
    export_id = response.json()["id"]
    [listed] = erika_client.get(EXPORTS).json()
    assert listed["id"] == export_id and listed["state"] == "ready" and listed["available"]
    assert erika_client.get(f"{EXPORTS}{export_id}/").json()["files"] == 2
    download = erika_client.get(f"{EXPORTS}{export_id}/file/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = _zip(download)
    data = json.loads(archive.read("data.json"))
    assert data["apps"]["tickets"]["requests"][0]["subject"] == world.ticket.subject
    assert any(name.startswith("files/documents/") for name in archive.namelist())


def test_others_get_404_for_erikas_export(world, erika_client):
    export_id = erika_client.post(EXPORTS, {}, format="json").json()["id"]
    for other in (world.ben, world.cem):
        client = client_for(token_for(other))
        for path in (f"{EXPORTS}{export_id}/", f"{EXPORTS}{export_id}/file/"):
            assert client.get(path).status_code == 404
            assert client.delete(path).status_code in (404, 405)
        assert export_id not in client.get(EXPORTS).content.decode()
    assert DataExport.objects.get(uuid=export_id).state == DataExport.State.READY


def test_asking_twice_while_prepared_is_a_409_and_no_second_job(world, erika_client, monkeypatch):
    monkeypatch.setattr(outbox, "after_commit_hook", lambda func: None)  # no worker
    assert erika_client.post(EXPORTS, {}, format="json").status_code == 202
    response = erika_client.post(EXPORTS, {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "in_progress"
    assert DataExport.objects.filter(user=world.erika).count() == 1
    # Not ready yet: no file.
    export = DataExport.objects.get(user=world.erika)
    assert erika_client.get(f"{EXPORTS}{export.uuid}/file/").status_code == 404


def test_the_deletion_preview_names_the_open_request(world, erika_client):
    data = erika_client.get(DELETE).json()
    assert [item["reference"] for item in data["open_requests"]] == [world.ticket.reference]
    assert data["kept"]["tickets"]["requests"] == 1
    assert data["needs_code"] is False


@pytest.mark.parametrize("body", [{}, {"password": "wrong"}, {"password": PASSWORD, "unknown": 1}])
def test_bad_deletion_requests_change_nothing(world, erika_client, body):
    before = personal_data.remaining(world.erika)
    response = erika_client.post(DELETE, body, format="json")
    assert response.status_code == 400
    assert response.json()["message"]
    assert personal_data.remaining(world.erika) == before


def test_deletion_in_german(world, erika_client):
    response = erika_client.post(DELETE, {"password": "falsch"}, format="json", HTTP_ACCEPT_LANGUAGE="de")
    assert response.json()["message"] == "Das Passwort ist nicht richtig."


def test_deletion_with_a_second_factor_needs_the_code(world):
    device = TOTPDevice.objects.create(user=world.erika, name="authenticator", confirmed=True)
    client = client_for(token_for(world.erika, device=device))
    response = client.post(DELETE, {"password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert get_user_model().objects.filter(pk=world.erika.pk).exists()
    response = client.post(DELETE, {"password": PASSWORD, "code": now_code(device)}, format="json")
    assert response.status_code == 200, response.json()
    assert not get_user_model().objects.filter(pk=world.erika.pk).exists()


def test_deletion_ends_the_token_and_keeps_the_open_request(world, erika_client):
    response = erika_client.post(DELETE, {"password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json() == {"status": "deleted", "open_requests": [world.ticket.reference]}
    assert erika_client.get(API + "me/").status_code == 401
    world.ticket.refresh_from_db()
    assert world.ticket.created_by is None and not world.ticket.status.is_closed
    assert personal_data.remaining(world.erika) == {}


def test_others_cannot_delete_erika(world):
    for other in (world.ben, world.cem):
        response = client_for(token_for(other)).post(DELETE, {"password": PASSWORD + "x"}, format="json")
        assert response.status_code == 400
    assert get_user_model().objects.filter(pk=world.erika.pk).exists()


def test_query_counts_do_not_grow_with_data(world, erika_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.api.conftest import file_request

    def counts():
        result = {}
        for path in (EXPORTS, DELETE):
            with CaptureQueriesContext(connection) as queries:
                assert erika_client.get(path).status_code == 200
            result[path] = len(queries)
        return result

    erika_client.post(EXPORTS, {}, format="json")
    small = counts()
    for number in range(4):
        file_request(world.erika, world.contract, f"Frage {number}")
        DataExport.objects.create(user=world.erika, state=DataExport.State.READY)
    assert counts() == small
