"""Consumption information and savings, when those apps are installed."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.response import Response

from ..base import ListView, PortalAPIView, StrictSerializer, extend_schema, paginated
from ..errors import FlowFailed
from ..serializers import figures as s


class MonthSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, help_text="YYYY-MM")


class ConsumptionView(PortalAPIView):
    """The monthly consumption information (HeizkostenV § 6a) of the tenant's units."""

    etag = True

    @extend_schema(
        operation_id="consumption", parameters=[MonthSerializer], responses={200: s.ConsumptionSerializer}
    )
    def get(self, request):
        from ...consumption import services

        params = self.validated(MonthSerializer, data=request.query_params)
        month = None
        if params.get("month"):
            month = services.parse_month(params["month"])
            if month is None:
                raise FlowFailed(
                    _("Enter a month as YYYY-MM."), fields={"month": [_("Enter a month as YYYY-MM.")]}
                )
        info = services.consumption_information(request.user, month)
        return Response(
            s.ConsumptionSerializer(
                {
                    "month": info.month,
                    "available_months": info.available_months,
                    "has_meters": info.has_meters,
                    "cards": info.cards,
                }
            ).data
        )


class SavingsAccountListView(PortalAPIView):
    etag = True

    @extend_schema(operation_id="savings_accounts", responses={200: s.SavingsAccountSerializer(many=True)})
    def get(self, request):
        from ...savings import services

        return Response(s.SavingsAccountSerializer(services.tenant_accounts(request.user), many=True).data)


class SavingsAccountDetailView(PortalAPIView):
    @extend_schema(operation_id="savings_account", responses={200: s.SavingsAccountSerializer})
    def get(self, request, account_id):
        from ...savings import services

        account = services.get_tenant_account(request.user, account_id, with_balance=True)
        return Response(s.SavingsAccountSerializer(account).data)


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2200, required=False)
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class SavingsTransactionListView(ListView):
    serializer_class = s.SavingsTransactionSerializer
    pagination_class = paginated(("-booking_date", "-sequence", "-pk"), page_size=50)

    @extend_schema(operation_id="savings_transactions", parameters=[YearSerializer])
    def get(self, request, account_id):
        from ...savings import services

        params = self.validated(YearSerializer, data=request.query_params)
        account = services.get_tenant_account(request.user, account_id)
        return self.list_response(services.account_transactions(account, params.get("year")))


class ExemptionInputSerializer(StrictSerializer):
    holder = serializers.IntegerField(help_text="Id of the account holder (see ``holders``).")
    year = serializers.IntegerField(min_value=1, max_value=9999)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)
    joint = serializers.BooleanField(required=False, default=False)
    partner = serializers.IntegerField(
        required=False, allow_null=True, help_text="Second holder of a joint order."
    )
    withdraw = serializers.BooleanField(
        required=False, default=False, help_text="Withdraw the holder's order for the year."
    )


class ExemptionOrdersView(PortalAPIView):
    """``GET``: the tenant's exemption orders, requests and what may be requested; ``POST``: give,
    change or withdraw the order of one holder for one year (staff confirm it)."""

    @extend_schema(operation_id="savings_exemption_orders", responses={200: s.ExemptionOverviewSerializer})
    def get(self, request):
        from ...savings.services import exemptions

        holders = exemptions.holder_parties(request.user)
        for holder in holders:
            holder.partners = exemptions.partner_choices(holder)
        data = {
            "holders": holders,
            "years": exemptions.year_choices(),
            "allowance_single": exemptions.allowance(False),
            "allowance_joint": exemptions.allowance(True),
            "orders": exemptions.tenant_orders(request.user),
            "requests": exemptions.tenant_requests(request.user),
        }
        return Response(s.ExemptionOverviewSerializer(data).data)

    @extend_schema(
        operation_id="savings_exemption_orders_request",
        request=ExemptionInputSerializer,
        responses={201: s.ExemptionRequestSerializer, 400: None},
    )
    def post(self, request):
        from ...savings.services import exemptions

        data = self.validated(ExemptionInputSerializer)
        holder = exemptions.get_holder(request.user, data["holder"])
        if holder is None:
            raise FlowFailed(
                _("Choose one of the account holders."),
                fields={"holder": [_("Choose one of the account holders.")]},
            )
        partner = None
        if data.get("partner") is not None:
            partner = next((p for p in exemptions.partner_choices(holder) if p.pk == data["partner"]), None)
            if partner is None:
                message = _("Choose the second holder from the holders of your savings accounts.")
                raise FlowFailed(message, fields={"partner": [message]})
        req = exemptions.request_order(
            request.user,
            holder,
            year=data["year"],
            amount=data.get("amount"),
            joint=data["joint"],
            partner=partner,
            withdraw=data["withdraw"],
        )
        return Response(s.ExemptionRequestSerializer(req).data, status=status.HTTP_201_CREATED)


def installed(app):
    return apps.is_installed(f"wagtail_tenantportal.{app}")
