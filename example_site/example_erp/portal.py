"""The example ERP's side of the link: receiving signed events, calling the portal back.

Written as an ERP developer would, against the documented HTTP interface only (docs/erp.md):
signatures are checked and made with the ``standardwebhooks`` package; nothing here imports
the portal's code.
"""

import base64
import io
import json
import uuid
from datetime import UTC, datetime

import requests
from standardwebhooks import Webhook, WebhookVerificationError

from .models import Case, Event, PortalLink


class CallFailed(Exception):
    pass


def receive(link, body, headers):
    """Verify and store one event; returns ``(status, answer)``. A redelivery (same
    webhook-id) is answered like the first delivery and stored once."""
    try:
        payload = Webhook(link.signing_secret).verify(body, headers)
    except WebhookVerificationError as exc:
        return 401, {"error": str(exc)}
    webhook_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
    existing = Event.objects.filter(webhook_id=webhook_id).select_related("case").first()
    if existing is not None:
        return 200, {"case_id": existing.case.number if existing.case else None, "duplicate": True}
    data = payload.get("data", {})
    case = Case.objects.filter(link=link, reference=data.get("reference")).first()
    if payload.get("type") == "ticket.created" and case is None:
        case = Case.objects.create(
            link=link,
            number=f"VG-{Case.objects.count() + 1:05d}",
            reference=data["reference"],
            case_type=data.get("case_type") or "",
            clerk=data.get("clerk") or "",
            subject=data.get("subject", ""),
            description=data.get("description", ""),
            contract_number=(data.get("contract") or {}).get("number", ""),
            status=(data.get("status") or {}).get("name", ""),
        )
    if case is not None and payload.get("type") == "ticket.status_changed":
        case.status = data["to"]["name"]
        case.save(update_fields=["status"])
    Event.objects.create(webhook_id=webhook_id, case=case, type=payload.get("type", ""), payload=payload)
    return 200, {"case_id": case.number if case else None}


def call(link, path, data):
    """POST ``data`` to the portal's inbound API, signed; returns the JSON answer."""
    body = json.dumps(data).encode()
    msg_id = f"msg_{uuid.uuid4().hex}"
    now = datetime.now(tz=UTC)
    headers = {
        "authorization": f"Bearer {link.api_key}",
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(link.signing_secret).sign(msg_id, now, body),
    }
    try:
        response = requests.post(
            link.api_url.rstrip("/") + "/" + path, data=body, headers=headers, timeout=30
        )
    except requests.RequestException as exc:
        raise CallFailed(str(exc)) from exc
    try:
        answer = response.json()
    except ValueError:
        answer = {"detail": response.text[:200]}
    if response.status_code >= 400:
        raise CallFailed(f"{response.status_code}: {answer.get('detail') or answer}")
    return answer


def letter_pdf(case, title):
    """A one-page letter about ``case`` (reportlab)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(25 * mm, 260 * mm, title)
    pdf.setFont("Helvetica", 11)
    for number, line in enumerate(
        [
            f"Vorgang {case.number} (Ihre Anfrage {case.reference})",
            f"Betreff: {case.subject}",
            "",
            "Sehr geehrte Damen und Herren,",
            "wir haben Ihr Anliegen aufgenommen und einen Auftrag erteilt.",
            "Mit freundlichen Grüßen",
            "Ihre Genossenschaft",
        ]
    ):
        pdf.drawString(25 * mm, (245 - number * 7) * mm, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def set_status(case, status, comment):
    return call(case.link, f"requests/{case.number}/status", {"status": status, "comment": comment})


def reply(case, text):
    return call(
        case.link,
        f"requests/{case.number}/messages",
        {"id": f"{case.number}-{uuid.uuid4().hex[:8]}", "body": text},
    )


def attach_pdf(case, title):
    content = base64.b64encode(letter_pdf(case, title)).decode()
    return call(
        case.link,
        "documents",
        {
            "id": f"{case.number}-{uuid.uuid4().hex[:8]}",
            "target": {"type": "contract", "id": case.contract_number},
            "title": title,
            "category": "letter",
            "filename": f"{case.number}.pdf",
            "content_base64": content,
        },
    )


def link_for(company_erp_id):
    return PortalLink.objects.filter(company_erp_id=company_erp_id).first()
