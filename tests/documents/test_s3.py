"""The private storage on S3 (django-storages against moto's S3 server): documents land in a
private bucket, the owner is redirected to a presigned URL valid for seconds, everybody else
gets the same 404 as on the filesystem."""

import socket
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.accounts.flow_helpers import verified_tenant
from tests.accounts.twofactor_helpers import confirmed_totp, password_step
from tests.documents.conftest import body, download_url, login, new_contract, pdf_bytes, publish, zip_bytes
from wagtail_tenantportal.core.storage import get_private_storage
from wagtail_tenantportal.documents import services
from wagtail_tenantportal.documents.models import Document, DocumentReceipt

boto3 = pytest.importorskip("boto3")
pytest.importorskip("storages.backends.s3")
moto_server = pytest.importorskip("moto.server")

pytestmark = pytest.mark.django_db

ACCESS_KEY = "testing"
SECRET_KEY = "testing"  # moto accepts any credentials
REGION = "eu-central-1"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on 127.0.0.1 and a free port, for the whole test session."""
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )


@pytest.fixture
def s3(s3_endpoint, settings):
    """A fresh private bucket configured as the portal's private storage (presigned redirects)."""
    bucket = f"tenant-files-{uuid.uuid4().hex[:12]}"
    client = _client(s3_endpoint)
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "tenantportal_private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_endpoint,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "region_name": REGION,
                "addressing_style": "path",
                "signature_version": "s3v4",
                "querystring_auth": True,
                "querystring_expire": 3600,  # the portal asks for less (PRIVATE_URL_EXPIRY)
                "custom_domain": None,
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "redirect", "PRIVATE_URL_EXPIRY": 10}
    client.bucket = bucket
    return client


def bucket_keys(s3):
    return [item["Key"] for item in s3.list_objects_v2(Bucket=s3.bucket).get("Contents", [])]


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (the test's own server)
        return response.read(), dict(response.headers)


class TestStorage:
    def test_the_model_field_follows_the_configured_backend(self, s3, tenant):
        from storages.backends.s3 import S3Storage

        assert isinstance(get_private_storage(), S3Storage)
        document = publish(tenant.contract, "auf s3")
        assert bucket_keys(s3) == [document.file.name]
        assert document.file.read() == pdf_bytes("auf s3")

    def test_objects_are_not_public(self, s3, s3_endpoint, tenant):
        document = publish(tenant.contract, "privat")
        with pytest.raises(urllib.error.HTTPError) as raised:
            fetch(f"{s3_endpoint}/{s3.bucket}/{document.file.name}")
        assert raised.value.code == 403


class TestDownloadFromS3:
    def test_the_owner_is_redirected_to_a_short_presigned_url(self, s3, client, tenant):
        document = publish(tenant.contract, "bk s3", title="BK 2025")
        response = login(client, tenant).get(download_url(document))
        assert response.status_code == 302
        assert response["Cache-Control"] == "private, no-store"
        url = response["Location"]
        query = parse_qs(urlsplit(url).query)
        assert query["X-Amz-Expires"] == ["10"]
        assert "attachment" in query["response-content-disposition"][0]
        content, headers = fetch(url)
        assert content == pdf_bytes("bk s3")
        assert headers["Content-Disposition"].startswith("attachment;")
        assert headers["Cache-Control"] == "private, no-store"
        assert DocumentReceipt.objects.filter(document=document, party=tenant.party).exists()

    def test_streaming_from_s3_works_too(self, s3, client, tenant, settings):
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "stream"}
        document = publish(tenant.contract, "gestreamt")
        response = login(client, tenant).get(download_url(document))
        assert response.status_code == 200 and body(response) == pdf_bytes("gestreamt")
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_every_document_url_is_404_for_others_on_s3(
        self, s3, client, tenant, neighbour, stranger, property_
    ):
        documents = [
            publish(tenant.party, "p"),
            publish(tenant.contract, "c"),
            publish(property_, "h", category="house_rules"),
            publish(tenant.contract.company, "u", category="notice"),
        ]
        half = verified_tenant(new_contract(property_), email="halb-s3@example.org")
        for document in documents:
            url = download_url(document)
            client.logout()
            response = client.get(url)
            assert response.status_code == 404 and not response.has_header("Location")
            assert login(client, stranger).get(url).status_code == 404
            if document.scope in ("party", "contract"):
                assert login(client, neighbour).get(url).status_code == 404
        client.logout()
        confirmed_totp(half)
        password_step(client, half)
        for document in documents:
            response = client.get(download_url(document))
            assert response.status_code == 404 and not response.has_header("Location")


class TestBulkOnS3:
    def test_a_zip_is_distributed_into_the_bucket(self, s3, tenant, neighbour):
        data = zip_bytes({"100001_BK.pdf": pdf_bytes("a"), "100002_BK.pdf": pdf_bytes("b")})
        import io

        run = services.distribute_zip(io.BytesIO(data), category="operating_cost_statement", title="BK 2025")
        assert run.counts["published"] == 2, run.problems
        assert sorted(bucket_keys(s3)) == sorted(Document.objects.values_list("file", flat=True))
