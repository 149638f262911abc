"""Connectors: how events reach a company's ERP.

A connection names its connector as ``{"CLASS": "dotted.path", "OPTIONS": {...}}`` (like
wagtail-localize's machine translators). A connector subclasses :class:`BaseConnector` and
implements :meth:`BaseConnector.send`; the outbox's ``"erp"`` transport makes one connector per
connection and delivery run and hands it the events of that connection in order.

Bundled:

- :class:`WebhookConnector`: a JSON POST per event, signed per the Standard Webhooks
  specification (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) with the
  ``standardwebhooks`` package; the ``webhook-id`` is the idempotency key. OPTIONS: ``url``
  (required), ``timeout`` (seconds, default 10), ``headers`` (extra headers, e.g. for a
  gateway), ``verify_tls`` (default true).
- :class:`DummyConnector`: keeps the events in memory (``DummyConnector.outbox``) and can
  fail on purpose; for demos and tests. OPTIONS: ``fail`` (an error message: every send
  fails with it), ``case_prefix`` (answer with case ids ``<prefix><reference>``).
"""

import json
import logging
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from ..core.outbox import DeliveryFailed

logger = logging.getLogger("wagtail_tenantportal.erp")

#: Characters of an answer kept in an error message.
ANSWER_EXCERPT = 300


@dataclass
class Event:
    """One event as it goes out: ``id`` (the webhook-id), ``type``, ``timestamp`` (a datetime:
    when it is sent), ``body`` (the JSON bytes) and ``payload`` (the same as a dict)."""

    id: str
    type: str
    timestamp: object
    body: bytes
    payload: dict


class BaseConnector:
    """The base of every connector. ``connection`` is the company's ``Connection``; ``options``
    its OPTIONS. One instance serves many events of one connection in one delivery run."""

    #: Seconds one ``send`` may take at most (the outbox keeps its lease long enough).
    timeout = 10

    def __init__(self, connection, **options):
        self.connection = connection
        self.options = options

    @classmethod
    def check_options(cls, options):
        """Translated problems with ``options`` (shown in the admin when saving); [] if fine."""
        return []

    def open(self):
        """Called before the first event of a run."""

    def close(self):
        """Called after the last event of a run."""

    def send(self, event):
        """Deliver ``event``; return the ERP's answer as a dict (may name its case id under
        ``case_id``) or None. Raise ``core.outbox.DeliveryFailed`` when it did not arrive."""
        raise NotImplementedError


class DummyConnector(BaseConnector):
    """Keeps events in memory instead of sending them (demos, tests)."""

    #: Every event sent through any dummy connector: ``(connection id, Event)``.
    outbox = []

    @classmethod
    def check_options(cls, options):
        if "fail" in options and not isinstance(options["fail"], str):
            return [_("“fail” must be an error message (text).")]
        return []

    def send(self, event):
        if self.options.get("fail"):
            raise DeliveryFailed(self.options["fail"])
        DummyConnector.outbox.append((self.connection.pk, event))
        prefix = self.options.get("case_prefix")
        if prefix and event.type == "ticket.created":
            return {"case_id": f"{prefix}{event.payload['data']['reference']}"}
        return None


class WebhookConnector(BaseConnector):
    """POSTs each event as JSON, signed per Standard Webhooks; keeps one HTTP connection open
    per run (urllib3). 2xx is success; anything else, a timeout or a refused connection is a failure the
    outbox tries again. A 2xx answer may be JSON naming the ERP's case id (``case_id`` or
    ``id``); an answer that is not JSON is accepted and ignored."""

    def __init__(self, connection, **options):
        super().__init__(connection, **options)
        self.timeout = float(options.get("timeout", 10))
        self.session = None

    @classmethod
    def check_options(cls, options):
        problems = []
        url = options.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            problems.append(_("OPTIONS need a “url” starting with https:// (or http:// for tests)."))
        if "timeout" in options:
            try:
                if not 0 < float(options["timeout"]) <= 120:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(_("“timeout” must be a number of seconds from 1 to 120."))
        if "headers" in options and not isinstance(options["headers"], dict):
            problems.append(_("“headers” must be an object of header names and values."))
        return problems

    def open(self):
        url = self.options["url"]
        # urllib3 (what requests is built on) without requests' per-call work: one kept-alive
        # connection per run. A proxy from the environment (HTTPS_PROXY, NO_PROXY) is honoured.
        kwargs = {
            "retries": False,
            "timeout": urllib3.Timeout(total=self.timeout),
            "cert_reqs": "CERT_REQUIRED" if self.options.get("verify_tls", True) else "CERT_NONE",
            "headers": {str(k): str(v) for k, v in (self.options.get("headers") or {}).items()},
        }
        proxy = urllib.request.getproxies().get(urlsplit(url).scheme)
        if proxy and not urllib.request.proxy_bypass(urlsplit(url).hostname or ""):
            self.session = urllib3.ProxyManager(proxy, **kwargs)
        else:
            self.session = urllib3.PoolManager(**kwargs)

    def close(self):
        if self.session is not None:
            self.session.clear()
            self.session = None

    def signature(self, event):
        """The ``webhook-signature`` header: one ``v1,…`` signature per current secret."""
        secrets = self.connection.signing_secrets()
        return " ".join(Webhook(secret).sign(event.id, event.timestamp, event.body) for secret in secrets)

    def send(self, event):
        if self.session is None:
            self.open()
        headers = {
            "content-type": "application/json",
            "webhook-id": event.id,
            "webhook-timestamp": str(int(event.timestamp.timestamp())),
            "webhook-signature": self.signature(event),
            "user-agent": "wagtail-tenantportal",
        }
        try:
            response = self.session.request(
                "POST", self.options["url"], body=event.body, headers=headers, redirect=False
            )
        except urllib3.exceptions.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status < 300:
            excerpt = response.data[:ANSWER_EXCERPT].decode("utf-8", "replace").strip()
            raise DeliveryFailed(f"HTTP {response.status}: {excerpt}")
        try:
            answer = json.loads(response.data) if response.data else None
        except ValueError:
            return None
        return answer if isinstance(answer, dict) else None


def connector_class(config):
    """The connector class a connection's ``connector`` setting names (``ImportError``,
    ``TypeError`` or ``ValueError`` when it names none)."""
    if not isinstance(config, dict) or not isinstance(config.get("CLASS"), str):
        raise ValueError(_("The connector must be {“CLASS”: “dotted.path”, “OPTIONS”: {…}}."))
    cls = import_string(config["CLASS"])
    if not (isinstance(cls, type) and issubclass(cls, BaseConnector)):
        raise TypeError(
            _("%(path)s is not a connector (a subclass of BaseConnector).") % {"path": config["CLASS"]}
        )
    return cls


def connector_errors(config):
    """Translated problems with a connection's ``connector`` setting; [] if it is usable."""
    try:
        cls = connector_class(config)
    except ImportError:
        return [_("The class “%(path)s” cannot be imported.") % {"path": config.get("CLASS")}]
    except (TypeError, ValueError) as exc:
        return [str(exc)]
    options = config.get("OPTIONS", {})
    if not isinstance(options, dict):
        return [_("“OPTIONS” must be an object.")]
    unknown = set(config) - {"CLASS", "OPTIONS"}
    if unknown:
        return [_("Unknown keys: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}]
    return cls.check_options(options)


def make_connector(connection):
    """The connector of ``connection`` (raises ``DeliveryFailed(permanent=True)`` when its
    setting is unusable: trying again cannot help until staff fix it)."""
    problems = connector_errors(connection.connector)
    if problems:
        raise DeliveryFailed("; ".join(str(p) for p in problems), permanent=True)
    cls = connector_class(connection.connector)
    return cls(connection, **connection.connector.get("OPTIONS", {}))


def encode(payload):
    """The JSON body of an event: compact, UTF-8, keys in a fixed order (what is signed)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
