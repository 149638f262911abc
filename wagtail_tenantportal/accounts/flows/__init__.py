"""Registration, email verification, login, password reset and activation: the business
logic the HTML views (and later the API) call. Views stay thin.

What callers may rely on:

- Bad input raises a ``FlowError`` subclass whose ``message`` is translated and safe to
  show. Messages never tell whether an email address is known or which of several secrets
  was wrong; ``TooManyAttempts`` says an attempt limit locked the action for a while.
- Nothing is saved unless the whole step is valid (each step runs in one transaction).
- Mails are rendered in the request and sent by a task after the transaction commits
  (``wagtail_tenantportal.core.mail``); a mail that cannot be sent is logged by the task and does
  not undo the step (the tenant can ask for it again). With a worker task backend the
  response never waits for the mail server.
- Registration and reset return the same result whether or not the email address belongs
  to an account: when it does, the owner of the address gets a notice instead.

Registration codes (checking and redeeming) belong to ``services``; the flows call them.

The flows by concern (import them from here, ``accounts.flows``):

- ``common``: audit-log actions, errors, attempt limits, mails;
- ``registration``: code first, "verify later", a further contract by letter code;
- ``activation``: staff match or reject a "verify later" claim; the tenant activates;
- ``verification``: email verification and change of address, the pending registration;
- ``login``: password login, password confirmation, reset and change;
- ``profile``: consents and contact data.
"""

from .activation import activate_with_code, match_claim, reject_claim
from .common import (
    ACTION_ACTIVATED,
    ACTION_CLAIM_MATCHED,
    ACTION_CLAIM_REJECTED,
    ACTION_EMAIL_CONFIRMED,
    ACTION_REGISTERED,
    ActivationInvalid,
    EmailUnavailable,
    FlowError,
    LoginFailed,
    RegistrationInvalid,
    TooManyAttempts,
    VerificationInvalid,
    VerificationLinkInvalid,
    client_ip,
    normalise_email,
)
from .login import (
    authenticate_login,
    check_password_attempt,
    password_was_changed,
    password_was_reset,
    request_password_reset,
    request_password_reset_code,
    reset_password_with_code,
)
from .profile import (
    consent_versions,
    erp_phone_defaults,
    record_consents,
    save_contact_data,
    set_e_delivery,
)
from .registration import Registration, add_party_with_code, register_for_matching, register_with_code
from .verification import (
    PENDING_VERIFICATION_SESSION_KEY,
    check_link_token,
    clear_pending_verification,
    confirm_email_link,
    make_link_token,
    pending_verification,
    remember_pending_verification,
    request_email_change,
    resend_verification,
    resend_verification_by_email,
    send_verification_mail,
    start_email_verification,
    verify_email_code,
)

__all__ = [
    "ACTION_ACTIVATED",
    "ACTION_CLAIM_MATCHED",
    "ACTION_CLAIM_REJECTED",
    "ACTION_EMAIL_CONFIRMED",
    "ACTION_REGISTERED",
    "PENDING_VERIFICATION_SESSION_KEY",
    "ActivationInvalid",
    "EmailUnavailable",
    "FlowError",
    "LoginFailed",
    "Registration",
    "RegistrationInvalid",
    "TooManyAttempts",
    "VerificationInvalid",
    "VerificationLinkInvalid",
    "activate_with_code",
    "add_party_with_code",
    "authenticate_login",
    "check_link_token",
    "check_password_attempt",
    "clear_pending_verification",
    "client_ip",
    "confirm_email_link",
    "consent_versions",
    "make_link_token",
    "match_claim",
    "normalise_email",
    "password_was_changed",
    "password_was_reset",
    "pending_verification",
    "record_consents",
    "register_for_matching",
    "register_with_code",
    "reject_claim",
    "remember_pending_verification",
    "request_email_change",
    "request_password_reset",
    "request_password_reset_code",
    "resend_verification",
    "reset_password_with_code",
    "resend_verification_by_email",
    "save_contact_data",
    "erp_phone_defaults",
    "send_verification_mail",
    "set_e_delivery",
    "start_email_verification",
    "verify_email_code",
]
