"""Builders for test data, named after what they give."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from wagtail_tenantportal.accounts.models import AccountParty, PortalAccount
from wagtail_tenantportal.tenancy import models as m


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Company

    name = factory.Sequence(lambda n: f"Wohnungsgenossenschaft {n}")
    slug = factory.Sequence(lambda n: f"wg-{n}")
    legal_form = "eG"
    street = "Hauptstraße 1"
    postal_code = "04109"
    city = "Leipzig"
    erp_id = factory.Sequence(lambda n: f"M{n:03d}")


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Property

    company = factory.SubFactory(CompanyFactory)
    erp_id = factory.Sequence(lambda n: f"WE{n:04d}")
    street = factory.Sequence(lambda n: f"Lindenstraße {n}")
    postal_code = "04109"
    city = "Leipzig"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Unit

    property = factory.SubFactory(PropertyFactory)
    company = factory.SelfAttribute("property.company")
    erp_id = factory.Sequence(lambda n: f"E{n:05d}")
    number = factory.Sequence(lambda n: f"{n:03d}")
    kind = m.Unit.Kind.FLAT
    rooms = Decimal("3.0")
    living_area = Decimal("64.50")


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Party

    company = factory.SubFactory(CompanyFactory)
    erp_id = factory.Sequence(lambda n: f"P{n:05d}")
    salutation = m.Party.Salutation.MS
    first_name = "Erika"
    last_name = factory.Sequence(lambda n: f"Mustermann{n}")
    street = "Lindenstraße 1"
    postal_code = "04109"
    city = "Leipzig"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Contract

    unit = factory.SubFactory(UnitFactory)
    company = factory.SelfAttribute("unit.company")
    number = factory.Sequence(lambda n: f"100{n:05d}")
    kind = m.Contract.Kind.RENTAL
    start_date = datetime.date(2020, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def staff_for(*companies, perms=("access_admin",), user=None, group_name=None, **user_fields):
    """An admin user (not a superuser) who works for ``companies`` through a new group (the
    group is a staff group of each company, ``core.scope``) holding the permissions ``perms``
    (``Permission`` objects, codenames, or "app_label.codename" where a codename is ambiguous)."""
    from django.contrib.auth.models import Group, Permission

    user = user or UserFactory(is_staff=True, **user_fields)
    group = Group.objects.create(name=group_name or f"Staff {user.username}")
    for perm in perms:
        if isinstance(perm, Permission):
            group.permissions.add(perm)
            continue
        app_label, _, codename = perm.rpartition(".")
        lookup = {"codename": codename, **({"content_type__app_label": app_label} if app_label else {})}
        group.permissions.add(Permission.objects.get(**lookup))
    for company in companies:
        # (Before the staff scope, a release had no ``staff_groups``: staff saw every company.)
        staff_groups = getattr(company, "staff_groups", None)
        if staff_groups is not None:
            staff_groups.add(group)
    user.groups.add(group)
    return user


def tenant_for(contract, role=m.ContractParty.Role.MAIN_TENANT, user=None):
    """A user with a portal account linked to a new party on ``contract``.

    The account has a confirmed email address and checked contact data, so a client with
    ``force_login(user)`` is a full portal session (``session.portal_state`` "ok") unless the
    company requires two-factor.
    """
    party = PartyFactory(company=contract.company)
    m.ContractParty.objects.create(contract=contract, party=party, role=role)
    user = user or UserFactory()
    now = timezone.now()
    account, _ = PortalAccount.objects.get_or_create(
        user=user, defaults={"email_verified_at": now, "contact_checked_at": now}
    )
    AccountParty.objects.create(account=account, party=party)
    return user, party


class NoticeFactory(factory.django.DjangoModelFactory):
    """A current notice of a company for all its properties (pass ``properties=[...]`` to target)."""

    class Meta:
        model = "tenantportal_notices.Notice"
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Aushang {n}")
    body = "<p>Liebe Mieterinnen und Mieter,</p>"
    category = "information"
    visible_from = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))

    @factory.post_generation
    def properties(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.properties.set(extracted)


# --- savings -----------------------------------------------------------------------------------


class SavingsAccountFactory(factory.django.DjangoModelFactory):
    """A savings account without holders (add them with ``account.holders.add(party)``)."""

    class Meta:
        model = "tenantportal_savings.SavingsAccount"

    company = factory.SubFactory(CompanyFactory, has_savings_scheme=True)
    erp_id = factory.Sequence(lambda n: f"SK{n:05d}")
    number = factory.Sequence(lambda n: f"4711{n:04d}")
    product_name = "Spareinlage mit dreimonatiger Kündigungsfrist"
    interest_rate = Decimal("0.500")
    opened_on = datetime.date(2020, 1, 15)


class SavingsTransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tenantportal_savings.SavingsTransaction"

    account = factory.SubFactory(SavingsAccountFactory)
    erp_id = factory.Sequence(lambda n: f"U{n:07d}")
    booking_date = datetime.date(2025, 3, 1)
    value_date = factory.SelfAttribute("booking_date")
    amount = Decimal("100.00")
    balance_after = Decimal("100.00")
    kind = "deposit"
    text = "Einzahlung"


class ExemptionOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tenantportal_savings.ExemptionOrder"

    party = factory.SubFactory(PartyFactory)
    company = factory.SelfAttribute("party.company")
    erp_id = factory.Sequence(lambda n: f"FSA{n:05d}")
    amount = Decimal("1000.00")
    valid_from = datetime.date(2023, 1, 1)
