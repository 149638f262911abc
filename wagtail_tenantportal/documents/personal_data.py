"""What the documents app holds about a user (``core.personal_data``).

Export: the documents the user can open in the portal (title, category, date, whether opened)
with their files, and the read receipts of the user's parties.

Erasure: documents and read receipts are the company's records of what it delivered to a
party; they stay, but lose their link to the login (who opened it first, who asked for a
certificate). Document requests stay open for staff (and answered ones on record); they lose
the link to the login of who asked and who decided.
"""

from ..core import ownership
from ..core.personal_data import ErasureReport, ExportFile, PersonalDataProvider, iso, register
from .models import Document, DocumentReceipt, DocumentRequest


def _file_name(document):
    name = document.original_filename or f"{document.title}.pdf"
    return f"documents/{document.pk}-{name}"


@register
class DocumentsPersonalData(PersonalDataProvider):
    app = "documents"
    order = 100

    def _documents(self, user):
        return Document.objects.visible_to(user).select_related("category").order_by("document_date", "pk")

    def export(self, user):
        party_ids = ownership.party_ids(user)
        receipts = (
            DocumentReceipt.objects.filter(party_id__in=party_ids).select_related("document", "party")
            if party_ids is not None
            else DocumentReceipt.objects.none()
        )
        return {
            "documents": [
                {
                    "title": document.title,
                    "category": str(document.category),
                    "document_date": iso(document.document_date),
                    "published_from": iso(document.published_from),
                    "file": _file_name(document),
                }
                for document in self._documents(user)
            ],
            "read_receipts": [
                {
                    "document": receipt.document.title,
                    "party": receipt.party.full_name,
                    "first_opened_at": iso(receipt.first_opened_at),
                    "last_opened_at": iso(receipt.last_opened_at),
                    "times_opened": receipt.open_count,
                }
                for receipt in receipts.order_by("pk")
            ],
            "document_requests": [
                {
                    "document": req.request_type.name,
                    "contract": req.contract.number,
                    "note": req.note,
                    "status": req.status,
                    "requested": iso(req.created_at),
                    "decided": iso(req.decided_at),
                    "reason": req.reason,
                }
                for req in DocumentRequest.objects.visible_to(user)
                .select_related("request_type", "contract")
                .order_by("created_at", "pk")
            ],
        }

    def files(self, user):
        return [ExportFile(_file_name(document), document.file.open) for document in self._documents(user)]

    def erase(self, user):
        report = ErasureReport(self.app)
        report.anonymised["read_receipts"] = DocumentReceipt.objects.filter(first_opened_by=user).update(
            first_opened_by=None
        )
        report.anonymised["documents"] = Document.objects.filter(created_by=user).update(created_by=None)
        report.anonymised["document_requests"] = DocumentRequest.objects.filter(requested_by=user).update(
            requested_by=None
        ) + DocumentRequest.objects.filter(decided_by=user).update(decided_by=None)
        return report

    def kept(self, user):
        return {"documents": Document.objects.visible_to(user).count()}

    def remaining(self, user):
        return {
            "read_receipts": DocumentReceipt.objects.filter(first_opened_by_id=user.pk).count(),
            "documents": Document.objects.filter(created_by_id=user.pk).count(),
            "document_requests": DocumentRequest.objects.filter(requested_by_id=user.pk).count()
            + DocumentRequest.objects.filter(decided_by_id=user.pk).count(),
        }
