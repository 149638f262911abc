"""StreamField block "Notice board" for the host's pages (start page, house pages)."""

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from ..core.blocks import PortalBlock


@dataclass
class SampleNotice:
    """A made-up notice for the editor's preview (what a tenant would see)."""

    pk: int
    title: str
    category: str
    important: bool
    is_new: bool
    visible_from: object
    visible_until: object = None

    def get_category_display(self):
        from .models import Notice

        return Notice.Category(self.category).label


def sample_notices(only_important=False):
    now = timezone.now()
    notices = [
        SampleNotice(
            1,
            "Wasserabstellung am Donnerstag von 8 bis 12 Uhr",
            "water_shut_off",
            True,
            True,
            now - timedelta(days=1),
            now + timedelta(days=3),
        ),
        SampleNotice(2, "Sommerfest im Innenhof", "event", False, True, now - timedelta(days=4)),
        SampleNotice(3, "Wartung der Aufzüge", "maintenance", False, False, now - timedelta(days=10)),
    ]
    return [n for n in notices if n.important] if only_important else notices


class NoticesBlock(PortalBlock):
    """The current notices for the logged-in tenant's buildings, important ones first.

    Anonymous visitors see a login prompt leading back to the page; sessions that are not
    fully verified see the step they must take. Nothing personal is rendered for them.
    """

    heading = blocks.CharBlock(label=_("heading"), required=False, default=_("Notice board"))
    limit = blocks.IntegerBlock(
        label=_("number of notices"),
        default=5,
        min_value=1,
        max_value=20,
        help_text=_("How many notices the block shows at most; the link leads to all."),
    )
    only_important = blocks.BooleanBlock(
        label=_("only important notices"),
        required=False,
        default=False,
        help_text=_("Show only notices marked important, e.g. a water shut-off."),
    )

    class Meta:
        template = "wagtail_tenantportal/notices/blocks/notices.html"
        icon = "pick"
        label = _("Notice board")
        description = _("The current notices for the logged-in tenant's building; new ones are marked.")

    def get_tenant_context(self, value, request):
        from .services import notice_list_context

        return notice_list_context(
            request.user, only_important=bool(value.get("only_important")), limit=value.get("limit") or 5
        )

    def get_preview_portal_context(self, value, request):
        notices = sample_notices(bool(value.get("only_important")))[: value.get("limit") or 5]
        return {
            "notices": notices,
            "new_count": sum(1 for n in notices if n.is_new),
            "all_notices_url": reverse("wagtail_tenantportal:notices"),
        }


#: The blocks ``wagtail_tenantportal.blocks.portal_blocks()`` offers hosts, by name.
PORTAL_BLOCKS = [("portal_notices", NoticesBlock)]
