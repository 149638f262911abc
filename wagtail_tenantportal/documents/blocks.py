"""StreamField block "My documents" for the host's pages (dashboard, start page)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..blocks import PortalBlock


class MyDocumentsBlock(PortalBlock):
    """The latest documents of the logged-in tenant with "new" badges and a link to all.

    Anonymous visitors see a login prompt leading back to the page; sessions that are not
    fully verified see the step they must take. Nothing personal is rendered for them.
    """

    heading = blocks.CharBlock(label=_("Heading"), required=False, default=_("My documents"))
    limit = blocks.IntegerBlock(label=_("Number of documents"), default=5, min_value=1, max_value=20)
    page = blocks.PageChooserBlock(
        label=_("Page with all documents"),
        required=False,
        page_type="tenantportal_documents.DocumentsPage",
        help_text=_("Empty: the portal's document list."),
    )

    class Meta:
        template = "wagtail_tenantportal/documents/blocks/my_documents.html"
        icon = "doc-full"
        label = _("My documents")
        description = _("The latest documents of the logged-in tenant; new ones are marked.")

    def get_portal_context(self, value, request, state):
        from ..accounts.auth import OK
        from .listing import latest_documents
        from .pages import state_prompt_context

        page = value.get("page")
        all_url = (page.specific.url if page else None) or reverse("wagtail_tenantportal:documents")
        context = {"all_documents_url": all_url}
        if state != OK:
            context.update(state_prompt_context(request, state, request.get_full_path()))
            return context
        documents = latest_documents(request.user, value.get("limit") or 5)
        context.update({"documents": documents, "new_count": sum(1 for d in documents if not d.opened)})
        return context


#: The blocks ``wagtail_tenantportal.blocks.portal_blocks()`` offers hosts, by name.
PORTAL_BLOCKS = [("portal_documents", MyDocumentsBlock)]
