"""Staff admin of the contact persons and what they are responsible for."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, Table

from ..admin.utils import add_link, admin_url, count_subquery, display_headings, field_label, link_column
from ..admin.viewsets import InspectSection, PortalModelViewSet
from . import models as m
from .forms import ContactPersonForm, ContactResponsibilityForm


class ContactPersonViewSet(PortalModelViewSet):
    model = m.ContactPerson
    name = "tenantportal_contactperson"
    url_prefix = "tenantportal/contact-persons"
    icon = "user"
    add_to_reference_index = True  # photo
    prefill_fields = ("company",)
    list_display = [
        "name",
        "position",
        "email",
        "phone",
        "company",
        "user",
        BooleanColumn("active", label=field_label(m.ContactPerson, "active")),
        Column("responsibility_count", label=_("Responsibilities"), sort_key="responsibility_count"),
    ]
    list_filter = ["company", "active"]
    search_fields = ["name", "position", "email", "phone", "erp_id"]
    list_export = [
        "company",
        "name",
        "position",
        "email",
        "phone",
        "office_hours",
        "user",
        "erp_id",
        "active",
    ]
    inspect_view_fields = [
        "company",
        "name",
        "position",
        "phone",
        "email",
        "office_hours",
        "photo",
        "user",
        "erp_id",
        "active",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("company"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("position")]),
            FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
            FieldPanel("office_hours"),
            FieldPanel("photo"),
            FieldRowPanel([FieldPanel("user"), FieldPanel("erp_id")]),
            FieldPanel("active"),
        ],
        base_form_class=ContactPersonForm,
    )

    def get_listing_queryset(self, queryset):
        return queryset.select_related("company", "user").annotate(
            responsibility_count=count_subquery(m.ContactResponsibility, "contact_person")
        )

    def get_object_queryset(self, queryset):
        return queryset.select_related("company", "user", "photo")

    def get_inspect_sections(self, person):
        next_url = admin_url(m.ContactPerson, "inspect", person.pk)
        rows = list(
            person.responsibilities.select_related("company", "property", "contract").order_by("topic", "pk")
        )
        columns = [
            link_column(
                "topic",
                field_label(m.ContactResponsibility, "topic"),
                m.ContactResponsibility,
                accessor="get_topic_display",
                view="edit",
                next_url=next_url,
            ),
            Column(
                "scope", label=_("Responsible for"), accessor=lambda r: r.contract or r.property or r.company
            ),
        ]
        return [
            InspectSection(
                heading=_("Responsibilities"),
                table=Table(columns, rows),
                empty_message=_("Not responsible for anything yet."),
                actions=[
                    add_link(
                        _("Add responsibility"),
                        m.ContactResponsibility,
                        next_url,
                        contact_person=person.pk,
                        company=person.company_id,
                    )
                ],
            )
        ]


class ContactResponsibilityViewSet(PortalModelViewSet):
    model = m.ContactResponsibility
    name = "tenantportal_contactresponsibility"
    url_prefix = "tenantportal/responsibilities"
    icon = "tasks"
    prefill_fields = ("contact_person", "company", "property", "contract")
    list_display = ["contact_person", "topic", "company", "property", "contract"]
    list_filter = ["company", "topic"]
    search_fields = ["contact_person__name", "property__street", "property__name", "contract__number"]
    list_export = ["contact_person", "get_topic_display", "company", "property", "contract"]
    export_headings = display_headings(m.ContactResponsibility, "topic")
    inspect_view_fields = ["contact_person", "company", "topic", "property", "contract"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("contact_person"), FieldPanel("topic")]),
            FieldPanel("company"),
            HelpPanel(
                content=_(
                    "Leave property and contract empty to make the person responsible for the whole "
                    "company. A responsibility for a contract wins over one for its property, and that "
                    "over one for the company."
                )
            ),
            FieldPanel("property"),
            FieldPanel("contract"),
        ],
        base_form_class=ContactResponsibilityForm,
    )

    def get_listing_queryset(self, queryset):
        return queryset.select_related("contact_person", "company", "property", "contract")

    def get_object_queryset(self, queryset):
        return queryset.select_related("contact_person", "company", "property", "contract")
