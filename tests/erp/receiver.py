"""A loopback ERP for the tests and the benchmark: an HTTP server on 127.0.0.1 that verifies
each Standard Webhooks signature with the ``standardwebhooks`` package, as an ERP developer
would, and keeps what it received.

``deliveries`` are all signed POSTs in arrival order (a redelivery included); ``cases`` the
unique events by ``webhook-id`` (what an idempotent receiver keeps). ``mode``: ``"up"``,
``"down"`` (answers 503), ``"block"`` (waits until ``release`` is set: a delivery in flight).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, secret):
        self.webhook = Webhook(secret)
        self.mode = "up"
        self.deliveries = []
        self.events = {}
        self.rejected = 0
        self.reasons = []
        self.lock = threading.Lock()
        self.arrived = threading.Event()  # set when a delivery arrives (in any mode)
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes: without TCP_NODELAY the client's
            # delayed ACK holds each answer back by 40 ms.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, answer = receiver.handle(body, dict(self.headers.items()))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def handle(self, body, headers):
        self.arrived.set()
        if self.mode == "down":
            return 503, {"error": "maintenance"}
        if self.mode == "block":
            self.release.wait(timeout=30)
        try:
            payload = self.webhook.verify(body, headers)
        except WebhookVerificationError as exc:
            with self.lock:
                self.rejected += 1
                self.reasons.append(str(exc))
            return 401, {"error": "bad signature"}
        webhook_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        with self.lock:
            self.deliveries.append((webhook_id, payload))
            self.events.setdefault(webhook_id, payload)
        if payload["type"] == "ticket.created":
            return 200, {"case_id": "V-" + payload["data"]["reference"]}
        return 200, {}

    @property
    def cases(self):
        """The unique ``ticket.created`` events, by reference."""
        with self.lock:
            events = list(self.events.values())
        return [e["data"]["reference"] for e in events if e["type"] == "ticket.created"]

    def events_of(self, reference):
        """The unique events of one request, in arrival order."""
        with self.lock:
            events = list(self.events.values())
        return [e["type"] for e in events if e["data"]["reference"] == reference]
