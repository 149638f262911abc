import os

import pytest
from django.utils import timezone


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """pytest-django's hook for the test database settings: unchanged, except under
    ``make mutation``, where each session works on a copy of one migrated file (tests/mutation_db.py)."""
    from tests import mutation_db

    template = os.environ.get(mutation_db.ENV)
    if not template:
        yield
        return
    yield from mutation_db.session_database(template)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request with "Accept-Language: de" leaves
    German active in the thread after the test client returns (LocaleMiddleware), which would
    otherwise leak into the next test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _forget_site_root_paths():
    """Wagtail caches the sites' root paths in the cache, outside each test's transaction: a
    test that adds a second site would otherwise leave later tests with two sites (and
    absolute page URLs)."""
    from wagtail.models import Site

    Site.clear_site_root_paths_cache()
    yield
    Site.clear_site_root_paths_cache()


def verified_portal_user(contract, user=None):
    """A user whose portal account is fully set up (email confirmed, contact data checked) and
    linked to a new party on ``contract``: ``force_login`` gives a full portal session."""
    from tests.factories import tenant_for
    from wagtail_tenantportal.accounts.models import PortalAccount

    user, _party = tenant_for(contract, user=user)
    now = timezone.now()
    PortalAccount.objects.filter(user=user).update(email_verified_at=now, contact_checked_at=now)
    return user


@pytest.fixture
def portal_client(client, db):
    """A client with a full portal session of a tenant on a fresh rental contract
    (``client.user``, ``client.contract``)."""
    from tests.factories import ContractFactory

    contract = ContractFactory()
    user = verified_portal_user(contract)
    client.force_login(user)
    client.user = user
    client.contract = contract
    return client
