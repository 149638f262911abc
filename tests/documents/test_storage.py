"""The private storage: resolved at use time, stable in migrations, and refused by the system
checks whenever tenant files could become public."""

import pytest
from django.core.files.base import ContentFile

from wagtail_tenantportal.core import checks
from wagtail_tenantportal.core.storage import (
    LazyPrivateStorage,
    PrivateFileSystemStorage,
    get_private_storage,
)
from wagtail_tenantportal.documents.models import Document, PrintBatch


def ids(messages):
    return sorted(message.id for message in messages)


def private_alias(
    location=None, backend="wagtail_tenantportal.core.storage.PrivateFileSystemStorage", **options
):
    if location is not None:
        options["location"] = str(location)
    return {"BACKEND": backend, "OPTIONS": options}


def s3_alias(**options):
    base = {
        "bucket_name": "mieter",
        "access_key": "x",
        "secret_key": "y",
        "region_name": "eu-central-1",
        "querystring_auth": True,
    }
    return private_alias(backend="storages.backends.s3.S3Storage", **{**base, **options})


@pytest.fixture
def storages_setting(settings, tmp_path):
    def configure(alias):
        settings.STORAGES = {**settings.STORAGES, "tenantportal_private": alias}
        if alias is None:
            del settings.STORAGES["tenantportal_private"]
            settings.STORAGES = dict(settings.STORAGES)

    return configure


class TestLazyStorage:
    def test_the_field_follows_a_change_of_storages(self, storages_setting, tmp_path):
        field = Document._meta.get_field("file")
        storages_setting(private_alias(tmp_path / "eins"))
        name = field.storage.save("a.txt", ContentFile(b"1"))
        assert (tmp_path / "eins" / name).exists()
        storages_setting(private_alias(tmp_path / "zwei"))
        field.storage.save("b.txt", ContentFile(b"2"))
        assert (tmp_path / "zwei" / "b.txt").exists() and not (tmp_path / "eins" / "b.txt").exists()
        assert field.storage.location == str(tmp_path / "zwei")

    def test_the_fallback_root(self, storages_setting, settings, tmp_path):
        storages_setting(None)
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_STORAGE_ROOT": str(tmp_path / "fallback")}
        storage = get_private_storage()
        assert isinstance(storage, PrivateFileSystemStorage) and storage.location == str(
            tmp_path / "fallback"
        )

    def test_no_public_urls(self, tmp_path, storages_setting):
        storages_setting(private_alias(tmp_path))
        with pytest.raises(ValueError, match="no public URL"):
            LazyPrivateStorage().url("x.pdf")

    def test_deconstruction_is_stable(self):
        for model in (Document, PrintBatch):
            _name, _path, _args, kwargs = model._meta.get_field("file").deconstruct()
            assert kwargs["storage"].deconstruct() == (
                "wagtail_tenantportal.core.storage.LazyPrivateStorage",
                (),
                {},
            )
        assert LazyPrivateStorage() == LazyPrivateStorage()

    def test_switching_to_s3_needs_no_migration(self, storages_setting, db):
        from io import StringIO

        from django.core.management import call_command

        storages_setting(s3_alias())
        out = StringIO()
        call_command("makemigrations", "tenantportal_documents", "--check", "--dry-run", stdout=out)
        assert "No changes detected" in out.getvalue()


class TestChecks:
    def run(self):
        return checks.check_private_storage()

    def test_the_test_configuration_is_fine(self):
        assert self.run() == []

    def test_nothing_configured(self, storages_setting):
        storages_setting(None)
        assert ids(self.run()) == ["wagtail_tenantportal.E040"]

    def test_a_backend_that_cannot_load(self, storages_setting):
        storages_setting(private_alias(backend="no.such.Storage"))
        assert "wagtail_tenantportal.E040" in ids(self.run())

    @pytest.mark.parametrize("setting", ["MEDIA_ROOT", "STATIC_ROOT"])
    def test_a_root_inside_media_or_static(self, storages_setting, settings, tmp_path, setting):
        setattr(settings, setting, str(tmp_path / "public"))
        storages_setting(private_alias(tmp_path / "public" / "private"))
        assert ids(self.run()) == ["wagtail_tenantportal.E041"]
        storages_setting(private_alias(tmp_path / "private"))
        assert self.run() == []

    def test_the_fallback_root_inside_media(self, storages_setting, settings, tmp_path):
        storages_setting(None)
        settings.MEDIA_ROOT = str(tmp_path)
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_STORAGE_ROOT": str(tmp_path / "tenants")}
        assert ids(self.run()) == ["wagtail_tenantportal.E041"]

    def test_a_private_s3_bucket_is_fine(self, storages_setting, settings):
        pytest.importorskip("storages.backends.s3")
        storages_setting(s3_alias())
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "redirect"}
        assert self.run() == []

    @pytest.mark.parametrize(
        "options, check_id",
        [
            ({"custom_domain": "cdn.example.org"}, "E042"),
            ({"querystring_auth": False}, "E043"),
            ({"default_acl": "public-read"}, "E044"),
        ],
    )
    def test_a_public_s3_storage_is_refused(self, storages_setting, settings, options, check_id):
        pytest.importorskip("storages.backends.s3")
        storages_setting(s3_alias(**options))
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "redirect"}
        assert ids(self.run()) == [f"wagtail_tenantportal.{check_id}"]

    def test_an_unknown_serve_mode(self, settings):
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "sendfile"}
        assert ids(self.run()) == ["wagtail_tenantportal.E045"]

    def test_modes_that_do_not_fit_the_storage(self, storages_setting, settings):
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "redirect"}
        assert ids(self.run()) == ["wagtail_tenantportal.E046"]  # a folder cannot sign URLs
        pytest.importorskip("storages.backends.s3")
        storages_setting(s3_alias())
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_SERVE_MODE": "x-sendfile"}
        assert ids(self.run()) == ["wagtail_tenantportal.E046"]  # S3 has no files on this server

    def test_the_x_accel_prefix_and_the_url_expiry(self, settings):
        settings.WAGTAIL_TENANTPORTAL = {
            "PRIVATE_SERVE_MODE": "x-accel-redirect",
            "PRIVATE_SERVE_PREFIX": "protected",
        }
        assert ids(self.run()) == ["wagtail_tenantportal.E047"]
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_URL_EXPIRY": 0}
        assert ids(self.run()) == ["wagtail_tenantportal.E048"]
        settings.WAGTAIL_TENANTPORTAL = {"PRIVATE_URL_EXPIRY": 3600}
        assert ids(self.run()) == ["wagtail_tenantportal.W048"]

    def test_registered_with_django(self):
        from django.core import checks as django_checks

        assert checks.check_private_storage in django_checks.registry.registry.get_checks()
