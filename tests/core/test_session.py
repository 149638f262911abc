"""core.session, to the letter: the state vocabulary, the caching, the guards and ``next``.

Among the mutants of issue 17: ``require_https`` of ``safe_next_url`` (an http ``next`` was
accepted on an https request had it been dropped). The accounts app's resolver is replaced by
a stub here, so every state can be asked for directly.
"""

import pytest
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from wagtail_tenantportal.core import session

ALL_STATES = [
    "anonymous",
    "email_unverified",
    "pending_match",
    "activation_required",
    "two_factor_setup_required",
    "contact_check_required",
    "ok",
]


class Stub(session.StateResolver):
    def __init__(self, state="ok", pending=False):
        self.state, self.pending, self.calls = state, pending, 0

    def compute_state(self, request):
        assert hasattr(request, "session"), "the resolver needs the request"
        self.calls += 1
        return self.state

    def two_factor_pending(self, request):
        assert hasattr(request, "session"), "the resolver needs the request"
        return self.pending


@pytest.fixture
def resolver():
    before = session.get_resolver()
    stub = Stub()
    session.register_resolver(stub)
    yield stub
    session.register_resolver(before)


def get(path="/portal/rechnungen/?jahr=2026", secure=False, host="portal.example"):
    request = RequestFactory().get(path, secure=secure, HTTP_HOST=host)
    request.session = SessionStore()
    return request


# -- vocabulary ------------------------------------------------------------------------------------


def test_the_states_in_the_order_the_resolver_checks_them():
    assert list(session.STATES) == ALL_STATES
    assert (session.ANONYMOUS, session.OK, session.TWO_FACTOR_PENDING) == (
        "anonymous",
        "ok",
        "two_factor_pending",
    )
    assert session.STATE_URL_NAMES == {
        "email_unverified": "verify_email_code",
        "pending_match": "activate",
        "activation_required": "activate",
        "two_factor_setup_required": "two_factor_setup",
        "contact_check_required": "contact_check",
    }


def test_step_labels_are_translated():
    labels = {state: str(label) for state, label in session.STEP_LABELS.items()}
    assert labels == {
        "anonymous": "Log in",
        "two_factor_pending": "Enter your security code",
        "email_unverified": "Confirm your email address",
        "pending_match": "See the state of your registration",
        "activation_required": "Enter your activation code",
        "two_factor_setup_required": "Set up two-factor authentication",
        "contact_check_required": "Check your contact data",
    }
    with translation.override("de"):
        assert str(session.STEP_LABELS["anonymous"]) == "Anmelden"


def test_without_a_registered_resolver_everybody_is_anonymous():
    base = session.StateResolver()
    assert base.compute_state(get()) == "anonymous"
    assert base.two_factor_pending(get()) is False


def test_the_accounts_app_registers_its_resolver():
    from wagtail_tenantportal.accounts.auth import AccountStateResolver

    assert isinstance(session.get_resolver(), AccountStateResolver)


# -- computing and caching -----------------------------------------------------------------------


def test_the_state_is_computed_once_per_request_and_can_be_forgotten(resolver):
    request = get()
    assert session.portal_state(request) == "ok"
    resolver.state = "email_unverified"
    assert session.portal_state(request) == "ok"
    assert resolver.calls == 1
    session.forget_state(request)
    assert session.portal_state(request) == "email_unverified"
    assert resolver.calls == 2
    session.forget_state(request)
    session.forget_state(request)  # nothing cached: no error
    assert not hasattr(request, "_tenantportal_state")


@pytest.mark.parametrize("state", ALL_STATES)
def test_only_ok_is_verified(resolver, state):
    resolver.state = state
    assert session.is_portal_verified(get()) is (state == "ok")


def test_two_factor_pending_asks_the_resolver_and_is_a_bool(resolver):
    resolver.pending = 1
    assert session.two_factor_pending(get()) is True
    resolver.pending = None
    assert session.two_factor_pending(get()) is False


# -- next ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "secure", "expected"),
    [
        ("/portal/dokumente/", False, "/portal/dokumente/"),
        ("/portal/dokumente/", True, "/portal/dokumente/"),
        ("http://portal.example/portal/", False, "http://portal.example/portal/"),
        ("https://portal.example/portal/", True, "https://portal.example/portal/"),
        ("http://portal.example/portal/", True, ""),  # require_https on an https request
        ("https://evil.example/", False, ""),
        ("//evil.example/", False, ""),
        ("javascript:alert(1)", False, ""),
        ("", False, ""),
        (None, False, ""),
    ],
)
def test_safe_next_url(url, secure, expected):
    assert session.safe_next_url(get(secure=secure), url) == expected


# -- where each state leads ----------------------------------------------------------------------


def test_state_urls():
    assert session.state_url("ok") is None
    assert session.state_url("ok", "/x/") is None
    assert session.state_url("anonymous") == "/portal/login/"
    assert session.state_url("email_unverified") == "/portal/verify/code/"
    assert session.state_url("pending_match") == "/portal/account/activate/"
    assert session.state_url("activation_required") == "/portal/account/activate/"
    assert session.state_url("two_factor_setup_required") == "/portal/2fa/"
    assert session.state_url("contact_check_required") == "/portal/account/contact/"
    assert (
        session.state_url("anonymous", "/portal/a b/?x=1&y=2")
        == "/portal/login/?next=%2Fportal%2Fa+b%2F%3Fx%3D1%26y%3D2"
    )
    assert session.state_url("contact_check_required", "/p/") == "/portal/account/contact/?next=%2Fp%2F"


def test_a_step_whose_page_is_not_installed_leads_to_the_account_page(monkeypatch):
    monkeypatch.setitem(session.STATE_URL_NAMES, "email_unverified", "no_such_url_name")
    assert session.state_url("email_unverified", "/p/") == "/portal/account/?next=%2Fp%2F"


@pytest.mark.parametrize("state", ALL_STATES[1:-1])
def test_visitor_step_of_each_state(state):
    step = session.visitor_step(get(), state, "/portal/x/")
    assert step == {
        "step": state,
        "step_url": session.state_url(state, "/portal/x/"),
        "step_label": session.STEP_LABELS[state],
    }


def test_visitor_step_of_a_visitor_and_of_a_half_logged_in_session(resolver):
    assert session.visitor_step(get(), "anonymous", "/portal/x/") == {
        "step": "anonymous",
        "step_url": "/portal/login/?next=%2Fportal%2Fx%2F",
        "step_label": session.STEP_LABELS["anonymous"],
    }
    resolver.pending = True
    assert session.visitor_step(get(), "anonymous", "/portal/x/") == {
        "step": "two_factor_pending",
        "step_url": "/portal/2fa/verify/",
        "step_label": session.STEP_LABELS["two_factor_pending"],
    }
    # a pending second factor matters only to a visitor
    step = session.visitor_step(get(), "contact_check_required")
    assert step["step"] == "contact_check_required" and step["step_url"] == "/portal/account/contact/"


def test_an_unknown_step_is_labelled_continue():
    assert str(session.visitor_step(get(), "ok")["step_label"]) == "Continue"


def test_redirect_for_state(resolver):
    request = get("/portal/rechnungen/?jahr=2026")
    response = session.redirect_for_state(request, "anonymous")
    assert response.status_code == 302
    assert response.url == "/portal/login/?next=/portal/rechnungen/%3Fjahr%3D2026"
    response = session.redirect_for_state(request, "email_unverified")
    assert response.url == "/portal/verify/code/?next=%2Fportal%2Frechnungen%2F%3Fjahr%3D2026"
    resolver.state = "pending_match"
    assert session.redirect_for_state(get("/p/")).url == "/portal/account/activate/?next=%2Fp%2F"


# -- the guards ----------------------------------------------------------------------------------


def view(request, *args, **kwargs):
    assert hasattr(request, "session"), "the view gets the request"
    return HttpResponse(f"inside {request.path} {args} {kwargs}")


def assert_never_cached(response):
    parts = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate", "private"} <= parts


@pytest.mark.parametrize("state", ALL_STATES[:-1])
def test_portal_login_required_leads_every_other_state_to_its_step(resolver, state):
    resolver.state = state
    response = session.portal_login_required(view)(get("/portal/x/"))
    assert response.status_code == 302
    assert response.url == session.redirect_for_state(get("/portal/x/"), state).url


def test_portal_login_required_runs_the_view_for_ok_and_marks_it_private(resolver):
    guarded = session.portal_login_required(view)
    response = guarded(get("/p/"), 1, key="v")
    assert response.content == b"inside /p/ (1,) {'key': 'v'}"
    assert_never_cached(response)
    assert guarded.__name__ == "view"


def test_the_mixin_does_the_same(resolver):
    class Base:
        def dispatch(self, request, *args, **kwargs):
            return view(request, *args, **kwargs)

    class Guarded(session.PortalLoginRequiredMixin, Base):
        pass

    response = Guarded().dispatch(get("/p/"), 2, key="w")
    assert response.content == b"inside /p/ (2,) {'key': 'w'}"
    assert_never_cached(response)
    resolver.state = "anonymous"
    response = Guarded().dispatch(get("/portal/y/"))
    assert response.url == "/portal/login/?next=/portal/y/"


def test_portal_state_required(resolver):
    guarded = session.portal_state_required("email_unverified", "pending_match")(view)
    assert guarded.__name__ == "view"
    resolver.state = "email_unverified"
    response = guarded(get("/p/"), 3, key="x")
    assert response.content == b"inside /p/ (3,) {'key': 'x'}"
    assert_never_cached(response)
    resolver.state = "pending_match"
    assert guarded(get()).status_code == 200
    # "ok" goes on to a safe next address, else to the account page
    resolver.state = "ok"
    assert guarded(get("/portal/verify/code/?next=/portal/dokumente/")).url == "/portal/dokumente/"
    assert guarded(get("/portal/verify/code/?next=https://evil.example/")).url == "/portal/account/"
    assert guarded(get("/portal/verify/code/")).url == "/portal/account/"
    # other states are led to their own step
    resolver.state = "anonymous"
    assert guarded(get("/portal/verify/code/")).url == "/portal/login/?next=/portal/verify/code/"
    resolver.state = "contact_check_required"
    assert (
        guarded(get("/portal/verify/code/")).url
        == "/portal/account/contact/?next=%2Fportal%2Fverify%2Fcode%2F"
    )
