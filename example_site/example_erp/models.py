"""The example ERP's own data: the portal it is linked to, the cases it received, the events.

It stands for the cooperative's ERP (immotion, Wodis, …): it lives in the example site only to
show the round trip, and it talks to the portal like any ERP would, over HTTP.
"""

from django.db import models


class PortalLink(models.Model):
    """How this ERP reaches the portal for one company: the inbound API's address, the API key
    and the signing secret (shown once in the portal's admin; the demo loader stores them)."""

    company_erp_id = models.CharField("Mandant", max_length=64, unique=True)
    api_url = models.URLField("Adresse der Portal-Schnittstelle")
    api_key = models.CharField("API-Schlüssel", max_length=200)
    signing_secret = models.CharField("Signaturschlüssel", max_length=100)

    def __str__(self):
        return self.company_erp_id


class Case(models.Model):
    """A case (Vorgang) made from a request of the portal."""

    link = models.ForeignKey(PortalLink, on_delete=models.CASCADE, related_name="cases")
    number = models.CharField("Vorgangsnummer", max_length=40, unique=True)
    reference = models.CharField("Portal-Referenz", max_length=40)
    case_type = models.CharField("Vorgangsart", max_length=100, blank=True)
    clerk = models.CharField("Sachbearbeitung", max_length=100, blank=True)
    subject = models.CharField("Betreff", max_length=200)
    description = models.TextField("Beschreibung", blank=True)
    contract_number = models.CharField("Vertrag", max_length=40, blank=True)
    status = models.CharField("Status im Portal", max_length=40, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.number} {self.subject}"


class Event(models.Model):
    """One webhook the ERP accepted (its ``webhook-id`` is unique: a redelivery is ignored)."""

    webhook_id = models.CharField(max_length=100, unique=True)
    case = models.ForeignKey(Case, null=True, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=60)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self):
        return f"{self.type} {self.webhook_id}"

    def summary(self):
        data = self.payload.get("data", {})
        if self.type == "ticket.status_changed":
            return f"Status: {data['to']['name']}" + (f" – {data['comment']}" if data.get("comment") else "")
        if self.type == "ticket.message_posted":
            return f"Nachricht ({data['message']['author_role']}): {data['message']['body']}"
        if self.type == "ticket.attachment_added":
            return f"Anhang: {data['attachment']['filename']}"
        return "Vorgang angelegt"
