"""The "Notice board" page type (Schwarzes Brett), imported from ``models.py``.

Shows the logged-in tenant the current notices for their buildings, important ones first,
unread ones marked "new". Visitors without a full session see a prompt that leads back
here. Sites customise it by subclassing and overriding ``get_tenant_context``.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..core.pages import TenantDataPageMixin


class NoticesPage(TenantDataPageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = []
    max_count_per_parent = 1
    template = "wagtail_tenantportal/notices/pages/notices_page.html"

    class Meta:
        verbose_name = _("notice board page")
        verbose_name_plural = _("notice board pages")

    def get_tenant_context(self, request):
        """The notice list of a verified tenant (see ``services.notice_list_context``)."""
        from .services import notice_list_context  # late: models.py imports this module

        return notice_list_context(request.user)
