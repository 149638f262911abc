"""Page types of the tickets app (imported from ``models.py``): a "report damage" page and a
"my requests" page editors place anywhere in the site. Both serve the same forms and lists as
the portal views (data from ``services``, the form round trip from ``presentation``; imported
late, since models.py imports this module); visitors without a full portal session see a
login prompt leading back."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..core import session
from ..core.pages import PortalPageMixin


class DamageReportPage(PortalPageMixin, Page):
    """Report damage: the damage form (with photos) of the first active damage-report type."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        help_text=_(
            "Shown above the form, e.g. which damage tenants report here and whom they call in an emergency."
        ),
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    page_description = _(
        "The damage report form with photos. Visitors are asked to log in and come back to this page."
    )
    subpage_types = []
    max_count_per_parent = 1
    template = "wagtail_tenantportal/tickets/pages/damage_report_page.html"

    class Meta:
        verbose_name = _("damage report page")
        verbose_name_plural = _("damage report pages")

    def serve(self, request, *args, **kwargs):
        """The damage form inside the page, for full portal sessions; posts back to the page."""
        from . import presentation, services

        state = session.portal_state(request)
        if state != session.OK:
            prompt = presentation.login_prompt_context(request, state)
            return presentation.page_response(request, self, {"login_prompt": prompt})
        ticket_type = services.default_damage_type()
        contracts = services.eligible_contracts(request.user, ticket_type) if ticket_type else []
        if not contracts:
            return presentation.page_response(request, self, {"unavailable": True})
        context, ticket = presentation.handle_ticket_form(request, ticket_type, contracts)
        if ticket is not None:
            return presentation.submitted_redirect(request, ticket)
        context["form_action"] = ""  # post back to the page itself
        return presentation.page_response(request, self, context)


class RequestListPage(PortalPageMixin, Page):
    """My requests: the tenant's requests with status, reports to join and links to new requests."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown above the list, e.g. how quickly requests are usually answered."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    page_description = _(
        "My requests: the tenant's requests and damage reports with their status, and new requests."
    )
    subpage_types = []
    max_count_per_parent = 1
    template = "wagtail_tenantportal/tickets/pages/request_list_page.html"

    class Meta:
        verbose_name = _("my requests page")
        verbose_name_plural = _("my requests pages")

    def serve(self, request, *args, **kwargs):
        """ "My requests" inside the page, for full portal sessions."""
        from . import presentation, services

        state = session.portal_state(request)
        if state != session.OK:
            prompt = presentation.login_prompt_context(request, state)
            return presentation.page_response(request, self, {"login_prompt": prompt})
        context = services.request_list_context(request.user, request.GET.get("page"))
        return presentation.page_response(request, self, context)
