"""The accounts' part of the site policy (see ``core.adapter``): registration, users, login.

``mail_company`` (with "verify later" registrations), ``registration_companies``,
``is_open_for_signup``, ``find_user_by_email``, ``user_email``,
``set_user_email``, ``username_max_length``, ``create_user``, ``can_log_in``,
``authenticate``, ``get_login_redirect_url``.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from ..core.conf import portal_settings
from ..core.identity import canonical_email

#: Most users one lookup by address reads (the canonical one and a few stored before the
#: canonical form, which a data migration leaves when it would collide).
_LOOKUP_CANDIDATES = 10


def _address_fields(user_model):
    """The user model's email field and, if it is another one, its username field."""
    names = [user_model.get_email_field_name()]
    if user_model.USERNAME_FIELD not in names:
        names.append(user_model.USERNAME_FIELD)
    return names


class AccountAdapterMixin:
    # -- registration ------------------------------------------------------------------------

    def registration_companies(self, request=None):
        """Companies tenants may register with (the choice on the registration page)."""
        from ..tenancy.models import Company

        return Company.objects.filter(portal_enabled=True).order_by("name")

    def is_open_for_signup(self, request, company):
        """Whether tenants of ``company`` may register now."""
        return company is None or bool(company.portal_enabled)

    # -- voice -------------------------------------------------------------------------------

    def mail_company(self, request=None, user=None):
        """The company whose voice a mail to ``user`` has: the company of the user's parties
        (preferring the request's site's), else of the user's latest "verify later"
        registration, else of the request's site (see ``core.adapter``)."""
        from ..core import companies
        from .models import RegistrationClaim

        site_company = companies.for_request(request)
        company = companies.for_user(user, prefer=site_company)
        if company is None and getattr(user, "pk", None) is not None:
            claim = (
                RegistrationClaim.objects.filter(account__user=user)
                .select_related("company__site")
                .order_by("-created_at", "-pk")
                .first()
            )
            company = claim.company if claim is not None else None
        return company if company is not None else site_company

    # -- users -------------------------------------------------------------------------------

    def find_user_by_email(self, email):
        """The user whose email address (or username) has the canonical form of ``email``, or None.

        Compares canonical forms (``core.identity.canonical_email``), the same form the attempt
        limits key on, so an input reaches an account only under that account's key. Users
        stored in the canonical form come first; others (e.g. staff created elsewhere, stored
        with capitals) are found as long as their stored value has the same canonical form.
        One query.
        """
        canonical = canonical_email(email)
        if not canonical:
            return None
        user_model = get_user_model()
        names = _address_fields(user_model)
        query = Q()
        for name in names:
            query |= Q(**{name: canonical}) | Q(**{f"{name}__iexact": canonical})
        candidates = list(user_model._default_manager.filter(query).order_by("pk")[:_LOOKUP_CANDIDATES])
        for wanted in (lambda value: value == canonical, lambda value: canonical_email(value) == canonical):
            for user in candidates:
                if any(wanted(getattr(user, name, "") or "") for name in names):
                    return user
        return None

    def user_email(self, user):
        """The email address of ``user`` (the field named by ``EMAIL_FIELD``)."""
        return getattr(user, user.get_email_field_name(), "") or ""

    def set_user_email(self, user, email):
        """Set the address (and the username, which is the address) of ``user`` in its canonical
        form (``core.identity.canonical_email``); no save."""
        email = canonical_email(email)
        for name in _address_fields(type(user)):
            setattr(user, name, email)

    def username_max_length(self):
        """Longest address that fits the user model (the username is the address)."""
        user_model = get_user_model()
        lengths = [254]
        for name in {user_model.USERNAME_FIELD, user_model.get_email_field_name()}:
            max_length = getattr(user_model._meta.get_field(name), "max_length", None)
            if max_length:
                lengths.append(max_length)
        return min(lengths)

    def create_user(self, email, password, *, first_name="", last_name=""):
        """Create and return the user of a new portal account.

        The username is the email address in its canonical form (or the address goes into the user
        model's ``USERNAME_FIELD`` if that is the email field). Works for any
        ``AUTH_USER_MODEL``; fields the model lacks are skipped.
        """
        user_model = get_user_model()
        user = user_model()
        self.set_user_email(user, email)
        field_names = {field.name for field in user_model._meta.get_fields()}
        for name, value in (("first_name", first_name), ("last_name", last_name)):
            if name in field_names and value:
                max_length = user_model._meta.get_field(name).max_length or len(value)
                setattr(user, name, value[:max_length])
        user.set_password(password)
        user.save()
        return user

    # -- login -------------------------------------------------------------------------------

    def can_log_in(self, user):
        """Whether ``user`` may log in to the portal: active and with a portal account."""
        from .models import PortalAccount

        if not getattr(user, "is_active", True):
            return False
        try:  # the account may be loaded with the user already (no query then)
            return user.tenantportal_account is not None
        except PortalAccount.DoesNotExist:
            return False

    def authenticate(self, request, email, password):
        """The user with ``email`` and ``password`` who may log in, else None.

        Like Django's ``ModelBackend``, an unknown address still runs the password hasher
        once, so the time taken does not tell whether the address is known.
        """
        user = self.find_user_by_email(email)
        if user is None:
            get_user_model()().set_password(password)
            return None
        if not user.check_password(password) or not self.can_log_in(user):
            return None
        return user

    def get_login_redirect_url(self, request):
        """Where a login leads without a ``next`` address: ``LOGIN_REDIRECT_URL`` if set, else
        the account page. (``wagtail_tenantportal.adapter.DefaultPortalAdapter`` leads to the
        tenant's overview when the dashboard app is installed.)"""
        if portal_settings.LOGIN_REDIRECT_URL:
            return portal_settings.LOGIN_REDIRECT_URL
        return reverse("wagtail_tenantportal:account")
