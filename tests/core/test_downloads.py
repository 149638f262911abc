"""core.downloads, to the letter: every serve mode's headers, the file names, the presigned URL.

What the mutants of issue 17 showed untested: ``Cache-Control``/``Referrer-Policy`` of every
answer (staff downloads included), the content type of x-accel/x-sendfile answers (never
``text/html``), ``safe_filename`` with paths, dot names and long names, and the presigned
URL's file name and lifetime in every fallback branch.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from wagtail_tenantportal.core import downloads
from wagtail_tenantportal.core.downloads import private_file_response, safe_filename

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
}


def test_the_security_headers_of_the_module():
    assert downloads.SECURITY_HEADERS == SECURITY_HEADERS


@pytest.fixture
def storage(tmp_path):
    storage = FileSystemStorage(location=str(tmp_path))
    storage.save("docs/2026/abrechnung.pdf", ContentFile(b"%PDF-1.4 Inhalt %%EOF"))
    return storage


def assert_secured(response, disposition):
    for name, value in SECURITY_HEADERS.items():
        assert response[name] == value, name
    assert response["Content-Disposition"] == disposition


# -- file names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Abrechnung 2026.pdf", "Abrechnung 2026.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/var/private/tenants/brief.pdf", "brief.pdf"),
        ("C:\\Users\\Erika\\Mietbescheinigung.pdf", "Mietbescheinigung.pdf"),
        ("ordner/unter\\datei.pdf", "datei.pdf"),
        ('a\x00b"c:d*e?f<g>h|i.pdf', "a_b_c_d_e_f_g_h_i.pdf"),
        ("tab\tund\nzeile\x7f.pdf", "tab_und_zeile_.pdf"),
        ('viele:::"""<<<zeichen.pdf', "viele_zeichen.pdf"),
        ("...", "download"),
        (". .", "download"),
        (".htaccess", "htaccess"),
        ("  name.pdf. ", "name.pdf"),
        ("", "download"),
        (None, "download"),
        ("ordner/", "download"),
        ("Übersicht für Müller.pdf", "Übersicht für Müller.pdf"),
        ("Xaver.pdfX", "Xaver.pdfX"),
        ("a/b/c/d.pdf", "d.pdf"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_long_names_keep_their_first_150_characters():
    name = "x" * 200 + ".pdf"
    assert safe_filename(name) == "x" * 150
    assert safe_filename("a" * 150) == "a" * 150
    assert safe_filename("b" * 151) == "b" * 150


def test_the_default_name_can_be_chosen():
    assert safe_filename("..", default="dokument.pdf") == "dokument.pdf"
    assert safe_filename("", default="bild.jpg") == "bild.jpg"


# -- the serve modes -----------------------------------------------------------------------------


def test_stream_sends_the_bytes_with_every_security_header(storage, settings):
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "stream"}
    response = private_file_response(
        "docs/2026/abrechnung.pdf", filename="Abrechnung 2026.pdf", storage=storage
    )
    assert b"".join(response.streaming_content) == b"%PDF-1.4 Inhalt %%EOF"
    assert response["Content-Type"] == "application/pdf"
    assert_secured(response, 'attachment; filename="Abrechnung 2026.pdf"')


def test_inline_and_an_unsafe_name(storage, settings):
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "stream"}
    response = private_file_response(
        "docs/2026/abrechnung.pdf", filename="../geheim/Brief.pdf", as_attachment=False, storage=storage
    )
    assert_secured(response, 'inline; filename="Brief.pdf"')


def test_the_content_type_is_guessed_from_the_name_or_given(storage, settings):
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "stream"}
    name = "docs/2026/abrechnung.pdf"
    assert private_file_response(name, filename="foto.jpg", storage=storage)["Content-Type"] == "image/jpeg"
    assert (
        private_file_response(name, filename="ohne-endung", storage=storage)["Content-Type"]
        == "application/octet-stream"
    )
    response = private_file_response(name, filename="x.jpg", content_type="application/pdf", storage=storage)
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("prefix", "name", "expected"),
    [
        ("/protected/", "docs/2026/abrechnung.pdf", "/protected/docs/2026/abrechnung.pdf"),
        ("/intern", "/docs/a.pdf", "/intern/docs/a.pdf"),
        ("/intern//", "//docs/a.pdf", "/intern/docs/a.pdf"),
        ("/dateienX/", "X/a.pdf", "/dateienX/X/a.pdf"),
    ],
)
def test_x_accel_redirect_names_the_internal_location(storage, settings, prefix, name, expected):
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "x-accel-redirect", "PRIVATE_SERVE_PREFIX": prefix}
    response = private_file_response(name, filename="Abrechnung.pdf", storage=storage)
    assert response["X-Accel-Redirect"] == expected
    assert response["Content-Type"] == "application/pdf"  # nginx keeps it: never text/html
    assert response.content == b""
    assert_secured(response, 'attachment; filename="Abrechnung.pdf"')


def test_x_sendfile_names_the_file_on_disk(storage, settings):
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "x-sendfile"}
    response = private_file_response("docs/2026/abrechnung.pdf", filename="foto.png", storage=storage)
    assert response["X-Sendfile"] == storage.path("docs/2026/abrechnung.pdf")
    assert response["Content-Type"] == "image/png"
    assert response.content == b""
    assert_secured(response, 'attachment; filename="foto.png"')


def test_the_private_storage_is_the_default(settings, tmp_path):
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "x-sendfile"}
    response = private_file_response("a/b.pdf", filename="b.pdf")
    from wagtail_tenantportal.core.storage import get_private_storage

    assert response["X-Sendfile"] == get_private_storage().path("a/b.pdf")


# -- presigned URLs (S3) and their fallbacks -----------------------------------------------------


class Signing:
    """A storage whose ``url`` takes response parameters and a lifetime, like django-storages' S3."""

    def __init__(self):
        self.calls = []

    def url(self, name, parameters=None, expire=None):
        self.calls.append({"name": name, "parameters": parameters, "expire": expire})
        return f"https://bucket.example/{name}?signed"


class ExpiryOnly:
    def __init__(self):
        self.calls = []

    def url(self, name, expire=None):
        self.calls.append({"name": name, "expire": expire})
        return f"https://bucket.example/{name}?expires={expire}"


class Plain:
    def __init__(self):
        self.calls = []

    def url(self, name):
        self.calls.append({"name": name})
        return f"https://cdn.example/{name}"


def test_a_presigned_url_asks_s3_for_the_portals_headers_and_lifetime(settings):
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "redirect", "PRIVATE_URL_EXPIRY": 17}
    storage = Signing()
    response = private_file_response("x/1.pdf", filename="../Brief 1.pdf", storage=storage)
    assert response.status_code == 302 and response.url == "https://bucket.example/x/1.pdf?signed"
    assert storage.calls == [
        {
            "name": "x/1.pdf",
            "parameters": {
                "ResponseContentDisposition": 'attachment; filename="Brief 1.pdf"',
                "ResponseContentType": "application/pdf",
                "ResponseCacheControl": "private, no-store",
            },
            "expire": 17,
        }
    ]
    assert_secured(response, 'attachment; filename="Brief 1.pdf"')


def test_inline_presigned_url(settings):
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "redirect"}
    storage = Signing()
    private_file_response("x/1.jpg", filename="Foto.jpg", as_attachment=False, storage=storage)
    (call,) = storage.calls
    assert call["parameters"]["ResponseContentDisposition"] == 'inline; filename="Foto.jpg"'
    assert call["parameters"]["ResponseContentType"] == "image/jpeg"
    assert call["expire"] == 30  # the default PRIVATE_URL_EXPIRY


def test_a_storage_without_response_parameters_still_gets_the_lifetime(settings):
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "redirect", "PRIVATE_URL_EXPIRY": 9}
    storage = ExpiryOnly()
    response = private_file_response("x/2.pdf", filename="Zwei.pdf", storage=storage)
    assert storage.calls == [{"name": "x/2.pdf", "expire": 9}]
    assert response.url == "https://bucket.example/x/2.pdf?expires=9"
    assert_secured(response, 'attachment; filename="Zwei.pdf"')


def test_a_storage_with_a_plain_url_method(settings):
    settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "redirect"}
    storage = Plain()
    response = private_file_response("x/3.pdf", filename="Drei.pdf", storage=storage)
    assert storage.calls == [{"name": "x/3.pdf"}]
    assert response.url == "https://cdn.example/x/3.pdf"
    assert_secured(response, 'attachment; filename="Drei.pdf"')


def test_presigned_url_helper_directly():
    storage = Signing()
    assert downloads._presigned_url(storage, "n", "Datei.txt", "text/plain", True).endswith("?signed")
    assert storage.calls[0]["parameters"]["ResponseContentType"] == "text/plain"


# -- staff downloads use the same answer ---------------------------------------------------------


@pytest.mark.django_db
def test_a_staff_download_of_a_ticket_photo_carries_every_security_header(client, settings):
    from tests.factories import ContractFactory, UserFactory
    from tests.tickets.conftest import photo
    from wagtail_tenantportal.tickets import services
    from wagtail_tenantportal.tickets.models import TicketType

    contract = ContractFactory()
    staff = UserFactory(is_superuser=True)
    ticket = services.submit_ticket(
        contract=contract,
        ticket_type=TicketType.objects.get(code="general_contact"),
        user=staff,
        channel="staff",
        subject="Foto",
        description="x",
        attachments=[photo("schaden.jpg")],
    )
    client.force_login(staff)
    from django.urls import reverse

    response = client.get(reverse("tenantportal_tickets:attachment", args=[ticket.attachments.get().pk]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/jpeg"
