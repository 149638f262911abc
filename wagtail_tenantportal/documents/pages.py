"""The "My documents" page type (Meine Dokumente), imported from ``models.py``.

Editors place it anywhere in the page tree. It shows the tenant's documents grouped by
contract and category, with filters and "new" badges; visitors who are not logged in see a
login prompt that leads back here, half-verified sessions the step they must take.
Sites customise it by subclassing and overriding ``get_tenant_context``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..core.pages import TenantDataPageMixin


def state_prompt_context(request, state, next_url):
    """Context of the prompt shown instead of personal data (``documents/_state_prompt.html``):
    ``step`` is where to log in or go next (``session.visitor_step``: also leads a half-logged-in
    session to its code entry)."""
    from ..core.session import visitor_step

    return {"portal_state": state, "step": visitor_step(request, state, next_url)}


class DocumentsPage(TenantDataPageMixin, Page):
    intro = RichTextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown above the documents, e.g. which documents arrive here instead of by post."),
    )
    show_certificates = models.BooleanField(
        _("link to self-service certificates"),
        default=True,
        help_text=_("Show the link to rent certificates and landlord confirmations."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("show_certificates")]
    page_description = _(
        "My documents: the tenant's documents by contract and category, with search and “new” marks."
    )
    subpage_types = []
    max_count_per_parent = 1
    template = "wagtail_tenantportal/documents/pages/documents_page.html"

    class Meta:
        verbose_name = _("my documents page")
        verbose_name_plural = _("my documents pages")

    def get_tenant_context(self, request):
        """The document list for a verified tenant (see ``services.document_list_context``)."""
        from .services import document_list_context  # late: models.py imports this module

        return document_list_context(request.user, request.GET)

    def get_visitor_context(self, request, state):
        return state_prompt_context(request, state, request.get_full_path())
