"""The "Notice board" page type (Schwarzes Brett), imported from ``models.py``.

Shows the logged-in tenant the current notices for their buildings, important ones first,
unread ones marked "new". Visitors without a full session see a prompt that leads back
here. Sites customise it by subclassing and overriding ``get_notices_context``.
"""

from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..context import portal_context


class NoticesPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = []
    max_count_per_parent = 1
    template = "wagtail_tenantportal/notices/pages/notices_page.html"

    class Meta:
        verbose_name = _("notice board page")
        verbose_name_plural = _("notice board pages")

    def get_notices_context(self, request):
        """The notice list of a verified tenant (see ``views.notice_list_context``)."""
        from .views import notice_list_context

        return notice_list_context(request)

    def get_context(self, request, *args, **kwargs):
        from ..accounts.auth import OK, portal_state, visitor_step

        context = super().get_context(request, *args, **kwargs)
        context.update(portal_context(request))
        state = portal_state(request)
        context["portal_state"] = state
        if state == OK:
            context.update(self.get_notices_context(request))
        else:
            context["step"] = visitor_step(request, state, request.get_full_path())
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if isinstance(response, TemplateResponse):
            add_never_cache_headers(response)  # personal data: never from a cache
        return response
