"""Services of the accounts app: the one road for views, blocks, pages, the admin, commands
and the API. Import them from here (``accounts.services``); by concern:

- ``registration_codes``: issuing, revoking, printing, checking and redeeming registration
  codes and letters; tenants' requests for a code (see its docstring for what callers may
  rely on);
- ``portal``: what the tenant-facing pages, blocks and views read (companies open for
  registration, the tenant's claims, consents, parties and contracts, the page tree);
- ``admin``: what the staff admin reads (the objects of its actions, form choices, the
  party search of the claim match).

Registration, verification, login and activation are in ``flows``; staff actions on
accounts in ``staff``; two-factor in ``twofactor.services``.
"""

from .admin import (
    account_details,
    active_links_prefetch,
    company_party,
    current_contracts_of,
    get_claim,
    get_letter_settings,
    get_open_code_request,
    get_party_link,
    get_portal_account,
    get_registration_code,
    letter_run_companies,
    letter_run_properties,
    parties_by_erp_id,
    party_has_account,
    search_parties,
)
from .portal import (
    account_claims,
    account_contracts,
    code_first_companies,
    company_by_slug,
    current_consents,
    gives_e_delivery,
    offers_code_registration,
    open_claims,
    registration_companies,
    site_has_page_of_type,
    tenant_parties,
)
from .registration_codes import (
    ACTION_ISSUED,
    ACTION_REDEEMED,
    ACTION_REQUEST_HANDLED,
    ACTION_REQUESTED,
    ACTION_REVOKED,
    IssuedCode,
    LetterBatch,
    RegistrationCodeInvalid,
    TooManyAttempts,
    check_registration_code,
    code_validity_days,
    handle_code_request,
    issue_code,
    issue_letters,
    letter_settings_for,
    mark_request_handled,
    normalise_contract_number,
    normalise_name,
    redeem,
    registration_url,
    reprint,
    request_code,
    revoke_code,
    select_parties,
)

__all__ = [
    "ACTION_ISSUED",
    "ACTION_REDEEMED",
    "ACTION_REQUESTED",
    "ACTION_REQUEST_HANDLED",
    "ACTION_REVOKED",
    "IssuedCode",
    "LetterBatch",
    "RegistrationCodeInvalid",
    "TooManyAttempts",
    "account_claims",
    "account_contracts",
    "account_details",
    "active_links_prefetch",
    "check_registration_code",
    "code_first_companies",
    "code_validity_days",
    "company_by_slug",
    "company_party",
    "current_consents",
    "current_contracts_of",
    "get_claim",
    "get_letter_settings",
    "get_open_code_request",
    "get_party_link",
    "get_portal_account",
    "get_registration_code",
    "gives_e_delivery",
    "handle_code_request",
    "issue_code",
    "issue_letters",
    "letter_run_companies",
    "letter_run_properties",
    "letter_settings_for",
    "mark_request_handled",
    "normalise_contract_number",
    "normalise_name",
    "offers_code_registration",
    "open_claims",
    "parties_by_erp_id",
    "party_has_account",
    "redeem",
    "registration_companies",
    "registration_url",
    "reprint",
    "request_code",
    "revoke_code",
    "search_parties",
    "select_parties",
    "site_has_page_of_type",
    "tenant_parties",
]
