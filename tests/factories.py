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


def tenant_for(contract, role=m.ContractParty.Role.MAIN_TENANT, user=None):
    """A user with a portal account linked to a new party on ``contract``.

    The account has a confirmed email address and checked contact data, so a client with
    ``force_login(user)`` is a full portal session (``auth.portal_state`` "ok") unless the
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
