"""The settings object.

Everything the package reads from the host's settings goes through ``portal_settings``:
one dict setting, ``WAGTAIL_TENANTPORTAL``, merged over ``DEFAULTS``. Values are read lazily
on every access (so ``override_settings`` in tests works) and ``django.conf.settings`` is
never written.

Per-company options (registration flow, two-factor policy, letterhead, ...) live on the
``Company`` model, not here.
"""

import copy

from django.conf import settings as django_settings
from django.core.signals import setting_changed

SETTING_NAME = "WAGTAIL_TENANTPORTAL"

#: Defaults, documented in docs/settings.md. Keep both in step.
DEFAULTS = {
    # Template the portal's own layouts/base.html extends. The host's base template must
    # define the blocks ``title`` and ``content`` (and may define ``extra_css``/``extra_js``).
    "BASE_TEMPLATE": "wagtail_tenantportal/layouts/standalone.html",
    # Include the portal stylesheet (switch off to style everything in the host's CSS).
    "INCLUDE_CSS": True,
    # Theme (theming.py, docs/theming.md): values of portal.css's --tp-* custom properties,
    # {"--tp-color-primary": "#1f6f43", ...}, served as theme.css. THEME applies to every
    # site; SITE_THEMES maps a Wagtail site's hostname or site name to values laid over it.
    "THEME": {},
    "SITE_THEMES": {},
    # Shown in page titles, emails and letters when no company is in context.
    "PORTAL_NAME": "Mieterportal",
    # Dotted path of the policy class a site may override (see wagtail_tenantportal/adapter.py).
    "ADAPTER": "wagtail_tenantportal.adapter.DefaultPortalAdapter",
    # Label of the Wagtail admin menu group and its position.
    "ADMIN_MENU_LABEL": None,  # None: translated "Tenant portal" ("Mieterportal")
    "ADMIN_MENU_ORDER": 250,
    # ERP master-data import.
    "IMPORT_ENCODINGS": ["utf-8", "cp1252"],
    "IMPORT_BATCH_SIZE": 2000,
    "IMPORT_MAX_UPLOAD_MB": 100,
    "IMPORT_KEEP_RUNS": 200,
    # Registration codes and letters (accounts). Days a new code stays valid; a company's
    # letter settings may override it.
    "REGISTRATION_CODE_DAYS": 90,
    # Scheme and host of links that leave the page (mails, letters, QR codes) for companies
    # without a website or web address of their own (core/links.py); None: WAGTAILADMIN_BASE_URL.
    # REGISTRATION_PATH: the registration page on a company's site (None: the portal's URL
    # named "register", else "/portal/register/").
    "PORTAL_BASE_URL": None,
    "REGISTRATION_PATH": None,
    # Add ?contract=<number> to the printed registration address (one QR code per letter: slower).
    "REGISTRATION_URL_WITH_CONTRACT": False,
    # Language of registration letters.
    "LETTER_LANGUAGE": "de",
    # TrueType fonts for letters, {"regular": path, "bold": path, "mono": path}; None: the PDF
    # standard fonts (Windows-1252 only; other characters are transliterated).
    "LETTER_FONTS": None,
    # Private files (storage.py, downloads.py): the STORAGES alias for tenant files, the fallback
    # filesystem root when that alias is not configured (never inside MEDIA_ROOT), and how
    # downloads leave: "stream", "x-accel-redirect", "x-sendfile" or "redirect" (presigned S3 URL).
    "PRIVATE_STORAGE_ALIAS": "tenantportal_private",
    "PRIVATE_STORAGE_ROOT": None,
    "PRIVATE_SERVE_MODE": "stream",
    "PRIVATE_SERVE_PREFIX": "/protected/",
    "PRIVATE_URL_EXPIRY": 30,
    # Documents (documents/, see docs/documents.md). Largest document (MB) staff may upload or a
    # bulk ZIP may contain; largest ZIP upload (MB) and most files in one ZIP.
    "DOCUMENTS_MAX_FILE_MB": 50,
    "DOCUMENTS_BULK_MAX_UPLOAD_MB": 2048,
    "DOCUMENTS_BULK_MAX_FILES": 50000,
    # File names in a bulk ZIP: a regular expression (case-insensitive, matched against the
    # name without folders) whose named group "contract" is the contract number.
    "DOCUMENTS_BULK_FILENAME_PATTERN": r"^(?P<contract>[^_\s]+)(?:[_\s].*)?\.pdf$",
    # Days the documents of an ended contract stay in the portal after its end (None: always).
    "DOCUMENTS_RETENTION_DAYS": 730,
    # Documents per PDF batch for paper post (tenants without e-delivery consent).
    "DOCUMENTS_PRINT_BATCH_SIZE": 500,
    # Address of the form for requesting other documents (None: the tickets app's document
    # request form when installed, else no link).
    "DOCUMENTS_REQUEST_URL": None,
    # Savings (savings/, see docs/savings.md): bookings per page of an account's transactions.
    "SAVINGS_TRANSACTIONS_PER_PAGE": 50,
    # Legal allowance for exemption orders (Sparer-Pauschbetrag, § 20 (9) EStG) in EUR: one
    # person, and spouses or partners assessed jointly. Checked across all of a person's orders
    # with the company for a year.
    "SAVINGS_EXEMPTION_ALLOWANCE_SINGLE": 1000,
    "SAVINGS_EXEMPTION_ALLOWANCE_JOINT": 2000,
    # Attempt limits (see ratelimit.py): failures within `window` seconds lock for `lockout` seconds.
    "RATE_LIMIT_CACHE": "default",
    # Reverse proxies in front of the site that append to X-Forwarded-For (0: none, use REMOTE_ADDR).
    "TRUSTED_PROXY_COUNT": 0,
    "RATE_LIMITS": {
        # per contract number and per code entered
        "registration_code": {"limit": 5, "window": 15 * 60, "lockout": 15 * 60},
        # per client IP address
        "registration_ip": {"limit": 20, "window": 60 * 60, "lockout": 60 * 60},
        # online requests for a new code, per client IP address
        "code_request_ip": {"limit": 5, "window": 60 * 60, "lockout": 60 * 60},
        # two-factor (accounts.twofactor): wrong codes per user and per client IP address
        "two_factor_user": {"limit": 10, "window": 15 * 60, "lockout": 15 * 60},
        "two_factor_ip": {"limit": 50, "window": 60 * 60, "lockout": 60 * 60},
        # codes sent by email, per user; wrong passwords when confirming it is you, per user
        "two_factor_email_send": {"limit": 5, "window": 60 * 60, "lockout": 60 * 60},
        "two_factor_reauth": {"limit": 5, "window": 15 * 60, "lockout": 15 * 60},
        # wrong passwords per email address (or admin username) entered and per client IP address:
        # the portal's login and the Wagtail admin's count together
        "login_account": {"limit": 5, "window": 15 * 60, "lockout": 15 * 60},
        "login_ip": {"limit": 30, "window": 15 * 60, "lockout": 15 * 60},
        # wrong email confirmation codes per account (each code also allows only a few tries)
        "email_code": {"limit": 10, "window": 60 * 60, "lockout": 60 * 60},
        # verification and password-reset mails (the portal's and the Wagtail admin's) per address
        # (every mail counts) and per client IP
        "email_send": {"limit": 3, "window": 15 * 60, "lockout": 15 * 60},
        "email_send_ip": {"limit": 20, "window": 60 * 60, "lockout": 60 * 60},
        # wrong activation codes ("verify later") per account
        "activation_code": {"limit": 5, "window": 15 * 60, "lockout": 15 * 60},
        # "verify later" registrations per client IP address (every registration counts)
        "signup_ip": {"limit": 10, "window": 60 * 60, "lockout": 60 * 60},
        # tickets: requests filed and messages sent per user (every one counts, not only failures)
        "ticket_submit": {"limit": 10, "window": 60 * 60, "lockout": 60 * 60},
        "ticket_message": {"limit": 30, "window": 60 * 60, "lockout": 60 * 60},
        # bank-details changes sent per user (every attempt counts, valid or not)
        "bank_details_change": {"limit": 10, "window": 60 * 60, "lockout": 60 * 60},
        # REST API (api/): every call of the login, code, reset and registration endpoints per
        # client IP address; registrations per client IP address; filing and replying (uploads)
        # per user. The flows behind them add the limits above, shared with the web.
        "api_auth_ip": {"limit": 100, "window": 15 * 60, "lockout": 15 * 60},
        "api_register_ip": {"limit": 10, "window": 60 * 60, "lockout": 60 * 60},
        "api_upload": {"limit": 60, "window": 60 * 60, "lockout": 60 * 60},
        # data exports (accounts/leaving.py) asked for per user (every request counts)
        "data_export": {"limit": 5, "window": 24 * 60 * 60, "lockout": 24 * 60 * 60},
        # tickets: pixels of photos decoded per user (each photo counts what it costs, saved or not)
        "upload_pixels": {"limit": 1_000_000_000, "window": 60 * 60, "lockout": 60 * 60},
    },
    # Two-factor (accounts.twofactor). Seconds a session that passed the password may take for
    # the second factor; seconds a re-entered password allows adding or removing a method.
    "TWO_FACTOR_PENDING_SECONDS": 300,
    "TWO_FACTOR_REAUTH_SECONDS": 600,
    # Leaving (accounts/leaving.py, docs/leaving.md): days a prepared data export can be
    # downloaded before it is deleted.
    "DATA_EXPORT_DAYS": 7,
    # Number of single-use backup codes per set.
    "TWO_FACTOR_BACKUP_CODES": 10,
    # Two-factor for the Wagtail admin: "off", "optional" (staff with a method must use it) or
    # "required" (staff without a method must set one up before any admin page).
    "STAFF_TWO_FACTOR": "optional",
    # Accounts: registration, email verification, login (accounts-core, see docs/accounts.md).
    # Versions of the consent texts in force; a new version is stored with each new consent.
    "CONSENT_VERSIONS": {"privacy": "1", "terms": "1", "e_delivery": "1"},
    # Addresses of the consent texts, linked next to the check boxes (None: no link).
    "CONSENT_URLS": {"privacy": None, "terms": None, "e_delivery": None},
    # Lifetime of the confirmation link (seconds) and of the 6-digit code; tries per code.
    "EMAIL_VERIFICATION_LINK_SECONDS": 24 * 60 * 60,
    "EMAIL_CODE_SECONDS": 15 * 60,
    "EMAIL_CODE_MAX_ATTEMPTS": 5,
    # Session lifetime with "stay logged in"; without it the session ends with the browser.
    "REMEMBER_ME_SECONDS": 14 * 24 * 60 * 60,
    # Where a login leads when no "next" address is given (None: the portal's account page).
    "LOGIN_REDIRECT_URL": None,
    # Language of mails to tenants (None: the language of the request, else LANGUAGE_CODE).
    "EMAIL_LANGUAGE": None,
    # Tickets (tickets/, see docs/tickets.md). Attachments per request or message, largest file
    # (MB) and most pixels of a photo (more is refused as a decompression bomb).
    "TICKET_MAX_ATTACHMENTS": 10,
    "TICKET_MAX_UPLOAD_MB": 15,
    "TICKET_MAX_IMAGE_PIXELS": 60_000_000,
    # Most pixels all photos of one request or message may decode to (more is refused before
    # any is decoded); per user and hour see RATE_LIMITS["upload_pixels"].
    "TICKET_MAX_PIXELS_PER_REQUEST": 250_000_000,
    # Photos are re-encoded to fit this many pixels on the longer side; thumbnails likewise.
    "TICKET_IMAGE_MAX_SIZE": 2560,
    "TICKET_THUMBNAIL_SIZE": 400,
    "TICKET_JPEG_QUALITY": 85,
    # Months in which damage kinds marked "urgent in the heating season" count as emergencies.
    "TICKET_HEATING_MONTHS": [10, 11, 12, 1, 2, 3, 4],
    # Requests per page of "my requests" and longest text of a request or message.
    "TICKET_LIST_PAGE_SIZE": 25,
    "TICKET_TEXT_MAX_LENGTH": 5000,
    # Email staff when a request is assigned to them or a tenant replies.
    "TICKET_NOTIFY_STAFF": True,
    # REST API (api/, see docs/api.md). Days an app token lives; seconds a signed download link
    # works; largest JSON body (KB; uploads are bounded by the TICKET_* limits).
    "API_TOKEN_DAYS": 90,
    "API_DOWNLOAD_LINK_SECONDS": 60,
    "API_MAX_JSON_KB": 256,
    # Security headers of portal responses (core/headers.py, docs/security.md). Sources added to
    # the portal's Content-Security-Policy per directive ({"img-src": ["https://cdn.example.de"]};
    # a directive set to None is left out); None: the portal sends no policy (the host sets one).
    "CONTENT_SECURITY_POLICY": {},
    # Send the policy as Content-Security-Policy-Report-Only (try it before enforcing it).
    "CONTENT_SECURITY_POLICY_REPORT_ONLY": False,
    # Permissions-Policy features laid over the portal's defaults ({"geolocation": ["self"]};
    # an empty list forbids a feature, None leaves it out); None: no Permissions-Policy header.
    "PERMISSIONS_POLICY": {},
    # Origins allowed to show portal pages in a frame, for every company (each company adds its
    # own in the admin); the portal's own site always may.
    "FRAME_ANCESTORS": [],
    # Outbox (core/outbox.py, docs/outbox.md): rows a worker claims at once; seconds a claim
    # holds them (a worker that dies gives them back after this); backoff after a failure
    # (base seconds, doubled per attempt, at most the ceiling); attempts before a row becomes a
    # dead letter; seconds rows may wait with no worker running before the system check and
    # the admin panel warn; days delivered rows are kept (0 or None: forever).
    "OUTBOX_BATCH_SIZE": 100,
    "OUTBOX_LEASE_SECONDS": 300,
    "OUTBOX_RETRY_BASE_SECONDS": 30,
    "OUTBOX_RETRY_MAX_SECONDS": 3600,
    "OUTBOX_MAX_ATTEMPTS": 20,
    "OUTBOX_WORKER_STALE_SECONDS": 900,
    "OUTBOX_KEEP_DAYS": 30,
    # ERP link (erp/, docs/erp.md): the largest body of an inbound call (MB; documents come as
    # base64 inside the JSON).
    "ERP_MAX_BODY_MB": 70,
}


class PortalSettings:
    """Read-only view of ``settings.WAGTAIL_TENANTPORTAL`` merged over ``DEFAULTS``.

    ``portal_settings.NAME`` returns the host's value if set, else the default; an unknown
    name raises ``AttributeError``. Lists and dicts are returned as copies, so a caller that
    changes one changes neither the defaults nor the host's settings.
    """

    def __init__(self, defaults):
        self._defaults = defaults
        self._cache = None

    @property
    def user_settings(self):
        """The host's ``WAGTAIL_TENANTPORTAL`` dict (empty when unset or not a dict; checks report that)."""
        if self._cache is None:
            value = getattr(django_settings, SETTING_NAME, None) or {}
            self._cache = dict(value) if isinstance(value, dict) else {}
        return self._cache

    def unknown_keys(self):
        return sorted(set(self.user_settings) - set(self._defaults), key=str)

    def reload(self):
        self._cache = None

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._defaults:
            raise AttributeError(f"Unknown {SETTING_NAME} setting: {name!r}")
        value = self.user_settings.get(name, self._defaults[name])
        if isinstance(value, list | dict | set):
            return copy.deepcopy(value)
        return value

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._defaults))


portal_settings = PortalSettings(DEFAULTS)


def _reload(*, setting, **kwargs):
    if setting == SETTING_NAME:
        portal_settings.reload()


setting_changed.connect(_reload)
