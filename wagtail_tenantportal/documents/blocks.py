"""StreamField block "My documents" for the host's pages (dashboard, start page)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..core.blocks import PortalBlock


def category_choices():
    """``[(key, name)]`` of the document categories (block setting), in their order.

    Referenced by migrations of host pages: keep it at this dotted path."""
    from .services import category_choices as choices

    return choices()


def _sample_documents():
    """Made-up documents of one tenant for the editor's preview (no tenant data is read)."""
    import datetime
    import uuid
    from types import SimpleNamespace

    from .models import DocumentCategory

    rows = [
        ("operating_cost_statement", "Betriebskostenabrechnung 2025", datetime.date(2026, 6, 12), False),
        ("letter", "Ankündigung Strangsanierung Lindenstraße 12", datetime.date(2026, 5, 4), False),
        ("rent_certificate", "Mietbescheinigung", datetime.date(2026, 3, 18), True),
        ("house_rules", "Hausordnung", datetime.date(2026, 1, 15), True),
        ("tenancy_agreement", "Mietvertrag 10-0815-01", datetime.date(2019, 8, 1), True),
    ]
    return [
        SimpleNamespace(
            uuid=uuid.UUID(int=number),
            title=title,
            category=DocumentCategory(key=key),
            document_date=date,
            opened=opened,
        )
        for number, (key, title, date, opened) in enumerate(rows, start=1)
    ]


class MyDocumentsBlock(PortalBlock):
    """The latest documents of the logged-in tenant with "new" badges and a link to all.

    Anonymous visitors see a login prompt leading back to the page; sessions that are not
    fully verified see the step they must take. Nothing personal is rendered for them.
    """

    heading = blocks.CharBlock(
        label=_("heading"),
        required=False,
        default=_("My documents"),
        help_text=_("Title of the block. Empty: no title."),
    )
    limit = blocks.IntegerBlock(
        label=_("number of documents"),
        default=5,
        min_value=1,
        max_value=20,
        help_text=_("The most recently published first; “All my documents” leads to the full list."),
    )
    categories = blocks.MultipleChoiceBlock(
        label=_("document categories"),
        choices=category_choices,
        required=False,
        help_text=_(
            "Only documents of these categories, e.g. only operating cost statements. Empty: all documents."
        ),
    )
    page = blocks.PageChooserBlock(
        label=_("page with all documents"),
        required=False,
        page_type="tenantportal_documents.DocumentsPage",
        help_text=_("Where “All my documents” leads. Empty: the portal's document list."),
    )

    class Meta:
        template = "wagtail_tenantportal/documents/blocks/my_documents.html"
        icon = "doc-full"
        label = _("My documents")
        description = _("The latest documents of the logged-in tenant; new ones are marked.")

    def get_common_context(self, value, request):
        page = value.get("page")
        return {
            "all_documents_url": (page.specific.url if page else None)
            or reverse("wagtail_tenantportal:documents")
        }

    def get_tenant_context(self, value, request):
        from .services import latest_documents

        documents = latest_documents(request.user, value.get("limit") or 5, value.get("categories"))
        return {"documents": documents, "new_count": sum(1 for d in documents if not d.opened)}

    def get_preview_portal_context(self, value, request):
        documents = _sample_documents()
        if value.get("categories"):
            documents = [d for d in documents if d.category.key in value["categories"]]
        documents = documents[: value.get("limit") or 5]
        return {
            "documents": documents,
            "new_count": sum(1 for d in documents if not d.opened),
            "all_documents_url": "#",
        }


#: The blocks ``wagtail_tenantportal.blocks.portal_blocks()`` offers hosts, by name.
PORTAL_BLOCKS = [("portal_documents", MyDocumentsBlock)]
