"""Issue 17, finding 2: the Wagtail admin's login and password reset have attempt limits.

Before, 40 wrong passwords from one address and then the right one logged in. The admin's own
login form stays; ``StaffTwoFactorMiddleware`` (already in front of the admin) checks the
portal's limits (``login_account`` per canonical name, ``login_ip`` per client address) before
the POST reaches ``authenticate()``, and Django's ``user_login_failed`` signal counts.
"""

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import task_backends

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Kastanienallee-17-Hof"
WRONG = "falsch"
TOO_MANY = "Too many attempts"


@pytest.fixture
def editor(db):
    return UserFactory(
        username="redakteurin", email="redakteurin@lindenhof.example", is_superuser=True, password=PASSWORD
    )


def login_url():
    return reverse("wagtailadmin_login")


def post_login(client, username, password, ip="203.0.113.10", **extra):
    return client.post(login_url(), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def logged_in(client):
    return "_auth_user_id" in client.session


def page(client, response):
    """The page a locked POST leads to (a redirect back to the login page with the message)."""
    if response.status_code == 302:
        return client.get(response.url, REMOTE_ADDR="203.0.113.10").content.decode()
    return response.content.decode()


def test_forty_wrong_passwords_from_one_address_then_the_right_one_does_not_log_in(client, editor):
    for _ in range(40):
        post_login(client, "redakteurin", WRONG)
    response = post_login(client, "redakteurin", PASSWORD)
    assert not logged_in(client)
    assert TOO_MANY in page(client, response)


def test_the_lock_per_name_holds_across_addresses_and_expires(client, editor, frozen_clock):
    for n in range(5):
        response = post_login(client, "redakteurin", WRONG, ip=f"198.51.100.{n}")
        assert response.status_code == 200  # Wagtail's own "did not match" page
    response = post_login(client, "redakteurin", PASSWORD, ip="198.51.100.77")
    assert response.status_code == 302 and response.url == login_url()
    assert not logged_in(client)
    assert TOO_MANY in client.get(response.url).content.decode()

    frozen_clock.advance(15 * 60 - 1)
    post_login(client, "redakteurin", PASSWORD, ip="198.51.100.78")
    assert not logged_in(client)  # the last second of the lockout holds

    frozen_clock.advance(2)
    response = post_login(client, "redakteurin", PASSWORD, ip="198.51.100.79")
    assert response.status_code == 302 and logged_in(client)


@pytest.mark.parametrize("variant", ["REDAKTEURIN", "Redakteurın", " redakteurin ", "redakteurin"])
def test_variants_of_the_name_share_the_lock(client, editor, variant):
    for n in range(5):
        post_login(client, variant, WRONG, ip=f"198.51.100.{n}")
    post_login(client, "redakteurin", PASSWORD, ip="198.51.100.50")
    assert not logged_in(client)


def test_the_lock_per_client_address_covers_every_name(client, editor):
    for n in range(30):  # login_ip: 30 per 15 minutes
        post_login(client, f"gibtsnicht{n}", WRONG, ip="192.0.2.66")
    post_login(client, "redakteurin", PASSWORD, ip="192.0.2.66")
    assert not logged_in(client)
    post_login(client, "redakteurin", PASSWORD, ip="192.0.2.67")
    assert logged_in(client)


def test_unknown_names_get_the_same_answers_as_known_ones(client, editor):
    known, unknown = [], []
    for n in range(6):
        known.append(post_login(client, "redakteurin", WRONG, ip=f"198.51.100.{n}"))
        unknown.append(post_login(client, "niemand", WRONG, ip=f"198.51.100.{n + 10}"))
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"CSRF_TOKEN": "[^"]+"')

    def strip(response):
        return csrf.sub(b"", response.content).replace(b"redakteurin", b"X").replace(b"niemand", b"X")

    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [200] * 5 + [302]
    assert [strip(r) for r in known] == [strip(r) for r in unknown]


def test_a_locked_post_does_not_reach_authenticate(client, editor, monkeypatch):
    for n in range(5):
        post_login(client, "redakteurin", WRONG, ip=f"198.51.100.{n}")
    checks = []
    verify = MD5PasswordHasher.verify
    monkeypatch.setattr(MD5PasswordHasher, "verify", lambda self, *a: checks.append(1) or verify(self, *a))
    post_login(client, "redakteurin", PASSWORD, ip="198.51.100.90")
    assert checks == []


def test_a_successful_login_clears_the_count_of_the_name(client, editor):
    for n in range(4):
        post_login(client, "redakteurin", WRONG, ip=f"198.51.100.{n}")
    post_login(client, "redakteurin", PASSWORD)
    assert logged_in(client)
    client.logout()
    for n in range(4):
        post_login(client, "redakteurin", WRONG, ip=f"198.51.100.{n}")
    post_login(client, "redakteurin", PASSWORD)
    assert logged_in(client)


def test_the_message_is_translated(client, editor):
    for n in range(5):
        post_login(client, "redakteurin", WRONG, ip=f"198.51.100.{n}")
    response = post_login(client, "redakteurin", PASSWORD, HTTP_ACCEPT_LANGUAGE="de")
    html = client.get(response.url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Zu viele Versuche. Bitte versuchen Sie es in 15 Minuten erneut." in html


def test_next_is_kept_when_locked(client, editor):
    for n in range(5):
        post_login(client, "redakteurin", WRONG, ip=f"198.51.100.{n}")
    response = client.post(
        login_url() + "?next=/admin/pages/", {"username": "redakteurin", "password": PASSWORD}
    )
    assert response.url == login_url() + "?next=/admin/pages/"
    assert response["Cache-Control"].startswith("max-age=0")


def test_portal_and_admin_wrong_passwords_count_together(client, tenant):
    from .flow_helpers import LOGIN_URL, verified_tenant

    user = verified_tenant(tenant[1], email="mieterin@example.org", password=PASSWORD)
    user.is_superuser = True  # (a tenant who is also an editor)
    user.save()
    for n in range(3):
        client.post(
            LOGIN_URL, {"email": "mieterin@example.org", "password": WRONG}, REMOTE_ADDR=f"192.0.2.{n}"
        )
    for n in range(2):
        post_login(client, "Mieterin@Example.org", WRONG, ip=f"192.0.2.{n + 5}")
    post_login(client, "mieterin@example.org", PASSWORD, ip="192.0.2.9")
    assert not logged_in(client)


def test_other_users_of_authenticate_are_not_counted(editor, rf):
    from django.contrib.auth import authenticate

    for _ in range(10):
        assert authenticate(rf.post("/"), username="redakteurin", password=WRONG) is None
    from wagtail_tenantportal.core.ratelimit import RateLimit

    assert RateLimit.for_scope("login_account").count("redakteurin") == 0


# -- password reset ---------------------------------------------------------------------------


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    yield backend
    backend.clear()


def queued_resets():
    """The topics of the deferred tasks waiting in the outbox (the reset's mail is one)."""
    from wagtail_tenantportal.core.outbox import OutboxMessage

    return list(OutboxMessage.objects.filter(channel="task").order_by("pk").values_list("topic", flat=True))


def reset_url():
    return reverse("wagtailadmin_password_reset")


def post_reset(client, email, ip="203.0.113.20"):
    return client.post(reset_url(), {"email": email}, REMOTE_ADDR=ip)


def test_reset_answers_and_works_the_same_for_known_and_unknown_addresses(client, editor, queue):
    works = []
    for address in ("redakteurin@lindenhof.example", "niemand@lindenhof.example"):
        with CaptureQueriesContext(connection) as queries:
            response = post_reset(client, address)
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_password_reset_done")
        works.append(([q["sql"].split()[0] for q in queries.captured_queries], len(queued_resets())))
    assert mail.outbox == []  # nothing sent in the request
    assert works[0][0] == works[1][0]
    from wagtail_tenantportal.accounts.admin_login import admin_password_reset_task

    assert queued_resets() == [admin_password_reset_task.module_path] * 2


def test_the_reset_task_mails_the_admins_link_to_the_stored_address(editor):
    from wagtail_tenantportal.accounts.admin_login import admin_password_reset_task

    assert (
        admin_password_reset_task.call({"email": "REDAKTEURIN@lindenhof.example"}, "cms.example", True) == 1
    )
    (message,) = mail.outbox
    assert message.to == ["redakteurin@lindenhof.example"]
    assert "/admin/password_reset/" in message.body
    assert admin_password_reset_task.call({"email": "niemand@lindenhof.example"}, "cms.example") == 0
    assert admin_password_reset_task.call({"email": "kein-email"}, "cms.example") == 0
    assert len(mail.outbox) == 1


def test_reset_mails_are_limited_per_address_and_the_lock_tells_nothing(client, editor, queue):
    for n in range(3):
        post_reset(client, "redakteurin@lindenhof.example", ip=f"198.51.100.{n}")
    response = post_reset(client, "Redakteurin@Lindenhof.example", ip="198.51.100.9")
    assert response.url == reverse("wagtailadmin_password_reset_done")
    assert len(queued_resets()) == 3


def test_reset_mails_are_limited_per_client_address(client, editor, queue):
    for n in range(20):
        post_reset(client, f"jemand{n}@example.org", ip="192.0.2.99")
    post_reset(client, "redakteurin@lindenhof.example", ip="192.0.2.99")
    assert len(queued_resets()) == 20


def test_an_invalid_reset_form_is_the_admins_page_with_its_errors(client, editor, queue):
    response = post_reset(client, "kein-email")
    assert response.status_code == 200
    assert queued_resets() == []


def test_the_reset_is_left_alone_when_the_admin_switched_it_off(client, editor, queue, settings):
    settings.WAGTAIL_PASSWORD_RESET_ENABLED = False
    response = post_reset(client, "redakteurin@lindenhof.example")
    assert response.status_code == 404
    assert queued_resets() == []
