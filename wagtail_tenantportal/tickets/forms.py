"""Tenant forms of the tickets app. They parse the request; ``services`` decides (and checks
again), so the API and the ERP get the same rules."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from ..core.conf import portal_settings
from ..core.phones import PhoneField
from ..tenancy.models import Contract
from . import services
from .models import NotificationPreference, Ticket
from .uploads import ACCEPT


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; ``clean`` returns a list (possibly empty)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DamageKindSelect(forms.Select):
    """A select whose urgent options carry ``data-urgent`` (the emergency box shows without a reload)."""

    def __init__(self, *args, urgent_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.urgent_ids = {str(pk) for pk in urgent_ids}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if str(value) in self.urgent_ids:
            option["attrs"]["data-urgent"] = "true"
        return option


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, contract):
        parts = [contract.number, contract.get_kind_display()]
        if contract.unit_id:
            parts.append(f"{contract.unit}, {contract.unit.property}")
        return " – ".join(parts)


def attachments_help():
    return _("Photos (JPEG, PNG, WebP, HEIC) or PDFs, at most %(count)d files of %(size)s MB each.") % {
        "count": portal_settings.TICKET_MAX_ATTACHMENTS,
        "size": portal_settings.TICKET_MAX_UPLOAD_MB,
    }


def unique_by_name(kinds):
    """``kinds`` with each name once (the same kind of damage is offered in several rooms), in
    their order; a kind without a hint takes the hint of a later one of the same name."""
    first = {}
    for kind in kinds:
        if kind.name not in first:
            first[kind.name] = kind
        elif kind.hint and not first[kind.name].hint:
            first[kind.name] = kind
    return list(first.values())


class TicketForm(forms.Form):
    """A new request of one type. Fields depend on the type (damage report, extra fields)."""

    contract = ContractChoiceField(
        queryset=Contract.objects.none(),
        label=_("Contract"),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choose one of your contracts."),
            "required": _("Choose the contract this request is about."),
        },
    )
    damage_kind = forms.TypedChoiceField(
        label=_("What is damaged?"),
        coerce=int,
        error_messages={
            "invalid_choice": _("Choose a kind of damage from the list."),
            "required": _("Choose what is damaged."),
        },
    )
    subject = forms.CharField(label=_("Subject"), max_length=services.SUBJECT_MAX_LENGTH)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    access_permission = forms.ChoiceField(
        label=_("Access to your flat"),
        choices=Ticket.AccessPermission.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us whether someone may enter your flat.")},
    )
    access_times = forms.CharField(
        label=_("When may someone come?"),
        required=False,
        max_length=300,
        help_text=_("e.g. 'weekdays after 3 pm'"),
    )
    contact_phone = PhoneField(label=_("Phone"))
    contact_email = forms.EmailField(label=_("Email"), required=False)
    reachability = forms.CharField(label=_("How and when can we reach you?"), required=False, max_length=300)
    attachments = MultipleFileField(label=_("Photos or PDFs"))

    def __init__(self, *args, ticket_type, contracts, user=None, damage_kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket_type = ticket_type
        self.contracts = list(contracts)
        self.extra_keys = []
        contract_field = self.fields["contract"]
        contract_field.queryset = Contract.objects.filter(
            pk__in=[c.pk for c in self.contracts]
        ).select_related("unit__property")
        self.single_contract = self.contracts[0] if len(self.contracts) == 1 else None
        if self.single_contract is not None:
            contract_field.widget = forms.HiddenInput()
            contract_field.initial = self.single_contract.pk
        else:
            # Several contracts: the tenant chooses; none is preselected without being seen.
            contract_field.empty_label = _("Please choose")
        self.fields["description"].max_length = portal_settings.TICKET_TEXT_MAX_LENGTH
        self.fields["description"].widget.attrs["maxlength"] = portal_settings.TICKET_TEXT_MAX_LENGTH
        if ticket_type.is_damage_report:
            self._set_up_damage(damage_kinds)
            self.fields["contact_phone"].required = True
            self.fields["contact_phone"].error_messages["required"] = _(
                "Enter a phone number so that we can reach you."
            )
        else:
            for name in ("damage_kind", "access_permission", "access_times"):
                del self.fields[name]
        if not ticket_type.allow_attachments:
            del self.fields["attachments"]
        else:
            self.fields["attachments"].help_text = attachments_help()
        extra = services.extra_form_fields(ticket_type)
        for key, _spec, field in extra:
            self.fields[f"extra_{key}"] = field
            self.extra_keys.append(key)
        if extra:
            self.fields["description"].required = False
            self.fields["description"].label = _("Anything else we should know?")
        if user is not None and not self.is_bound:
            self._prefill(user)

    def _set_up_damage(self, kinds):
        groups = {}
        for kind in kinds:
            label = f"{kind.category.location.name} – {kind.category.name}"
            groups.setdefault(label, []).append((kind.pk, kind.name))
        field = self.fields["damage_kind"]
        field.choices = [("", _("Please choose")), *groups.items()]
        urgent = [kind for kind in kinds if kind.is_urgent()]
        field.widget = DamageKindSelect(urgent_ids=[kind.pk for kind in urgent])
        field.widget.choices = field.choices
        self.urgent_ids = {kind.pk for kind in urgent}
        self.urgent_kinds = unique_by_name(urgent)
        subject = self.fields["subject"]
        subject.required = False
        subject.help_text = _("Empty: the kind of damage.")

    def _prefill(self, user):
        from ..accounts.auth import get_account
        from ..core.adapter import get_adapter

        account = get_account(user)
        if account is not None and account.phone_numbers:
            self.initial.setdefault("contact_phone", account.phone_numbers[0])
        self.initial.setdefault("contact_email", get_adapter().user_email(user))

    @property
    def urgent_chosen(self):
        """Whether the kind of damage in the (bound) form is an urgent one."""
        if "damage_kind" not in self.fields or not self.is_bound:
            return False
        try:
            return int(self["damage_kind"].value()) in getattr(self, "urgent_ids", ())
        except (TypeError, ValueError):
            return False

    @property
    def extra_fields(self):
        return [self[f"extra_{key}"] for key in self.extra_keys]

    @property
    def main_fields(self):
        names = ["damage_kind", "subject", "description"]
        return [self[name] for name in names if name in self.fields]

    @property
    def contact_fields(self):
        names = ["contact_phone", "contact_email", "reachability", "access_permission", "access_times"]
        return [self[name] for name in names if name in self.fields]

    def service_kwargs(self):
        """Keyword arguments of ``services.submit_ticket`` from the cleaned data."""
        data = self.cleaned_data
        return {
            "contract": data["contract"],
            "ticket_type": self.ticket_type,
            "subject": data.get("subject", ""),
            "description": data.get("description", ""),
            "damage_kind": data.get("damage_kind"),
            "form_data": {key: data.get(f"extra_{key}") for key in self.extra_keys},
            "attachments": data.get("attachments") or [],
            "contact_phone": data.get("contact_phone", ""),
            "contact_email": data.get("contact_email", ""),
            "reachability": data.get("reachability", ""),
            "access_permission": data.get("access_permission", ""),
            "access_times": data.get("access_times", ""),
        }


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Photos or PDFs"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = portal_settings.TICKET_TEXT_MAX_LENGTH
        self.fields["attachments"].help_text = attachments_help()


class ContactMessageForm(forms.Form):
    """A message to the contact person: the contract it is about (a choice only with several),
    a subject and the text."""

    contract = ContractChoiceField(
        label=_("About contract"), queryset=Contract.objects.none(), empty_label=None
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["contract"]
        field.queryset = Contract.objects.filter(pk__in=[contract.pk for contract in contracts])
        field.choices = [(contract.pk, field.label_from_instance(contract)) for contract in contracts]
        self.contracts = {contract.pk: contract for contract in contracts}
        if len(contracts) == 1:
            field.widget = forms.HiddenInput()
            field.initial = contracts[0].pk
        self.fields["body"].max_length = portal_settings.TICKET_TEXT_MAX_LENGTH

    def clean_contract(self):
        # The contract loaded with the page (company, unit, property), not a second query's copy.
        contract = self.cleaned_data["contract"]
        return self.contracts.get(contract.pk, contract)


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["status_changes", "replies"]


def add_service_errors(form, error):
    """Put the messages of a service ``ValidationError`` onto ``form`` (unknown keys: form-wide)."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, messages in error.message_dict.items():
        name = key
        if key.startswith("form_data."):
            name = "extra_" + key.split(".", 1)[1]
        if name == NON_FIELD_ERRORS or name not in form.fields:
            name = None
        for message in messages:
            if name is not None and form.has_error(name) and message in form.errors[name]:
                continue
            form.add_error(name, message)
