"""Admin wiring of the documents: viewsets in the "Tenant portal" menu group, audit-log actions."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks

from ..core.widgets import HOOK_NAME as DASHBOARD_WIDGETS
from ..core.widgets import Widget, widget_function
from . import services
from .admin_views import menu_viewsets


@hooks.register("register_tenantportal_admin_viewset", order=300)
def register_document_viewsets():
    return menu_viewsets()


@hooks.register("register_log_actions")
def register_document_log_actions(actions):
    actions.register_action(services.ACTION_PUBLISHED, _("Publish document"), _("Document published"))
    actions.register_action(services.ACTION_WITHDRAWN, _("Withdraw document"), _("Document withdrawn"))
    actions.register_action(services.ACTION_VIEWED, _("View document"), _("Document viewed by staff"))
    actions.register_action(
        services.ACTION_DISTRIBUTED, _("Distribute documents"), _("Documents distributed from a ZIP file")
    )
    actions.register_action(services.ACTION_PRINT_BATCH, _("Create print batch"), _("Print batch created"))
    requests = services.doc_requests
    actions.register_action(requests.ACTION_REQUESTED, _("Request document"), _("Document requested"))
    actions.register_action(
        requests.ACTION_FULFILLED, _("Fulfil document request"), _("Document request fulfilled")
    )
    actions.register_action(
        requests.ACTION_REJECTED, _("Reject document request"), _("Document request rejected")
    )


# -- dashboard widget (the tenant's overview) ---------------------------------------------------


def _documents_widget(documents, new_count):
    attention = None
    if new_count:
        attention = ngettext("%(count)d new document", "%(count)d new documents", new_count) % {
            "count": new_count
        }
    return Widget(
        key="documents",
        title=_("My documents"),
        template="wagtail_tenantportal/dashboard/widgets/documents.html",
        context={"documents": documents, "new_count": new_count},
        url=reverse("wagtail_tenantportal:documents"),
        url_label=_("All my documents"),
        order=20,
        attention=attention,
    )


def _sample_documents_widget():
    """Made-up data for the editor's preview of the dashboard."""
    import datetime

    today = datetime.date.today()
    documents = [
        {
            "title": "Betriebskostenabrechnung 2025",
            "category": "Betriebskostenabrechnung",
            "date": today,
            "url": "#",
            "new": True,
        },
        {
            "title": "Hausordnung",
            "category": "Hausordnung",
            "date": today - datetime.timedelta(days=40),
            "url": "#",
            "new": False,
        },
    ]
    return _documents_widget(documents, 1)


@hooks.register(DASHBOARD_WIDGETS)
@widget_function("documents", _("My documents"), sample=_sample_documents_widget)
def documents_dashboard_widget(request):
    """The latest documents with "new" marks and how many are unopened (2 queries)."""
    latest, new_count = services.dashboard_summary(request.user, limit=3)
    documents = [
        {
            "title": d.title,
            "category": d.category.display_name,
            "date": d.document_date,
            "url": reverse("wagtail_tenantportal:document_download", kwargs={"document_id": d.uuid}),
            "new": not d.opened,
        }
        for d in latest
    ]
    return _documents_widget(documents, new_count)
