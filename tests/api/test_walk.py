"""Every endpoint of the API, walked as every kind of caller who must not see Erika's data.

The endpoints come from the URL resolver (``api.urls.endpoint_patterns``), so a new endpoint
is walked without touching this test. Each one is called with every method its view
implements, its path parameters filled with Erika's objects, as:

- anonymous (no credentials),
- a pending token (Paula passed her password, not her second factor),
- Ben (another tenant of Erika's landlord) and Cem (a tenant of another landlord),
- Erika's own token after she revoked it.

Expected: 401 for anonymous, pending and revoked callers wherever a login is needed; 404 for
Ben and Cem on every URL that names one of Erika's objects; never a 5xx; and no answer to any
of them contains anything of Erika's (reference, subject, document id and title, contract
number, notice, savings account, email). The counts are printed.
"""

from collections import Counter

from django.urls import URLPattern

from tests.api.conftest import API, client_for, token_for
from wagtail_tenantportal.api import services as tokens
from wagtail_tenantportal.api.models import AppToken
from wagtail_tenantportal.api.permissions import Anybody
from wagtail_tenantportal.api.urls import endpoint_patterns

METHODS = ("get", "post", "put", "patch", "delete")
#: A signed download link is a short-lived capability: whoever holds it gets the file (like a
#: presigned S3 URL); the owner asks for it with her token. Walked separately (test_documents).
CAPABILITY_ROUTES = {"documents_signed"}
#: Endpoints that open for a pending token (the second factor) or a verification token.
PENDING_ROUTES = {"auth_2fa_verify", "auth_2fa_email_code", "auth_session", "auth_logout"}


def _parameters(world, erika_token):
    from wagtail_tenantportal.accounts import leaving

    attachment = world.ticket.attachments.first()
    export = leaving.request_export(world.erika)  # prepared at once (the outbox runs in tests)
    return {
        "export_id": str(export.uuid),
        "contract_id": world.contract.pk,
        "reference": world.ticket.reference,
        "attachment_id": attachment.pk,
        "document_id": str(world.document.uuid),
        "notice_id": world.notice.pk,
        "account_id": world.savings.pk,
        "token_id": erika_token.pk,
        "signed": tokens.sign_link(world.erika, world.document.uuid),
    }


def _routes():
    for pattern in endpoint_patterns():
        assert isinstance(pattern, URLPattern)
        view = pattern.callback.view_class
        methods = [m for m in METHODS if hasattr(view, m)]
        yield pattern, view, methods


def _url(pattern, parameters):
    route = str(pattern.pattern)
    for name in pattern.pattern.converters:
        for kind in ("tp_id", "tp_ref", "uuid", "str"):
            route = route.replace(f"<{kind}:{name}>", str(parameters[name]))
    return API + route


def _call(client, method, url):
    return getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)


def test_every_endpoint_as_every_wrong_caller(world, capsys):
    erika_token, _secret = tokens.issue(world.erika, AppToken.Kind.SESSION, name="Erikas Telefon")
    parameters = _parameters(world, erika_token)
    revoked_secret = token_for(world.erika, name="verlorenes Telefon")
    tokens.revoke(tokens.authenticate(revoked_secret))
    pending_secret = tokens.issue(world.paula, AppToken.Kind.PENDING)[1]
    callers = {
        "anonymous": lambda: client_for(None),
        "pending": lambda: client_for(pending_secret),
        "other_tenant": lambda: client_for(token_for(world.ben)),
        "other_company": lambda: client_for(token_for(world.cem)),
        "revoked": lambda: client_for(revoked_secret),
    }
    markers = world.markers()
    counts, statuses, problems = Counter(), Counter(), []
    routes = list(_routes())
    assert len(routes) >= 50, "the walk must see every endpoint"
    for pattern, view, methods in routes:
        if pattern.name in CAPABILITY_ROUTES:
            continue
        url = _url(pattern, parameters)
        names_object = bool(pattern.pattern.converters)
        open_to_anybody = any(p is Anybody for p in view.permission_classes)
        for method in methods:
            for caller, make_client in callers.items():
                response = _call(make_client(), method, url)
                counts[caller] += 1
                statuses[response.status_code] += 1
                body = response.content.decode("utf-8", "replace")
                where = f"{method.upper()} {url} as {caller}: {response.status_code}"
                if response.status_code >= 500:
                    problems.append(f"{where} (server error)")
                leaked = [marker for marker in markers if marker and marker in body]
                if leaked:
                    problems.append(f"{where} shows {leaked}")
                if response.status_code < 400 and caller in ("anonymous", "pending", "revoked"):
                    if not open_to_anybody and pattern.name not in PENDING_ROUTES:
                        problems.append(f"{where} (should need a login)")
                if caller == "revoked" and response.status_code != 401:
                    problems.append(f"{where} (a revoked token must be refused)")
                if caller in ("anonymous", "pending") and not open_to_anybody:
                    if pattern.name not in PENDING_ROUTES and response.status_code != 401:
                        problems.append(f"{where} (expected 401)")
                if (
                    caller in ("other_tenant", "other_company")
                    and names_object
                    and response.status_code != 404
                ):
                    problems.append(f"{where} (expected 404 for Erika's object)")
                if response.status_code >= 400:
                    assert set(response.json()) >= {"status", "code", "message", "fields"}, where
    with capsys.disabled():
        print(
            f"\nAPI walk: {len(routes)} endpoints, {sum(counts.values())} calls "
            f"({', '.join(f'{k} {v}' for k, v in counts.items())}); "
            f"statuses {dict(sorted(statuses.items()))}; problems {len(problems)}"
        )
    assert not problems, "\n".join(problems)
