"""Admin wiring of the notice board (viewset in the "Tenant portal" menu, audit-log action) and
its dashboard widget."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from ..core.widgets import HOOK_NAME, Widget, widget_function
from . import services
from .admin_views import menu_viewsets


@hooks.register("register_tenantportal_admin_viewset", order=400)
def register_notice_viewsets():
    return menu_viewsets()


@hooks.register("register_log_actions")
def register_notice_log_actions(actions):
    actions.register_action(services.ACTION_PUBLISHED, _("Publish notice"), _("Notice published"))

    @actions.register_action(services.ACTION_MAILED)
    class NoticeMailedFormatter(LogFormatter):
        label = _("Mail notice to tenants")

        def format_message(self, log_entry):
            count = (log_entry.data or {}).get("count", 0)
            return ngettext(
                "Notice mailed to %(count)d tenant", "Notice mailed to %(count)d tenants", count
            ) % {"count": count}


#: Notices the dashboard widget lists.
WIDGET_LIMIT = 3


def sample_notices_widget():
    from .blocks import sample_notices

    notices = sample_notices()[:WIDGET_LIMIT]
    return _notices_widget(notices, new_count=2)


def _notices_widget(notices, new_count):
    attention = None
    if new_count:
        attention = ngettext("%(count)d new notice", "%(count)d new notices", new_count) % {
            "count": new_count
        }
    return Widget(
        key="notices",
        title=_("Notice board"),
        template="wagtail_tenantportal/dashboard/widgets/notices.html",
        context={"notices": notices, "new_count": new_count},
        url=reverse("wagtail_tenantportal:notices"),
        url_label=_("All notices"),
        order=30,
        attention=attention,
    )


@hooks.register(HOOK_NAME)
@widget_function("notices", _("Notice board"), sample=sample_notices_widget)
def notices_widget(request):
    """The latest current notices (important first) and how many are new: two queries."""
    latest, new_count = services.dashboard_summary(request.user, WIDGET_LIMIT)
    return _notices_widget(latest, new_count)
