"""Steps of the tenant journey in a real browser, one function per step (plain helpers).

Each step starts where the previous one ended, drives the page like a tenant would (fields by
their ``name``, so the steps work in any UI language), checks where it arrives and runs axe-core
on every page state it passes (``a11y.check(page, "<state>")``).

Page states are named "<area>: <state>"; the names appear in the axe table and in the screenshot
file names.
"""

import re
import time
from urllib.parse import urlsplit

import pyotp
from django.core import mail

PASSWORD = "Rotkehlchen-Mauersegler-42"


# -- small page helpers --------------------------------------------------------------------------


def path_of(page):
    return urlsplit(page.url).path


def go(page, path):
    response = page.goto(path)
    assert response is not None and response.ok, f"GET {path}: {response and response.status}"
    return response


def fill(page, name, value, *, scope="body"):
    page.locator(scope).locator(f"[name='{name}']").fill(value)


def submit(page, form):
    """Click the first submit button of ``form`` (a selector or locator) and wait for the answer."""
    form = page.locator(form) if isinstance(form, str) else form
    with page.expect_navigation():
        form.locator("button[type='submit']").first.click()


def form_with(page, field_name):
    """The form that contains the field named ``field_name``."""
    return page.locator(f"form:has([name='{field_name}'])")


def expect_path(page, expected):
    """The browser is at ``expected`` (a path, or a compiled pattern matched against the path)."""
    actual = path_of(page)
    if isinstance(expected, re.Pattern):
        assert expected.fullmatch(actual), f"at {actual}, expected {expected.pattern}"
    else:
        assert actual == expected, f"at {actual}, expected {expected}"


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def code_in_mail(message):
    """The 6-digit code of a mail (on a line of its own)."""
    match = re.search(r"^\s*(\d{6})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def link_in_mail(message, prefix):
    """The path of the first link in the mail whose path starts with ``prefix``."""
    for match in re.finditer(r"https?://\S+", message.body):
        path = urlsplit(match.group(0)).path
        if path.startswith(prefix):
            return path
    raise AssertionError(f"no link to {prefix} in {message.body!r}")


def next_totp_code(totp):
    """A code that django-otp accepts now but that was not used yet: the code of the next time
    step (inside the device's tolerance of one step), so no test waits for the clock."""
    return totp.at(time.time() + totp.interval)


# -- accounts ------------------------------------------------------------------------------------


def register_with_code(page, a11y, *, contract, code, last_name, email):
    """Anonymous login page → registration form (first empty, with errors) → registered; ends on
    the "check your mailbox" page."""
    go(page, "/portal/login/")
    # The portal's stylesheet is loaded, so axe-core judges colours and contrast as tenants see them.
    assert page.evaluate(
        "[...document.styleSheets].some(s => (s.href || '').includes('portal.css') && s.cssRules.length > 0)"
    ), "portal.css not loaded"
    a11y.check(page, "login: anonymous")
    with page.expect_navigation():
        page.locator("a[href^='/portal/register/']").first.click()
    expect_path(page, "/portal/register/")
    a11y.check(page, "registration: form")

    submit(page, form_with(page, "contract_number"))
    expect_path(page, "/portal/register/")
    assert page.locator(".tp-error-summary").is_visible()
    assert page.locator("[name='contract_number'][aria-invalid='true']").count() == 1
    a11y.check(page, "registration: errors")

    form = form_with(page, "contract_number")
    fill(page, "contract_number", contract.number)
    fill(page, "code", code)
    fill(page, "last_name", last_name)
    fill(page, "email", email)
    fill(page, "password1", PASSWORD)
    fill(page, "password2", PASSWORD)
    for box in form.locator("input[type='checkbox'][name^='consent_']").all():
        box.check()
    submit(page, form)
    expect_path(page, "/portal/register/done/")
    assert email in page.locator("main").inner_text()
    a11y.check(page, "registration: check your mailbox")


def verify_email(page, a11y, *, email):
    """From the "check your mailbox" page: open the link of the mail (the GET page only asks to
    confirm), come back, enter a wrong code, then the right one; ends logged in, on the next step."""
    [message] = mails_to(email)
    go(page, link_in_mail(message, "/portal/verify/"))
    a11y.check(page, "email verification: link")

    go(page, "/portal/register/done/")
    code = code_in_mail(message)
    wrong = "000000" if code != "000000" else "111111"
    fill(page, "code", wrong)
    submit(page, form_with(page, "code"))
    expect_path(page, "/portal/verify/code/")
    assert page.locator(".tp-error-summary").is_visible()
    a11y.check(page, "email verification: wrong code")

    fill(page, "code", code)
    submit(page, form_with(page, "code"))


def enrol_totp(page, a11y):
    """The company requires two-factor: set-up page → confirm password → QR code and key → first
    code → backup codes. Returns the ``pyotp.TOTP`` of the key shown on the page."""
    expect_path(page, "/portal/2fa/")
    a11y.check(page, "two-factor: set-up required")
    with page.expect_navigation():
        page.locator("a[href^='/portal/2fa/app/']").click()
    expect_path(page, "/portal/2fa/confirm-password/")
    a11y.check(page, "two-factor: confirm password")

    fill(page, "password", PASSWORD)
    submit(page, form_with(page, "password"))
    expect_path(page, "/portal/2fa/app/")
    secret = page.locator("code.tp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    a11y.check(page, "two-factor: authenticator app")

    fill(page, "code", totp.now())
    submit(page, form_with(page, "code"))
    expect_path(page, "/portal/2fa/backup-codes/")
    assert page.locator(".tp-code-list li").count() >= 5
    a11y.check(page, "two-factor: backup codes")
    return totp


def check_contact_data(page, a11y):
    """First login: the contact data page (asked for once), saved with a phone number."""
    go(page, "/portal/account/")
    expect_path(page, "/portal/account/contact/")
    a11y.check(page, "first login: contact data")
    fill(page, "phone", "0341 2345678")
    submit(page, form_with(page, "phone"))
    expect_path(page, "/portal/account/")


def see_account(page, a11y, *, contract, email, state="account: overview"):
    go(page, "/portal/account/")
    text = page.locator("main").inner_text()
    assert contract.number in text
    assert email in text
    a11y.check(page, state)


def log_out(page, a11y, *, check_pages=True):
    """Log out through the confirmation page; ends on the login page with the message."""
    go(page, "/portal/logout/")
    if check_pages:
        a11y.check(page, "logout: confirm")
    submit(page, "form[action='/portal/logout/']")
    expect_path(page, "/portal/login/")
    assert page.locator(".tp-messages").is_visible()
    if check_pages:
        a11y.check(page, "login: after logout")
    # Logged out for real: the account page sends the browser to the login.
    go(page, "/portal/account/")
    expect_path(page, "/portal/login/")


def log_in_with_totp(page, a11y, *, email, totp):
    """Password (first a wrong one), then the code of the authenticator app; ends on the account page."""
    go(page, "/portal/login/")
    fill(page, "email", email)
    fill(page, "password", PASSWORD + "-falsch")
    submit(page, form_with(page, "password"))
    expect_path(page, "/portal/login/")
    assert page.locator(".tp-error-summary").is_visible()
    a11y.check(page, "login: wrong password")

    fill(page, "email", email)
    fill(page, "password", PASSWORD)
    submit(page, form_with(page, "password"))
    expect_path(page, "/portal/2fa/verify/")
    a11y.check(page, "login: security code")
    fill(page, "code", next_totp_code(totp))
    submit(page, form_with(page, "code"))
    # Without "next", a login leads to the tenant's overview (dashboard app).
    expect_path(page, "/portal/overview/")
    a11y.check(page, "overview: after login")


# -- requests and damage reports (tickets) --------------------------------------------------------

REQUEST_DETAIL = re.compile(r"/portal/requests/\d{4}-\d{6,}/")


def report_damage_with_photo(page, a11y, *, damage_kind, photo):
    """From "my requests" (none yet) to a new damage report with a photo: the type choice, the
    form sent empty (errors), then filled in. Ends on the request's page; returns its reference."""
    go(page, "/portal/requests/")
    a11y.check(page, "requests: none yet")
    with page.expect_navigation():
        page.locator("main a[href='/portal/requests/new/']").first.click()
    expect_path(page, "/portal/requests/new/")
    a11y.check(page, "requests: choose a type")
    with page.expect_navigation():
        page.locator("a[href='/portal/requests/new/damage_report/']").click()
    expect_path(page, "/portal/requests/new/damage_report/")
    a11y.check(page, "damage report: form")

    form = form_with(page, "damage_kind")
    fill(page, "contact_phone", "")
    submit(page, form)
    expect_path(page, "/portal/requests/new/damage_report/")
    assert page.locator(".tp-error-summary").is_visible()
    assert page.locator("[name='damage_kind'][aria-invalid='true']").count() == 1
    a11y.check(page, "damage report: errors")

    form = form_with(page, "damage_kind")
    form.locator("[name='damage_kind']").select_option(label=damage_kind.name)
    fill(page, "description", "Der Wasserhahn im Bad tropft seit gestern, auch wenn er zugedreht ist.")
    fill(page, "contact_phone", "0341 2345678")
    form.locator("input[name='access_permission']").first.check()
    form.locator("input[name='attachments']").set_input_files(str(photo))
    submit(page, form)
    expect_path(page, REQUEST_DETAIL)
    assert page.locator(".tp-messages").is_visible()
    thumbnail = page.locator("img.tp-thumbnail")
    assert thumbnail.count() == 1
    # The photo is served through the portal (re-encoded, private), not from a public URL.
    response = page.request.get(thumbnail.get_attribute("src"))
    assert response.ok and response.headers["content-type"] == "image/jpeg"
    a11y.check(page, "damage report: received")
    return path_of(page).strip("/").rsplit("/", 1)[-1]


def see_status_change(page, a11y, *, reference, status, comment):
    """The tenant sees the status set by staff on "my requests" and on the request's page,
    with the staff's comment in the history."""
    go(page, "/portal/requests/")
    row = page.locator("tr", has=page.locator(f"a:text-is('{reference}')"))
    assert row.locator(f".tp-status--{status.code}").is_visible()
    a11y.check(page, "requests: list")
    with page.expect_navigation():
        row.locator(f"a:text-is('{reference}')").click()
    expect_path(page, f"/portal/requests/{reference}/")
    assert page.locator(f".tp-status--{status.code}").first.is_visible()
    assert comment in page.locator(".tp-history").inner_text()
    a11y.check(page, "request: status changed")


# -- documents ------------------------------------------------------------------------------------


def download_document(page, a11y, *, title, content):
    """ "My documents" lists the new document; its link downloads exactly ``content``; afterwards
    the list shows it as opened."""
    go(page, "/portal/documents/")
    link = page.locator("a", has_text=title)
    assert link.count() == 1
    a11y.check(page, "documents: a new document")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == content
    go(page, "/portal/documents/")
    assert page.locator(".tp-badge").count() == 0  # no longer "new"
    a11y.check(page, "documents: opened")
