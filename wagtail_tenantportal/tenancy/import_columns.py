"""The columns of the master-data files: specs, accepted values and keys, per entity kind.

The file format is documented in ``docs/import.md``. Each column names the model attribute it
sets; references to other rows (``ref``) are keys resolved per batch by the importer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _

from ..core.importing import (
    Invalid,
    choice_parser,
    decimal_parser,
    integer_parser,
    parse_country,
    parse_date,
    parse_email,
    parse_url,
    short,
)
from .models import Company, Contract, ContractParty, Party, Property, RentComponent, Unit
from .validators import iban_is_valid, normalize_iban

#: The entity kinds, in import order: what refers to others comes after those.
ENTITY_ORDER = [
    "companies",
    "properties",
    "units",
    "parties",
    "contracts",
    "contract_parties",
    "rent_components",
]


@dataclass(frozen=True)
class MasterColumn:
    """A column of a master-data file and the model attribute it sets."""

    name: str  # CSV header
    attname: str  # model attribute it sets
    required: bool = False
    convert: Callable | None = None  # None: plain text, checked against the field's max_length
    ref: str | None = None  # the value is the key of a row of this kind (resolved per batch)


def field_max_length(model, attname):
    """The ``max_length`` of a model field (``get_field()`` also knows attnames such as unit_id)."""
    return model._meta.get_field(attname).max_length


def empty_value(model, attname):
    """What an empty cell stores in ``attname``: None, "" for plain text, else the field's default."""
    if attname == "company_id":
        return None
    model_field = model._meta.get_field(attname)
    if model_field.null:
        return None
    if isinstance(model_field, models.CharField) and not model_field.choices:
        return ""
    return model_field.get_default()


def parse_iban(value):
    """An IBAN (spaces dropped, upper case) with a valid check sum."""
    iban = normalize_iban(value)
    if not iban_is_valid(iban):
        raise Invalid(_("“%(value)s” is not a valid IBAN") % {"value": short(value)})
    return iban


def parse_bic(value):
    """A BIC of 8 or 11 letters and digits, upper case."""
    bic = value.replace(" ", "").upper()
    if not (len(bic) in (8, 11) and bic[:6].isalpha() and bic.isalnum() and bic.isascii()):
        raise Invalid(_("“%(value)s” is not a valid BIC") % {"value": short(value)})
    return bic


UNIT_KINDS = {
    "flat": Unit.Kind.FLAT,
    "parking": Unit.Kind.PARKING,
    "commercial": Unit.Kind.COMMERCIAL,
    "Wohnung": Unit.Kind.FLAT,
    "Stellplatz": Unit.Kind.PARKING,
    "Garage": Unit.Kind.PARKING,
    "Gewerbe": Unit.Kind.COMMERCIAL,
    "Gewerbeeinheit": Unit.Kind.COMMERCIAL,
}
PARTY_KINDS = {
    "person": Party.Kind.PERSON,
    "household": Party.Kind.HOUSEHOLD,
    "organisation": Party.Kind.ORGANISATION,
    "organization": Party.Kind.ORGANISATION,
    "Person": Party.Kind.PERSON,
    "Haushalt": Party.Kind.HOUSEHOLD,
    "Organisation": Party.Kind.ORGANISATION,
}
SALUTATIONS = {
    "mr": Party.Salutation.MR,
    "ms": Party.Salutation.MS,
    "diverse": Party.Salutation.DIVERSE,
    "family": Party.Salutation.FAMILY,
    "company": Party.Salutation.COMPANY,
    "Herr": Party.Salutation.MR,
    "Herrn": Party.Salutation.MR,
    "Frau": Party.Salutation.MS,
    "Divers": Party.Salutation.DIVERSE,
    "Familie": Party.Salutation.FAMILY,
    "Firma": Party.Salutation.COMPANY,
}
CONTRACT_KINDS = {
    "rental": Contract.Kind.RENTAL,
    "parking": Contract.Kind.PARKING,
    "membership": Contract.Kind.MEMBERSHIP,
    "savings": Contract.Kind.SAVINGS,
    "Mietvertrag": Contract.Kind.RENTAL,
    "Stellplatz": Contract.Kind.PARKING,
    "Stellplatzvertrag": Contract.Kind.PARKING,
    "Mitgliedschaft": Contract.Kind.MEMBERSHIP,
    "Sparvertrag": Contract.Kind.SAVINGS,
}
CONTRACT_STATUSES = {
    "active": Contract.Status.ACTIVE,
    "terminated": Contract.Status.TERMINATED,
    "ended": Contract.Status.ENDED,
    "aktiv": Contract.Status.ACTIVE,
    "gekündigt": Contract.Status.TERMINATED,
    "beendet": Contract.Status.ENDED,
}
ROLES = {
    "main_tenant": ContractParty.Role.MAIN_TENANT,
    "co_tenant": ContractParty.Role.CO_TENANT,
    "member": ContractParty.Role.MEMBER,
    "Hauptmieter": ContractParty.Role.MAIN_TENANT,
    "Hauptmieterin": ContractParty.Role.MAIN_TENANT,
    "Mitmieter": ContractParty.Role.CO_TENANT,
    "Mitmieterin": ContractParty.Role.CO_TENANT,
    "Mitglied": ContractParty.Role.MEMBER,
}
RENT_KINDS = {
    "base_rent": RentComponent.Kind.BASE_RENT,
    "operating_costs": RentComponent.Kind.OPERATING_COSTS,
    "heating_costs": RentComponent.Kind.HEATING_COSTS,
    "surcharge": RentComponent.Kind.SURCHARGE,
    "parking": RentComponent.Kind.PARKING,
    "membership": RentComponent.Kind.MEMBERSHIP,
    "other": RentComponent.Kind.OTHER,
    "Grundmiete": RentComponent.Kind.BASE_RENT,
    "Betriebskosten": RentComponent.Kind.OPERATING_COSTS,
    "Heizkosten": RentComponent.Kind.HEATING_COSTS,
    "Zuschlag": RentComponent.Kind.SURCHARGE,
    "Stellplatzmiete": RentComponent.Kind.PARKING,
    "Mitgliedsbeitrag": RentComponent.Kind.MEMBERSHIP,
    "Sonstiges": RentComponent.Kind.OTHER,
}
#: An empty rent component kind is guessed from the label (first match wins).
RENT_KIND_HINTS = [
    ("grundmiete", RentComponent.Kind.BASE_RENT),
    ("nettokaltmiete", RentComponent.Kind.BASE_RENT),
    ("heiz", RentComponent.Kind.HEATING_COSTS),
    ("betriebskost", RentComponent.Kind.OPERATING_COSTS),
    ("nebenkost", RentComponent.Kind.OPERATING_COSTS),
    ("stellplatz", RentComponent.Kind.PARKING),
    ("garage", RentComponent.Kind.PARKING),
    ("zuschlag", RentComponent.Kind.SURCHARGE),
    ("mitglied", RentComponent.Kind.MEMBERSHIP),
]

COMPANY = MasterColumn("company", "company_id", required=True, ref="companies")
DATE = parse_date

SPECS = {
    "companies": [
        MasterColumn("erp_id", "erp_id", required=True),
        MasterColumn("name", "name", required=True),
        MasterColumn("legal_form", "legal_form"),
        MasterColumn("street", "street"),
        MasterColumn("postal_code", "postal_code"),
        MasterColumn("city", "city"),
        MasterColumn("phone", "phone"),
        MasterColumn("email", "email", convert=parse_email),
        MasterColumn("website", "website", convert=parse_url),
    ],
    "properties": [
        COMPANY,
        MasterColumn("erp_id", "erp_id", required=True),
        MasterColumn("name", "name"),
        MasterColumn("street", "street", required=True),
        MasterColumn("postal_code", "postal_code", required=True),
        MasterColumn("city", "city", required=True),
        MasterColumn("year_built", "year_built", convert=integer_parser(1000, 2999)),
    ],
    "units": [
        COMPANY,
        MasterColumn("erp_id", "erp_id", required=True),
        MasterColumn("property", "property_id", required=True, ref="properties"),
        MasterColumn("kind", "kind", required=True, convert=choice_parser(UNIT_KINDS)),
        MasterColumn("number", "number", required=True),
        MasterColumn("floor", "floor"),
        MasterColumn("rooms", "rooms", convert=decimal_parser(4, 1)),
        MasterColumn("living_area", "living_area", convert=decimal_parser(8, 2)),
    ],
    "parties": [
        COMPANY,
        MasterColumn("erp_id", "erp_id", required=True),
        MasterColumn("kind", "kind", convert=choice_parser(PARTY_KINDS)),
        MasterColumn("salutation", "salutation", convert=choice_parser(SALUTATIONS)),
        MasterColumn("title", "title"),
        MasterColumn("first_name", "first_name"),
        MasterColumn("last_name", "last_name", required=True),
        MasterColumn("name_addition", "name_addition"),
        MasterColumn("street", "street"),
        MasterColumn("address_addition", "address_addition"),
        MasterColumn("postal_code", "postal_code"),
        MasterColumn("city", "city"),
        MasterColumn("country", "country", convert=parse_country),
        MasterColumn("email", "email", convert=parse_email),
        MasterColumn("phone", "phone"),
        MasterColumn("mobile", "mobile"),
        MasterColumn("phone_work", "phone_work"),
        MasterColumn("birth_date", "birth_date", convert=DATE),
    ],
    "contracts": [
        COMPANY,
        MasterColumn("number", "number", required=True),
        MasterColumn("kind", "kind", required=True, convert=choice_parser(CONTRACT_KINDS)),
        MasterColumn("unit", "unit_id", ref="units"),
        MasterColumn("start_date", "start_date", convert=DATE),
        MasterColumn("end_date", "end_date", convert=DATE),
        MasterColumn("status", "status", convert=choice_parser(CONTRACT_STATUSES)),
        MasterColumn("account_holder", "account_holder"),
        MasterColumn("iban", "iban", convert=parse_iban),
        MasterColumn("bic", "bic", convert=parse_bic),
        MasterColumn("sepa_mandate_reference", "sepa_mandate_reference"),
        # memberships: cooperative shares (Geschäftsanteile)
        MasterColumn("shares", "shares", convert=integer_parser(0, 2_000_000_000)),
        MasterColumn("share_amount", "share_amount", convert=decimal_parser(10, 2)),
    ],
    "contract_parties": [
        COMPANY,
        MasterColumn("contract", "contract_id", required=True, ref="contracts"),
        MasterColumn("party", "party_id", required=True, ref="parties"),
        MasterColumn("role", "role", required=True, convert=choice_parser(ROLES)),
    ],
    "rent_components": [
        COMPANY,
        MasterColumn("contract", "contract_id", required=True, ref="contracts"),
        MasterColumn("label", "label", required=True),
        MasterColumn("kind", "kind", convert=choice_parser(RENT_KINDS)),
        MasterColumn("amount", "amount", required=True, convert=decimal_parser(10, 2, signed=True)),
        MasterColumn("valid_from", "valid_from", required=True, convert=DATE),
        MasterColumn("sort_order", "sort_order", convert=integer_parser(0, 32767)),
    ],
}

MODELS = {
    "companies": Company,
    "properties": Property,
    "units": Unit,
    "parties": Party,
    "contracts": Contract,
    "contract_parties": ContractParty,
    "rent_components": RentComponent,
}
#: Keyed entities: the column that identifies a row within its company.
KEYS = {
    "companies": "erp_id",
    "properties": "erp_id",
    "units": "erp_id",
    "parties": "erp_id",
    "contracts": "number",
}
#: Child entities: the columns that identify a row within its contract.
CHILD_KEYS = {
    "contract_parties": ("contract_id", "party_id"),
    "rent_components": ("contract_id", "label", "valid_from"),
}
#: Values computed for every row even when their column is absent.
COMPUTED = {"parties": ["kind"], "contracts": ["status", "ended_by_import_at"], "rent_components": ["kind"]}
#: After these kinds are done, the key indexes of these others are no longer needed.
RELEASE_AFTER = {"contracts": ["properties", "units"], "contract_parties": ["parties"]}


def unknown_reference(kind, value, company):
    """The message for a reference to a row of ``kind`` that does not exist (``company``: its key)."""
    params = {"value": short(value), "company": company}
    if kind == "companies":
        return _("no company with ERP id “%(value)s”") % params
    if kind == "properties":
        return _("no property with ERP id “%(value)s” in company “%(company)s”") % params
    if kind == "units":
        return _("no unit with ERP id “%(value)s” in company “%(company)s”") % params
    if kind == "parties":
        return _("no party with ERP id “%(value)s” in company “%(company)s”") % params
    return _("no contract with number “%(value)s” in company “%(company)s”") % params
