"""``core.scope``: which companies a staff user works for, every branch.

Users: anonymous, inactive, a tenant, staff of no company, of one company, of two companies,
an active and an inactive superuser; with the tenancy app's provider and without any
provider. Models: companies (``pk``), properties (``company``), ticket types (shared rows
without a company), workflow statuses (not company data) and portal accounts (their own
condition). Written so that a changed comparison, branch or return value fails a test.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from tests.factories import (
    CompanyFactory,
    ContractFactory,
    PropertyFactory,
    UserFactory,
    staff_for,
    tenant_for,
)
from wagtail_tenantportal.accounts.models import PortalAccount
from wagtail_tenantportal.core import scope
from wagtail_tenantportal.tenancy.models import Company, Property
from wagtail_tenantportal.tenancy.scope import CompanyStaffScope
from wagtail_tenantportal.tickets.models import TicketStatus, TicketType

pytestmark = pytest.mark.django_db


@pytest.fixture
def lindenhof():
    return CompanyFactory(name="Lindenhof")


@pytest.fixture
def elsteraue():
    return CompanyFactory(name="Elsteraue")


@pytest.fixture
def third():
    return CompanyFactory(name="Dritte")


@pytest.fixture
def users(lindenhof, elsteraue):
    """Every kind of user the scope distinguishes."""
    inactive_staff = staff_for(lindenhof)
    inactive_staff.is_active = False
    inactive_staff.save()
    tenant, _party = tenant_for(ContractFactory(unit__property__company=lindenhof))
    return {
        "anonymous": AnonymousUser(),
        "none": None,
        "tenant": tenant,
        "no_company": staff_for(),
        "lindenhof": staff_for(lindenhof),
        "both": staff_for(lindenhof, elsteraue),
        "inactive_staff": inactive_staff,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "inactive_superuser": UserFactory(is_superuser=True, is_staff=True, is_active=False),
    }


@pytest.fixture
def no_provider():
    """The core without the tenancy app's provider (restored afterwards)."""
    installed = scope.get_provider()
    scope.register_provider(scope.ScopeProvider())
    yield
    scope.register_provider(installed)


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


# -- who works for what -----------------------------------------------------------------------------


def test_all_is_a_named_marker():
    assert repr(scope.ALL) == "ALL"


def test_the_tenancy_app_installs_its_provider():
    assert isinstance(scope.get_provider(), CompanyStaffScope)


def test_sees_all_only_for_an_active_superuser(users):
    expected = {"superuser"}
    assert {name for name, user in users.items() if scope.sees_all(user)} == expected


@pytest.mark.parametrize("name", ["anonymous", "none", "inactive_staff", "inactive_superuser"])
def test_company_ids_are_none_for_users_who_act_for_nobody(users, name):
    assert scope.company_ids(users[name]) is None


def test_company_ids_of_an_active_superuser_are_all(users, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert scope.company_ids(users["superuser"]) is scope.ALL


def test_company_ids_of_staff_are_their_companies(users, lindenhof, elsteraue):
    assert ids(Company.objects.filter(pk__in=scope.company_ids(users["lindenhof"]))) == {lindenhof.pk}
    assert ids(Company.objects.filter(pk__in=scope.company_ids(users["both"]))) == {
        lindenhof.pk,
        elsteraue.pk,
    }
    assert ids(Company.objects.filter(pk__in=scope.company_ids(users["no_company"]))) == set()
    assert ids(Company.objects.filter(pk__in=scope.company_ids(users["tenant"]))) == set()


def test_company_ids_are_a_subquery_not_a_query_of_their_own(users, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(Property.objects.for_staff(users["both"]))


def test_without_a_provider_only_superusers_see_company_data(users, lindenhof, no_provider):
    PropertyFactory(company=lindenhof)
    assert scope.company_ids(users["lindenhof"]) is None
    assert not Property.objects.for_staff(users["lindenhof"]).exists()
    assert Property.objects.for_staff(users["superuser"]).exists()
    assert scope.member_condition([lindenhof.pk]) == Q(is_superuser=True, is_active=True) | Q(pk__in=[])
    with pytest.raises(ImproperlyConfigured):
        scope.companies(users["lindenhof"])


def test_the_default_provider_answers_nothing(users):
    provider = scope.ScopeProvider()
    assert provider.company_ids(users["lindenhof"]) is None
    assert provider.member_condition([1]) == Q(pk__in=[])
    message = "No staff scope provider is installed (add wagtail_tenantportal.tenancy)."
    with pytest.raises(ImproperlyConfigured) as raised:
        provider.company_queryset()
    assert str(raised.value) == message


def test_an_object_that_is_not_a_logged_in_user_acts_for_nobody():
    from types import SimpleNamespace

    # No is_authenticated at all: not a user of the auth framework.
    stranger = SimpleNamespace(is_active=True, is_superuser=True)
    assert scope.sees_all(stranger) is False
    assert scope.company_ids(stranger) is None
    logged_in = SimpleNamespace(is_authenticated=True, is_active=True, is_superuser=True)
    assert scope.sees_all(logged_in) is True and scope.company_ids(logged_in) is scope.ALL


# -- conditions ---------------------------------------------------------------------------------------


@pytest.fixture
def properties(lindenhof, elsteraue, third):
    return {company.name: PropertyFactory(company=company) for company in (lindenhof, elsteraue, third)}


def test_condition_per_user(users, properties):
    def seen(name):
        return {p.company.name for p in Property.objects.filter(scope.condition(users[name], "company"))}

    assert seen("lindenhof") == {"Lindenhof"}
    assert seen("both") == {"Lindenhof", "Elsteraue"}
    assert seen("superuser") == {"Lindenhof", "Elsteraue", "Dritte"}
    for name in ("no_company", "tenant", "anonymous", "none", "inactive_staff", "inactive_superuser"):
        assert seen(name) == set(), name


def test_condition_of_a_superuser_is_empty(users):
    assert scope.condition(users["superuser"], "company") == Q()
    assert scope.condition(users["superuser"], "company", shared=True) == Q()


def test_shared_rows_are_read_by_every_active_user_and_changed_by_superusers_only(
    users, lindenhof, elsteraue
):
    shared = TicketType.objects.create(code="shared", name="Für alle")
    own = TicketType.objects.create(code="own", name="Lindenhof", company=lindenhof)
    foreign = TicketType.objects.create(code="foreign", name="Elsteraue", company=elsteraue)
    seeded = set(
        TicketType.objects.filter(company__isnull=True).exclude(pk=shared.pk).values_list("pk", flat=True)
    )

    def read(name):
        return ids(TicketType.objects.for_staff(users[name])) - seeded

    def write(name):
        return ids(TicketType.objects.for_staff(users[name], write=True)) - seeded

    assert read("lindenhof") == {shared.pk, own.pk}
    assert write("lindenhof") == {own.pk}
    assert read("no_company") == {shared.pk}
    assert write("no_company") == set()
    assert read("both") == {shared.pk, own.pk, foreign.pk}
    assert write("both") == {own.pk, foreign.pk}
    assert read("superuser") == write("superuser") == {shared.pk, own.pk, foreign.pk}
    for name in ("anonymous", "inactive_staff", "inactive_superuser"):
        assert read(name) == write(name) == set(), name
    assert ids(TicketType.objects.filter(scope.condition(users["none"], "company", shared=True))) == set()


def test_rows_of_no_company_are_not_shared_unless_the_model_says_so(users, lindenhof):
    from wagtail_tenantportal.tenancy.models import ImportRun

    of_nobody = ImportRun.objects.create()  # e.g. a command's run across companies
    own = ImportRun.objects.create(company=lindenhof)
    assert ids(ImportRun.objects.for_staff(users["lindenhof"])) == {own.pk}
    assert ids(ImportRun.objects.for_staff(users["lindenhof"], write=True)) == {own.pk}
    assert ids(ImportRun.objects.for_staff(users["no_company"])) == set()
    assert ids(ImportRun.objects.for_staff(users["superuser"])) == {of_nobody.pk, own.pk}


def test_defaults_select_no_shared_rows_for_reading_and_the_shared_ones_for_a_queryset(users, lindenhof):
    from wagtail_tenantportal.tenancy.models import ImportRun

    ImportRun.objects.create()
    own = ImportRun.objects.create(company=lindenhof)
    # condition(): shared rows only when asked for.
    assert ids(ImportRun.objects.filter(scope.condition(users["lindenhof"], "company"))) == {own.pk}
    # A queryset's staff_condition(): reading by default, which includes shared rows.
    shared = TicketType.objects.create(code="shared-3", name="Für alle")
    readable = TicketType.objects.filter(TicketType.objects.all().staff_condition(users["lindenhof"]))
    assert shared in readable


def test_companies_themselves_are_scoped_by_their_key(users, lindenhof, elsteraue, third):
    assert ids(Company.objects.for_staff(users["lindenhof"])) == {lindenhof.pk}
    assert ids(Company.objects.for_staff(users["both"])) == {lindenhof.pk, elsteraue.pk}
    assert ids(Company.objects.for_staff(users["superuser"])) == {lindenhof.pk, elsteraue.pk, third.pk}


def test_data_of_no_company_is_seen_by_every_active_user_only(users):
    everything = ids(TicketStatus.objects.all())
    assert everything
    for name in ("lindenhof", "no_company", "tenant", "superuser"):
        assert ids(TicketStatus.objects.for_staff(users[name])) == everything, name
        assert ids(TicketStatus.objects.for_staff(users[name], write=True)) == everything, name
    for name in ("anonymous", "none", "inactive_staff", "inactive_superuser"):
        assert ids(TicketStatus.objects.for_staff(users[name])) == set(), name


def test_portal_accounts_belong_to_the_companies_of_their_parties(users, lindenhof, elsteraue):
    tenant = users["tenant"]
    account = tenant.tenantportal_account
    assert ids(PortalAccount.objects.for_staff(users["lindenhof"])) >= {account.pk}
    assert account.pk not in ids(PortalAccount.objects.for_staff(staff_for(elsteraue)))
    assert account.pk in ids(PortalAccount.objects.for_staff(users["superuser"]))
    assert ids(PortalAccount.objects.for_staff(users["no_company"])) == set()
    assert PortalAccount.objects.for_staff(users["superuser"]).query.where.children == []


# -- single answers --------------------------------------------------------------------------------


def test_allows(users, lindenhof, elsteraue, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert scope.allows(users["superuser"], elsteraue.pk) is True
        assert scope.allows(users["superuser"], None) is True
        assert scope.allows(users["anonymous"], lindenhof.pk) is False
        assert scope.allows(users["inactive_superuser"], lindenhof.pk) is False
        assert scope.allows(users["lindenhof"], None) is False
    with django_assert_num_queries(1):
        assert scope.allows(users["lindenhof"], lindenhof.pk) is True
    assert scope.allows(users["lindenhof"], elsteraue.pk) is False
    assert scope.allows(users["both"], elsteraue.pk) is True
    assert scope.allows(users["no_company"], lindenhof.pk) is False


def test_companies(users, lindenhof, elsteraue, third):
    assert ids(scope.companies(users["lindenhof"])) == {lindenhof.pk}
    assert ids(scope.companies(users["both"])) == {lindenhof.pk, elsteraue.pk}
    assert ids(scope.companies(users["superuser"])) == {lindenhof.pk, elsteraue.pk, third.pk}
    assert ids(scope.companies(users["no_company"])) == set()
    assert ids(scope.companies(users["anonymous"])) == set()


def test_members_and_colleagues(users, lindenhof, elsteraue):
    from django.contrib.auth import get_user_model

    every_user = get_user_model().objects.all()

    def names(condition):
        matched = every_user.filter(condition)
        return {name for name, user in users.items() if user is not None and user.pk and user in matched}

    assert names(scope.member_condition([lindenhof.pk])) == {
        "lindenhof",
        "both",
        "inactive_staff",
        "superuser",
    }
    assert names(scope.member_condition([elsteraue.pk])) == {"both", "superuser"}
    assert names(scope.member_condition(None)) == {"superuser"}
    assert scope.member_condition(scope.ALL) == Q()
    assert names(scope.colleague_condition(users["lindenhof"])) == {
        "lindenhof",
        "both",
        "inactive_staff",
        "superuser",
    }
    assert names(scope.colleague_condition(users["no_company"])) == {"superuser"}
    assert names(scope.colleague_condition(users["superuser"])) == set(users) - {
        "anonymous",
        "none",
    }
    # The members' subquery is one condition, however many groups a user is in.
    extra = Group.objects.create(name="Zweites Team")
    extra.tenantportal_companies.add(lindenhof)
    users["lindenhof"].groups.add(extra)
    assert (
        every_user.filter(scope.member_condition([lindenhof.pk])).filter(pk=users["lindenhof"].pk).count()
        == 1
    )


def test_restrict_and_is_scoped(users, lindenhof, elsteraue):
    PropertyFactory(company=lindenhof)
    PropertyFactory(company=elsteraue)
    assert scope.is_scoped(Property.objects.all()) is True
    assert scope.is_scoped(Group.objects.all()) is False
    restricted = scope.restrict(Property.objects.all(), users["lindenhof"])
    assert {p.company_id for p in restricted} == {lindenhof.pk}
    shared = TicketType.objects.create(code="shared-2", name="Für alle")
    assert shared in scope.restrict(TicketType.objects.all(), users["lindenhof"])
    assert shared not in scope.restrict(TicketType.objects.all(), users["lindenhof"], write=True)
    with pytest.raises(ImproperlyConfigured) as raised:
        scope.restrict(Group.objects.all(), users["lindenhof"])
    assert str(raised.value) == (
        "Group has no staff scope: give it a queryset based on "
        "wagtail_tenantportal.core.scope.StaffScopedQuerySet."
    )


def test_querysets_declare_their_scope():
    assert Property.objects.all().staff_scope == "company"
    assert Company.objects.all().staff_scope == "pk"
    assert TicketStatus.objects.all().staff_scope is scope.NOT_COMPANY_DATA is None
    assert TicketType.objects.all().staff_scope_shared is True
    assert Property.objects.all().staff_scope_shared is False
