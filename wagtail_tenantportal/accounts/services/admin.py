"""What the staff admin of the accounts app (``admin_views``, ``admin_claims``,
``admin_accounts``) and its management commands read: the objects its actions work on,
choices of forms, the party search of the claim match. Staff actions themselves are in
``staff`` and ``registration_codes``. A lookup that finds nothing returns None; the views
answer 404.

Every read for a staff user takes that user and stays within the companies they work for
(``for_staff``, see ``core.scope``): another company's object is indistinguishable from a
missing one.
"""

from django.db.models import Prefetch, Q

from ...tenancy.models import Company, Contract, ContractParty, Party, Property
from ..models import (
    AccountParty,
    CodeRequest,
    CompanyLetterSettings,
    PortalAccount,
    RegistrationClaim,
    RegistrationCode,
)

# -- registration codes, code requests, letter texts ---------------------------------------------


def get_company(slug):
    """The company with ``slug``, or None (e.g. for the letters command)."""
    return Company.objects.filter(slug=slug).first()


def get_property(company, erp_id):
    """The property of ``company`` with the ERP id ``erp_id``, or None."""
    return Property.objects.filter(company=company, erp_id=erp_id).first()


def letter_run_companies(user):
    """The companies ``user`` may choose for a print run of registration letters."""
    return Company.objects.for_staff(user)


def letter_run_properties(user):
    """The properties ``user`` may choose for a print run, with their company."""
    return Property.objects.for_staff(user).select_related("company")


def parties_by_erp_id(erp_ids, company=None, user=None):
    """The parties with one of ``erp_ids`` (of ``company`` if given; of ``user``'s companies
    if given), as a list with only ``pk``, ``erp_id`` and ``company_id`` loaded. An ERP id
    may occur in several companies."""
    found = Party.objects.filter(erp_id__in=erp_ids)
    if company:
        found = found.filter(company=company)
    if user is not None:
        found = found.for_staff(user)
    return list(found.only("pk", "erp_id", "company_id"))


def get_registration_code(pk, user):
    """The registration code ``pk`` of ``user``'s companies with party, contract and company, or None."""
    return RegistrationCode.objects.for_staff(user).for_listing().filter(pk=pk).first()


def get_open_code_request(pk, user):
    """The code request ``pk`` of ``user``'s companies if it is not handled yet, with party,
    contract and company, or None."""
    return CodeRequest.objects.for_staff(user).open().for_listing().filter(pk=pk).first()


def get_letter_settings(pk, user):
    """The letter settings ``pk`` of ``user``'s companies with the company and its logo (for a
    sample letter), or None."""
    return (
        CompanyLetterSettings.objects.for_staff(user)
        .select_related("company", "company__logo")
        .filter(pk=pk)
        .first()
    )


# -- "verify later" registrations -------------------------------------------------------------------


def get_claim(pk, user):
    """The registration claim ``pk`` of ``user``'s companies with account, user, company, party,
    code and who decided, or None."""
    return (
        RegistrationClaim.objects.for_staff(user)
        .select_related("account__user", "company", "party", "code", "decided_by")
        .filter(pk=pk)
        .first()
    )


def company_party(company, pk):
    """The party ``pk`` if it belongs to ``company``, else None (also for an empty ``pk``)."""
    return Party.objects.filter(company=company, pk=pk or None).first()


def current_contracts_of(party):
    """The current contracts ``party`` is named on."""
    return Contract.objects.current().filter(contract_parties__party=party)


def party_has_account(party):
    """True if a portal account acts for ``party`` already (an active link)."""
    return AccountParty.objects.filter(party=party, active=True).exists()


def search_parties(company, query, limit=30):
    """Parties of ``company`` matching every word of ``query`` in a name, address, ERP id or
    contract number (case-insensitive), with their current contracts and whether one of
    them already has an active portal account. At most ``limit`` (by name)."""
    parties = Party.objects.filter(company=company)
    for term in query.split()[:6]:
        matching_contracts = ContractParty.objects.filter(contract__number__icontains=term).values("party_id")
        parties = parties.filter(
            Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
            | Q(street__icontains=term)
            | Q(postal_code__icontains=term)
            | Q(city__icontains=term)
            | Q(erp_id__iexact=term)
            | Q(pk__in=matching_contracts)
        )
    current = Contract.objects.current().select_related("unit")
    return list(
        parties.order_by("last_name", "first_name", "pk").prefetch_related(
            Prefetch(
                "contract_parties",
                queryset=ContractParty.objects.filter(contract__in=current).select_related("contract__unit"),
                to_attr="current_links",
            ),
            Prefetch(
                "account_links",
                queryset=AccountParty.objects.filter(active=True).select_related("account__user"),
                to_attr="active_account_links",
            ),
        )[:limit]
    )


# -- portal accounts ------------------------------------------------------------------------------


def get_portal_account(pk, user):
    """The portal account ``pk`` of a tenant of ``user``'s companies, with its user, or None."""
    return PortalAccount.objects.for_staff(user).select_related("user").filter(pk=pk).first()


def get_party_link(pk, user):
    """The link ``pk`` of an account to a party of ``user``'s companies, with account, user,
    party and company, or None."""
    return (
        AccountParty.objects.for_staff(user)
        .select_related("account__user", "party__company")
        .filter(pk=pk)
        .first()
    )


def active_links_prefetch(user):
    """Prefetch of the active party links of accounts (``account.active_links``) to parties
    of ``user``'s companies, with the party and its company, by the party's last name."""
    return Prefetch(
        "party_links",
        queryset=AccountParty.objects.for_staff(user)
        .filter(active=True)
        .select_related("party__company")
        .order_by("party__last_name", "pk"),
        to_attr="active_links",
    )


def account_details(account, user):
    """What the staff's account page lists: ``links`` (the party links to ``user``'s
    companies, active first), ``consents`` (all, withdrawn ones too) and ``claims`` (at
    ``user``'s companies, newest first). Links and claims of other companies are left out."""
    return {
        "links": account.party_links.for_staff(user)
        .select_related("party__company")
        .order_by("-active", "party__last_name"),
        "consents": account.consents.order_by("kind", "-given_at"),
        "claims": account.claims.for_staff(user).select_related("company", "party").order_by("-created_at"),
    }
