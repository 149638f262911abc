"""Issue 17, finding 3: one canonical form of an email address for limiter keys and lookups.

Before, the limiter key was lowercased in Python while the account was found by the database's
case-insensitive match (PostgreSQL's UPPER turns ``ı`` into ``I``), so each Unicode variant of
an address got five fresh guesses. Now every road (login, registration, reset, verification,
email change) keys and looks up the canonical form, and portal addresses are stored in it.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import UserFactory
from wagtail_tenantportal.accounts import flows
from wagtail_tenantportal.accounts.models import PortalAccount, RegistrationCode
from wagtail_tenantportal.core.adapter import get_adapter

from .flow_helpers import (
    LOGIN_URL,
    PASSWORD,
    REGISTER_URL,
    code_form_data,
    issue,
    mails_to,
    verified_tenant,
)

pytestmark = pytest.mark.django_db

EMAIL = "mieterin@kiez-häuser.example"
#: Inputs that name the same mailbox (and that a database's case-insensitive match may take
#: for the stored address): upper case, dotless ı, long ſ, the Kelvin sign, fullwidth letters,
#: a decomposed umlaut (a + combining diaeresis), and a mixture with spaces around.
VARIANTS = {
    "upper case": "MIETERIN@KIEZ-HÄUSER.EXAMPLE",
    "dotless i": "mieterin@kıez-häuser.example",
    "long s": "mieterin@kiez-häuſer.example",
    "Kelvin sign": "mieterin@\u212aiez-häuser.example",
    "fullwidth": "mieterin@\uff4b\uff49\uff45\uff5a-häuser.example",
    "combining mark": "mieterin@kiez-ha\u0308user.example",
    "mixed": "  MıeterIN@\u212aIEZ-HA\u0308UſER.Example ",
}
WRONG = "Falsches-Passwort-1"


def canonical_email(value):
    # Imported here, so that the behaviour tests of this module also run (and fail) on a
    # checkout from before the canonical form.
    from wagtail_tenantportal.core.identity import canonical_email

    return canonical_email(value)


def normalise_addresses(*args, **kwargs):
    from wagtail_tenantportal.accounts.addresses import normalise_addresses

    return normalise_addresses(*args, **kwargs)


@pytest.fixture
def tenant_user(tenant):
    return verified_tenant(tenant[1], email=EMAIL)


def logged_in(client):
    return "_auth_user_id" in client.session


# -- the canonical form ------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_variant_has_the_canonical_form_of_the_address(variant):
    assert canonical_email(variant) == EMAIL


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        (None, ""),
        ("Straße@Example.org", "strasse@example.org"),
        ("ﬁlm@example.org", "film@example.org"),  # the ligature fi
        ("a@xn--mnchen-3ya.de", "a@münchen.de"),  # punycode read as the label it stands for
        ("a@xn--not-valid-punycode-.de", "a@xn--not-valid-punycode-.de"),
        ("admin", "admin"),  # a username without @
        ("Mieter@Lindenhof.de@x", "mieter@lindenhof.de@x"),
    ],
)
def test_canonical_form_examples(value, expected):
    assert canonical_email(value) == expected
    assert canonical_email(canonical_email(value)) == canonical_email(value)  # idempotent


def test_different_mailboxes_keep_different_forms():
    assert canonical_email("anna@example.org") != canonical_email("anne@example.org")
    assert canonical_email("i\u0307@example.org") != canonical_email("i@example.org")


# -- login: the lockout holds for every variant ---------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_wrong_passwords_with_a_variant_lock_the_account(client, tenant_user, variant):
    for n in range(5):  # login_account allows 5; a new client address each time (login_ip aside)
        response = client.post(
            LOGIN_URL, {"email": variant, "password": WRONG}, REMOTE_ADDR=f"198.51.100.{n + 1}"
        )
        assert response.status_code == 200 and not logged_in(client)
    response = client.post(LOGIN_URL, {"email": EMAIL, "password": PASSWORD}, REMOTE_ADDR="198.51.100.99")
    assert not logged_in(client)
    assert "Too many attempts" in response.content.decode()


def test_variants_together_share_one_allowance_and_the_lockout_expires(client, tenant_user, frozen_clock):
    for n, variant in enumerate(list(VARIANTS.values())[:5]):
        client.post(LOGIN_URL, {"email": variant, "password": WRONG}, REMOTE_ADDR=f"203.0.113.{n + 1}")
    for variant in [EMAIL, *VARIANTS.values()]:
        client.post(LOGIN_URL, {"email": variant, "password": PASSWORD}, REMOTE_ADDR="203.0.113.50")
        assert not logged_in(client)
    frozen_clock.advance(15 * 60 + 1)
    response = client.post(LOGIN_URL, {"email": EMAIL, "password": PASSWORD}, REMOTE_ADDR="203.0.113.50")
    assert response.status_code == 302 and logged_in(client)


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_a_variant_with_the_right_password_reaches_the_one_account(client, tenant_user, variant):
    response = client.post(LOGIN_URL, {"email": variant, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(tenant_user.pk)


def test_lookup_and_key_agree_for_every_variant(tenant_user):
    adapter = get_adapter()
    for variant in VARIANTS.values():
        assert adapter.find_user_by_email(variant) == tenant_user
        assert flows.normalise_email(variant) == EMAIL


def test_a_user_stored_before_the_canonical_form_is_found_by_the_canonical_address(db):
    legacy = UserFactory(username="Anna.Alt@Example.ORG", email="Anna.Alt@Example.ORG")
    assert get_adapter().find_user_by_email("anna.alt@example.org") == legacy
    assert get_adapter().find_user_by_email("ANNA.ALT@EXAMPLE.ORG") == legacy


def test_the_canonical_user_wins_over_a_legacy_spelling(db):
    UserFactory(username="Bert@Example.org", email="Bert@Example.org")
    canonical = UserFactory(username="bert@example.org", email="bert@example.org")
    assert get_adapter().find_user_by_email("BERT@example.org") == canonical


def test_a_user_whose_stored_form_differs_is_not_reached(db):
    UserFactory(username="carla", email="carla@example.org")
    assert get_adapter().find_user_by_email("carla@example.org.") is None
    assert get_adapter().find_user_by_email("") is None


# -- registration, reset, verification, email change ---------------------------------------------


def test_registering_with_a_variant_of_an_address_in_use_creates_no_account(
    client, tenant, tenant_user, company
):
    from .conftest import make_tenant

    party, contract = make_tenant(company, last_name="Schulz")
    code = issue(party, contract)
    response = client.post(REGISTER_URL, code_form_data(contract, code, "Schulz", VARIANTS["dotless i"]))
    assert response.status_code == 302
    assert get_user_model().objects.count() == 1
    assert PortalAccount.objects.count() == 1
    (notice,) = mails_to(EMAIL)
    assert "already" in notice.subject
    assert RegistrationCode.objects.get(party=party).reserved_for == tenant_user


def test_a_new_account_stores_the_canonical_address(client, tenant):
    party, contract = tenant
    code = issue(party, contract)
    client.post(REGISTER_URL, code_form_data(contract, code, "Müller", VARIANTS["mixed"]))
    user = get_user_model().objects.get()
    assert (user.username, user.email) == (EMAIL, EMAIL)
    (verification,) = mails_to(EMAIL)
    assert verification.to == [EMAIL]


def test_reset_mails_are_limited_per_canonical_address(rf, tenant_user):
    for n, variant in enumerate([VARIANTS["dotless i"], VARIANTS["long s"], VARIANTS["fullwidth"]]):
        request = rf.post("/", REMOTE_ADDR=f"192.0.2.{n + 1}")
        flows.request_password_reset(request, variant)
    with pytest.raises(flows.TooManyAttempts):
        flows.request_password_reset(rf.post("/", REMOTE_ADDR="192.0.2.9"), EMAIL)
    assert len(mails_to(EMAIL)) == 3  # the three variants reached the one account


def test_resend_by_email_is_limited_per_canonical_address(rf, tenant_user):
    for variant in [VARIANTS["upper case"], VARIANTS["Kelvin sign"], VARIANTS["combining mark"]]:
        flows.resend_verification_by_email(rf.post("/", REMOTE_ADDR="192.0.2.20"), variant)
    with pytest.raises(flows.TooManyAttempts):
        flows.resend_verification_by_email(rf.post("/", REMOTE_ADDR="192.0.2.21"), EMAIL)


def test_changing_to_a_variant_of_an_address_in_use_is_refused_by_the_task(client, company, tenant_user):
    from .conftest import make_tenant

    other = verified_tenant(make_tenant(company)[1], email="zweite@example.org")
    client.force_login(other)
    account = other.tenantportal_account
    flows.request_email_change(client.get("/").wsgi_request, account, VARIANTS["long s"])
    other.refresh_from_db()
    assert other.email == "zweite@example.org"
    (notice,) = mails_to(EMAIL)
    assert "already" in notice.subject


def test_the_form_field_hands_the_canonical_form_to_the_flows():
    from wagtail_tenantportal.accounts.forms import EmailForm, LoginForm

    form = EmailForm({"email": VARIANTS["fullwidth"]})
    assert form.is_valid() and form.cleaned_data["email"] == EMAIL
    form = LoginForm({"email": VARIANTS["mixed"], "password": "x"})
    assert form.is_valid() and form.cleaned_data["email"] == EMAIL


def test_the_address_length_is_checked_on_the_canonical_form():
    from wagtail_tenantportal.accounts.forms import EmailForm

    # "ß" becomes "ss": 254 characters typed, 255 canonical
    local = "ß" + "a" * (254 - len("@example.org") - 1)
    address = f"{local}@example.org"
    assert len(address) == 254
    assert not EmailForm({"email": address}).is_valid()


# -- stored addresses: the data migration and the command ---------------------------------------


def portal_user(email, username=None):
    user = UserFactory(username=username or email, email=email)
    PortalAccount.objects.create(user=user)
    return user


def test_portal_addresses_are_normalised_and_collisions_reported(db):
    plain = portal_user("Erika.Mueller@Example.ORG")
    fancy = portal_user("kai@ｅxample.org")
    already = portal_user("ok@example.org")
    first = portal_user("doppelt@example.org")
    second = portal_user("Doppelt@Example.org")
    staff = UserFactory(username="admin", email="Admin@Example.org")  # no portal account: untouched
    user_model = get_user_model()

    report = normalise_addresses(user_model, PortalAccount)

    assert sorted(pk for pk, _old, _new in report.changed) == sorted([plain.pk, fancy.pk])
    assert report.collisions == [(second.pk, "Doppelt@Example.org", "doppelt@example.org", [first.pk])]
    values = dict(user_model.objects.values_list("pk", "email"))
    assert values[plain.pk] == "erika.mueller@example.org"
    assert values[fancy.pk] == "kai@example.org"
    assert values[already.pk] == "ok@example.org"
    assert values[second.pk] == "Doppelt@Example.org"  # left for a person to decide
    assert values[staff.pk] == "Admin@Example.org"
    assert user_model.objects.get(pk=plain.pk).username == "erika.mueller@example.org"
    assert "left unchanged" in report.lines()[1]
    # a second run finds nothing more to do
    assert normalise_addresses(user_model, PortalAccount).changed == []


def test_a_username_that_is_not_the_address_is_kept(db):
    user = portal_user("Lena@Example.org", username="lena-2019")
    normalise_addresses(get_user_model(), PortalAccount)
    user.refresh_from_db()
    assert (user.username, user.email) == ("lena-2019", "lena@example.org")


def test_a_staff_username_colliding_with_a_portal_address_is_reported(db):
    UserFactory(username="hausmeister@example.org", email="")
    tenant = portal_user("Hausmeister@Example.org")
    report = normalise_addresses(get_user_model(), PortalAccount)
    assert [row[0] for row in report.collisions] == [tenant.pk]


def test_the_migration_function_runs_with_the_app_registry(db, capsys):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("wagtail_tenantportal.accounts.migrations.0005_canonical_addresses")
    user = portal_user("Migriert@Example.org")
    migration.normalise(apps, None)
    user.refresh_from_db()
    assert user.email == "migriert@example.org"
    assert "1 portal address(es) stored in the canonical form." in capsys.readouterr().out


def test_the_command_reports_and_dry_run_changes_nothing(db):
    user = portal_user("Dry@Example.org")
    out = io.StringIO()
    call_command("tenantportal_normalise_addresses", "--dry-run", stdout=out)
    user.refresh_from_db()
    assert user.email == "Dry@Example.org"
    assert "1 portal address(es)" in out.getvalue() and "Dry run" in out.getvalue()
    call_command("tenantportal_normalise_addresses", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.email == "dry@example.org"
