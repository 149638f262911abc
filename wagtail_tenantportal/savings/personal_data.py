"""What the savings app shows about a user (``core.personal_data``): the savings accounts the
user's parties hold, with bookings and exemption orders. They are the cooperative's banking
records (kept by law when an account is deleted). Exemption order requests are kept as well;
erasing unlinks them from the login (``submitted_by``) and from staff who decided them."""

from ..core.personal_data import ErasureReport, PersonalDataProvider, iso, register
from .models import ExemptionOrder, ExemptionRequest, SavingsAccount, SavingsTransaction


@register
class SavingsPersonalData(PersonalDataProvider):
    app = "savings"
    order = 100

    def export(self, user):
        accounts = list(SavingsAccount.objects.visible_to(user).order_by("pk"))
        bookings = {}
        for booking in SavingsTransaction.objects.filter(account__in=accounts).order_by(
            "account_id", "booking_date", "sequence", "pk"
        ):
            bookings.setdefault(booking.account_id, []).append(
                {
                    "booking_date": iso(booking.booking_date),
                    "value_date": iso(booking.value_date),
                    "kind": booking.kind,
                    "text": booking.text,
                    "amount": str(booking.amount),
                    "balance_after": str(booking.balance_after)
                    if booking.balance_after is not None
                    else None,
                }
            )
        orders = ExemptionOrder.objects.visible_to(user).order_by("valid_from", "pk")
        return {
            "accounts": [
                {
                    "number": account.number,
                    "product": account.product_name,
                    "interest_rate": str(account.interest_rate)
                    if account.interest_rate is not None
                    else None,
                    "opened_on": iso(account.opened_on),
                    "closed_on": iso(account.closed_on),
                    "bookings": bookings.get(account.pk, []),
                }
                for account in accounts
            ],
            "exemption_orders": [
                {
                    "amount": str(order.amount),
                    "valid_from": iso(order.valid_from),
                    "valid_until": iso(order.valid_until),
                    "joint": order.joint,
                }
                for order in orders
            ],
            "exemption_requests": [
                {
                    "year": req.year,
                    "action": req.action,
                    "amount": str(req.amount),
                    "joint": req.joint,
                    "status": req.status,
                    "submitted": iso(req.created_at),
                    "decided": iso(req.decided_at),
                    "note": req.note,
                }
                for req in ExemptionRequest.objects.visible_to(user).order_by("created_at", "pk")
            ],
        }

    def erase(self, user):
        report = ErasureReport(self.app)
        report.anonymised["exemption_requests"] = ExemptionRequest.objects.filter(submitted_by=user).update(
            submitted_by=None
        )
        report.anonymised["exemption_decisions"] = ExemptionRequest.objects.filter(decided_by=user).update(
            decided_by=None
        )
        return report

    def remaining(self, user):
        return {
            "exemption_requests": ExemptionRequest.objects.filter(submitted_by_id=user.pk).count()
            + ExemptionRequest.objects.filter(decided_by_id=user.pk).count()
        }
