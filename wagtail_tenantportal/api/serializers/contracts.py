"""Contracts with rent composition, contact persons and shares (read-only), and the changes
of a contract's bank details (read and file)."""

from rest_framework import serializers

from ..base import StrictSerializer


class RentComponentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    valid_from = serializers.DateField()


class RentSerializer(serializers.Serializer):
    components = RentComponentSerializer(many=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class ContractSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    company = serializers.CharField(source="company.name")
    unit = serializers.SerializerMethodField()
    property = serializers.SerializerMethodField()

    def get_unit(self, contract) -> str | None:
        return str(contract.unit) if contract.unit_id else None

    def get_property(self, contract) -> str | None:
        return str(contract.unit.property) if contract.unit_id else None


class ContractPartySerializer(serializers.Serializer):
    name = serializers.CharField(source="party.full_name")
    role = serializers.CharField(source="get_role_display")


class ContactPersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    position = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    office_hours = serializers.CharField()
    topics = serializers.ListField(child=serializers.CharField())


class BankDetailsChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    account_holder = serializers.CharField()
    iban_masked = serializers.CharField()
    bic = serializers.CharField(allow_blank=True)
    bank_name = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class BankDetailsSerializer(serializers.Serializer):
    """A contract's changes of its bank details (newest first), the mandate a new one confirms,
    and whether one may be filed now."""

    mandate_text = serializers.CharField()
    can_change = serializers.BooleanField()
    changes = BankDetailsChangeSerializer(many=True)


class BankDetailsChangeCreateSerializer(StrictSerializer):
    account_holder = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    iban = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    mandate_confirmed = serializers.BooleanField(required=False, default=False)


class SharesSerializer(serializers.Serializer):
    shares = serializers.IntegerField(allow_null=True)
    share_amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, source="shares_total")


class ContractDetailSerializer(ContractSerializer):
    parties = ContractPartySerializer(many=True)
    rent = RentSerializer()
    iban_masked = serializers.CharField(allow_blank=True)
    contact_persons = ContactPersonSerializer(many=True)
    shares = SharesSerializer(allow_null=True)
    bank_change = BankDetailsChangeSerializer(allow_null=True)


def contract_detail(context):
    """The detail serializer's data from ``tenancy.services.contract_detail_context``."""
    contract = context["contract"]
    contract.parties_list = context["parties"]
    people = []
    for person, topics in context["contact_groups"]:
        people.append(
            {
                "name": person.name,
                "position": person.position,
                "phone": person.phone,
                "email": person.email,
                "office_hours": person.office_hours,
                "topics": [str(topic) for topic in topics],
            }
        )
    data = ContractSerializer(contract).data
    data.update(
        {
            "parties": ContractPartySerializer(context["parties"], many=True).data,
            "rent": RentSerializer(
                {"components": context["rent"].components, "total": context["rent"].total}
            ).data,
            "iban_masked": context["iban_masked"] or "",
            "contact_persons": people,
            "shares": SharesSerializer(contract).data if context.get("is_membership") else None,
            "bank_change": (
                BankDetailsChangeSerializer(context["bank_change"]).data
                if context.get("bank_change")
                else None
            ),
        }
    )
    return data
