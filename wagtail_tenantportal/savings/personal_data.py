"""What the savings app shows about a user (``core.personal_data``): the savings accounts the
user's parties hold, with bookings and exemption orders. They are the cooperative's banking
records (kept by law when an account is deleted); nothing here is linked to the login."""

from ..core.personal_data import PersonalDataProvider, iso, register
from .models import ExemptionOrder, SavingsAccount, SavingsTransaction


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
        }
