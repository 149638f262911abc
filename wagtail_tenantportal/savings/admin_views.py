"""Staff admin of the savings (Wagtail viewsets in the "Tenant portal" menu group).

The ERP is the master of the savings data: the import (``tenantportal_import_savings``)
overwrites what it delivers, so the admin shows and exports, it does not edit.

- Savings accounts: listing with holders and balance (one query for the page plus one for
  the holders), filter by company, search by number, ERP id or holder name, export; the
  inspect page shows the holders, the latest bookings and the holders' exemption orders.
- Exemption orders: listing, filter by company, search by party, export.
- "Import savings data": upload of the CSV files (the master-data upload page, with the
  savings import); for staff with the permission to add savings accounts.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column, Table

from ..admin.uploads import BaseImportUploadView, ImportUploadViewSet
from ..admin.utils import field_label, link_column
from ..admin.viewsets import InspectSection, PortalModelViewSet, read_only_urlpatterns
from ..tenancy.models import Party
from .importer import KIND_ORDER, import_savings, savings_upload
from .models import ExemptionOrder, SavingsAccount, SavingsAccountHolder, SavingsTransaction

#: Bookings shown on an account's inspect page (the export of the account has all of them).
INSPECT_TRANSACTIONS = 100


def holder_names(account):
    return ", ".join(p.full_name for p in account.holders.all())


class SavingsAccountViewSet(PortalModelViewSet):
    model = SavingsAccount
    name = "tenantportal_savingsaccount"
    url_prefix = "tenantportal/savings-accounts"
    icon = "doc-full-inverse"
    menu_label = _("Savings accounts")
    ordering = "number"
    without_views = ("add", "edit", "delete", "history", "usage")
    list_display = [
        "number",
        Column("holders", label=_("Account holders"), accessor=holder_names),
        "product_name",
        Column("interest_rate", label=field_label(SavingsAccount, "interest_rate"), sort_key="interest_rate"),
        Column("balance", label=_("Balance (EUR)"), sort_key="balance"),
        "closed_on",
        "company",
    ]
    list_filter = ["company"]
    search_fields = ["number", "erp_id", "product_name"]
    list_export = [
        "company",
        "erp_id",
        "number",
        "product_name",
        "interest_rate",
        "opened_on",
        "closed_on",
        "holder_names",
        "balance",
    ]
    export_headings = {"holder_names": _("Account holders"), "balance": _("Balance (EUR)")}
    export_getters = {"holder_names": holder_names}
    inspect_view_fields = [
        "number",
        "company",
        "erp_id",
        "product_name",
        "interest_rate",
        "opened_on",
        "closed_on",
        "contract",
        "imported_at",
    ]

    def get_listing_queryset(self, queryset):
        return queryset.with_balance().select_related("company").prefetch_related("holders")

    def get_extra_search(self, query):
        return Q(pk__in=SavingsAccountHolder.objects.naming_party(query).values("account_id"))

    def get_object_queryset(self, queryset):
        return queryset.with_balance().select_related("company", "contract")

    def get_urlpatterns(self):
        return read_only_urlpatterns(self)

    def get_inspect_sections(self, account):
        holders = [link.party for link in account.account_holders.select_related("party").order_by("pk")]
        holder_columns = [
            link_column("party", field_label(SavingsAccount, "holders"), Party, accessor="full_name"),
            Column("erp_id", label=field_label(Party, "erp_id")),
            Column("email", label=field_label(Party, "email")),
        ]
        transactions = list(
            account.transactions.order_by("-booking_date", "-sequence", "-pk")[:INSPECT_TRANSACTIONS]
        )
        tx_columns = [
            Column("booking_date", label=field_label(SavingsTransaction, "booking_date")),
            Column("value_date", label=field_label(SavingsTransaction, "value_date")),
            Column("kind", label=field_label(SavingsTransaction, "kind"), accessor="get_kind_display"),
            Column("text", label=field_label(SavingsTransaction, "text")),
            Column("amount", label=field_label(SavingsTransaction, "amount")),
            Column("balance_after", label=field_label(SavingsTransaction, "balance_after")),
            Column("erp_id", label=field_label(SavingsTransaction, "erp_id")),
        ]
        orders = list(ExemptionOrder.objects.of_parties([h.pk for h in holders]))
        order_columns = [
            Column("party", label=field_label(ExemptionOrder, "party")),
            Column("amount", label=field_label(ExemptionOrder, "amount")),
            Column("valid_from", label=field_label(ExemptionOrder, "valid_from")),
            Column("valid_until", label=field_label(ExemptionOrder, "valid_until")),
            BooleanColumn("joint", label=field_label(ExemptionOrder, "joint")),
        ]
        return [
            InspectSection(
                heading=_("Account holders"),
                table=Table(holder_columns, holders),
                empty_message=_("No holders named (the tenants see nothing of this account)."),
            ),
            InspectSection(
                heading=_("Latest transactions"),
                table=Table(tx_columns, transactions),
                empty_message=_("No transactions."),
            ),
            InspectSection(
                heading=_("Exemption orders of the holders"),
                table=Table(order_columns, orders),
                empty_message=_("No exemption orders."),
            ),
        ]


class ExemptionOrderViewSet(PortalModelViewSet):
    model = ExemptionOrder
    name = "tenantportal_exemptionorder"
    url_prefix = "tenantportal/exemption-orders"
    icon = "doc-full"
    menu_label = _("Exemption orders")
    ordering = "party__last_name"
    without_views = ("add", "edit", "delete", "history", "usage")
    list_display = [
        Column(
            "party", label=field_label(ExemptionOrder, "party"), accessor="party", sort_key="party__last_name"
        ),
        "amount",
        "valid_from",
        "valid_until",
        BooleanColumn("joint", label=field_label(ExemptionOrder, "joint")),
        "company",
    ]
    list_filter = ["company", "joint"]
    search_fields = ["erp_id", "party__last_name", "party__first_name", "party__erp_id"]
    list_export = [
        "company",
        "erp_id",
        "party",
        "party.erp_id",
        "amount",
        "valid_from",
        "valid_until",
        "joint",
    ]
    export_headings = {"party.erp_id": _("ERP id of the party")}
    inspect_view_fields = [
        "party",
        "company",
        "erp_id",
        "amount",
        "valid_from",
        "valid_until",
        "joint",
        "imported_at",
    ]

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "party")

    def get_object_queryset(self, queryset):
        return queryset.select_related("company", "party")

    def get_urlpatterns(self):
        return read_only_urlpatterns(self)


#: Who may upload savings files: those who may add savings accounts.
IMPORT_PERMISSION = "tenantportal_savings.add_savingsaccount"


class SavingsImportUploadView(BaseImportUploadView):
    import_function = staticmethod(import_savings)
    file_factory = staticmethod(savings_upload)
    file_kinds = KIND_ORDER
    command_name = "tenantportal_import_savings"


class SavingsImportUploadViewSet(ImportUploadViewSet):
    name = "tenantportal_savings_import"
    url_prefix = "tenantportal/savings-import"
    menu_label = _("Import savings data")
    permission = IMPORT_PERMISSION
    view_class = SavingsImportUploadView


def menu_viewsets():
    from .admin_exemptions import ExemptionRequestViewSet

    return [
        SavingsAccountViewSet(),
        ExemptionOrderViewSet(),
        ExemptionRequestViewSet(),
        SavingsImportUploadViewSet(),
    ]
