"""Leaving the portal: deleting the account (GDPR Art. 17) and exporting its data (Art. 15/20).

The one road for the portal pages and the API (views stay thin). What callers may rely on:

- ``delete_account`` checks the password (attempt limits of the portal login, keyed by the
  account's canonical address: ``login_account``) and, when the account has a confirmed
  second factor, a current code (``accounts.twofactor.verify``: its per-user and per-address
  limits). Then, in ONE transaction, every app's erase hook of the personal-data protocol
  (``core.personal_data.erase_user``) runs, the company is told (a mail to each company's
  address through the outbox, and an entry in the audit log of each party the account acted
  for), and a confirmation goes to the address through the outbox; the mail's row forgets the
  address once sent. Either all of it happens or nothing (bad input raises a ``FlowError``
  with a translated message before anything changes).
- Deletion with open requests is allowed: they stay open for staff, without the link to the
  login, and ``deletion_preview`` lists them so the page says so before the tenant confirms.
- ``request_export`` records a ``DataExport`` and defers ``build_export_task`` through the
  outbox; asking while one is prepared raises ``ExportInProgress`` (no second job). The task
  writes a ZIP (``data.json`` from every app's export hook, plus the files) on the private
  storage, offers it for ``DATA_EXPORT_DAYS`` days and mails the owner. Only the owner
  (``DataExport.objects.visible_to``) can download it; ``delete_expired_exports`` removes
  what is past its time (the command ``tenantportal_data_exports`` and every new export call it).
"""

import json
import logging
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from wagtail.log_actions import log

from ..core import mail, personal_data
from ..core.adapter import get_adapter
from ..core.conf import portal_settings
from ..core.ratelimit import RateLimit
from ..core.storage import get_private_storage
from ..core.tasks import defer
from ..tenancy.models import Company, Party
from . import auth, signals
from .flows import FlowError, TooManyAttempts, check_password_attempt
from .flows.common import _absolute, in_language, mail_origin, task_mail_company
from .leaving_models import DataExport
from .models import PortalAccount

logger = logging.getLogger(__name__)

ACTION_ACCOUNT_DELETED = "tenantportal.account_deleted"


class ExportInProgress(FlowError):
    message = _(
        "Your data export is already being prepared. We will send you an email as soon as it is ready; "
        "you do not need to ask again."
    )


class CodeRequired(FlowError):
    message = _("Please enter a current code of your second factor.")


# -- deletion ----------------------------------------------------------------------------------


@dataclass
class DeletionPreview:
    """What deleting the account of ``user`` would do, for the page and the API."""

    #: Open requests (``{"kind", "reference", "label"}``): they stay open for staff.
    open_items: list = field(default_factory=list)
    #: ``{app: {kind: count}}`` of what the company keeps, unlinked from the login.
    kept: dict = field(default_factory=dict)
    #: The second-factor methods a code may come from (empty: no code needed).
    methods: list = field(default_factory=list)

    @property
    def needs_code(self):
        return bool(self.methods)

    def kept_count(self, app, kind):
        return self.kept.get(app, {}).get(kind, 0)

    @property
    def kept_requests(self):
        return self.kept_count("tickets", "requests")

    @property
    def kept_documents(self):
        return self.kept_count("documents", "documents")

    @property
    def kept_contracts(self):
        return self.kept_count("tenancy", "contracts")


def second_factor_methods(user):
    """The methods a code for ``user`` may come from ("totp", "email", "backup"); [] if none."""
    module = auth.twofactor_module()
    if module is None or not module.user_has_device(user):
        return []
    return module.available_methods(user)


def deletion_preview(user):
    """A :class:`DeletionPreview` of ``user`` (a fixed number of queries)."""
    return DeletionPreview(
        open_items=personal_data.open_items(user),
        kept=personal_data.kept(user),
        methods=second_factor_methods(user),
    )


@dataclass
class DeletionResult:
    email: str
    open_items: list
    reports: list


def check_credentials(request, user, password, *, code="", method="", ip=None):
    """Raise ``FlowError``/``TooManyAttempts`` unless ``password`` (and, with a second factor,
    ``code`` from ``method``) are right. Limits: ``login_account`` for the password (the
    login's, one canonical key per address), the two-factor limits for the code."""
    check_password_attempt(request, user, password or "")
    methods = second_factor_methods(user)
    if not methods:
        return
    module = auth.twofactor_module()
    if not (code or "").strip():
        raise CodeRequired()
    if method not in methods:
        method = methods[0]
    token = module.normalise_code(code)
    if "backup" in methods and not (token.isdigit() and len(token) == 6):
        method = "backup"  # a backup code is recognised by its shape, whatever was chosen
    try:
        module.verify(user, method, code, ip=ip)
    except module.TooManyAttempts as error:
        raise TooManyAttempts(error.retry_after) from None
    except module.TwoFactorError as error:
        raise FlowError(error.message) from None


def send_deletion_code(user, *, request=None):
    """Send a code by email for confirming the deletion (users with codes by email)."""
    module = auth.twofactor_module()
    try:
        module.send_email_code(user, request=request)
    except module.TooManyAttempts as error:
        raise TooManyAttempts(error.retry_after) from None
    except module.TwoFactorError as error:
        raise FlowError(error.message) from None


def delete_account(request, user, *, password, code="", method="", ip=None):
    """Delete the portal account of ``user`` after checking its password (and second factor).

    Returns a :class:`DeletionResult`. The caller ends the session (``auth.logout``) after it.
    """
    check_credentials(request, user, password, code=code, method=method, ip=ip)
    adapter = get_adapter()
    email = adapter.user_email(user)
    company = adapter.mail_company(request, user)
    parties = list(Party.objects.visible_to(user).select_related("company").order_by("pk"))
    contracts = _contract_numbers(user)
    open_items = personal_data.open_items(user)
    with transaction.atomic():
        reports = personal_data.erase_user(user)
        _inform_staff(parties, contracts, open_items, request=request)
        signals.account_deleted.send(
            sender=PortalAccount, parties=parties, contracts=contracts, open_items=open_items
        )
        _send_goodbye(email, open_items, company=company, request=request)
    return DeletionResult(email=email, open_items=open_items, reports=reports)


def _contract_numbers(user):
    from ..tenancy.models import Contract

    return list(Contract.objects.visible_to(user).order_by("number").values_list("company_id", "number"))


def _inform_staff(parties, contracts, open_items, *, request=None):
    """One mail per company to its address (if it has one) and an audit entry per party."""
    adapter = get_adapter()
    companies = {}
    for party in parties:
        companies.setdefault(party.company_id, (party.company, []))[1].append(party)
        log(
            instance=party,
            action=ACTION_ACCOUNT_DELETED,
            user=None,
            data={
                "open_requests": [
                    item["reference"] for item in open_items if item.get("company_id") == party.company_id
                ]
            },
        )
    for company_id, (company, company_parties) in companies.items():
        if not company.email:
            continue
        message = adapter.render_mail(
            "account_deleted_staff",
            company.email,
            {
                "parties": company_parties,
                "contracts": [number for owner, number in contracts if owner == company_id],
                "open_items": [item for item in open_items if item.get("company_id") == company_id],
            },
            request=request,
            company=company,
        )
        mail.send_later(message, company_id=company_id)


def _send_goodbye(email, open_items, *, company=None, request=None):
    if not email:
        return
    message = get_adapter().render_mail(
        "account_deleted",
        email,
        {"open_items": open_items},
        request=request,
        company=company,
    )
    mail.send_later(message, company_id=getattr(company, "pk", None), forget=True)


def delete_files(names):
    storage = get_private_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # a file left behind is found by the expiry command later
            logger.warning("Could not delete the export file %s", name, exc_info=True)


# -- export ------------------------------------------------------------------------------------


def exports_of(user):
    """The exports of ``user``, newest first (one query)."""
    return DataExport.objects.visible_to(user)


def export_of(user, export_id):
    """The export ``export_id`` (a uuid) of ``user`` in any state, or None (anybody else's too)."""
    return DataExport.objects.visible_to(user).filter(uuid=export_id).first()


def export_for(user, export_id):
    """The ready, unexpired export ``export_id`` (a uuid) of ``user``, or None (anybody else's:
    None as well, so the caller answers 404 for foreign and missing ids alike)."""
    return (
        DataExport.objects.visible_to(user)
        .filter(uuid=export_id, state=DataExport.State.READY, expires_at__gt=timezone.now())
        .first()
    )


def request_export(user, *, request=None):
    """Record an export of ``user``'s data and prepare it in the background; return it.

    Raises ``ExportInProgress`` while one is being prepared and ``TooManyAttempts`` after
    ``RATE_LIMITS["data_export"]`` requests.
    """
    limiter = RateLimit.for_scope("data_export")
    key = str(user.pk)
    wait = limiter.locked_for(key)
    if wait:
        raise TooManyAttempts(wait)
    if DataExport.objects.filter(user=user).in_preparation().exists():
        raise ExportInProgress()
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
            defer(build_export_task, export.pk, **mail_origin(request))
    except IntegrityError:  # a second request at the same moment
        raise ExportInProgress() from None
    limiter.hit(key)
    return export


def build_export(export):
    """Write the ZIP of ``export`` to the private storage and mark it ready (no mail)."""
    user = export.user
    data = personal_data.export_user(user)
    files = personal_data.export_files(user)
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as buffer:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
            for entry in files:
                try:
                    with entry.open() as source, archive.open(f"files/{entry.name}", "w") as target:
                        while chunk := source.read(1024 * 1024):
                            target.write(chunk)
                except FileNotFoundError:
                    logger.warning("Export %s: file %s is missing", export.pk, entry.name)
        buffer.seek(0)
        export.file.save(f"{export.uuid.hex}.zip", File(buffer), save=False)
        export.size = export.file.size
    now = timezone.now()
    export.file_count = len(files)
    export.state = DataExport.State.READY
    export.ready_at = now
    export.expires_at = now + timedelta(days=int(portal_settings.DATA_EXPORT_DAYS))
    export.save(update_fields=["file", "size", "file_count", "state", "ready_at", "expires_at"])
    return export


@task()
def build_export_task(export_id, origin=None, language=None, site_company_id=None):
    """Prepare the export ``export_id`` and mail its owner; True if it was prepared."""
    delete_expired_exports()
    export = (
        DataExport.objects.filter(pk=export_id, state=DataExport.State.PENDING).select_related("user").first()
    )
    if export is None:  # deleted with its account meanwhile, or done by an earlier run
        return False
    try:
        build_export(export)
    except Exception:
        if export.file.name:
            delete_files([export.file.name])
        raise
    user = export.user
    company = task_mail_company(user, site_company_id)
    with in_language(language):
        get_adapter().send_mail(
            "data_export_ready",
            get_adapter().user_email(user),
            {
                "user": user,
                "export": export,
                "days": int(portal_settings.DATA_EXPORT_DAYS),
                "exports_url": _absolute(None, reverse("wagtail_tenantportal:data_export"), company, origin),
            },
            company=company,
        )
    return True


def delete_expired_exports(now=None):
    """Delete the exports past their time (files first); return how many went."""
    expired = list(DataExport.objects.expired(now).values_list("pk", "file"))
    if not expired:
        return 0
    delete_files([name for _pk, name in expired if name])
    DataExport.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
    return len(expired)


def companies_of(user):
    """The companies of ``user``'s parties (for the page's "who keeps what")."""
    return Company.objects.filter(parties__in=Party.objects.visible_to(user)).distinct().order_by("name")
