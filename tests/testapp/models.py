"""A host site's own page models, as an agency's site would have them."""

from wagtail import blocks
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from wagtail_tenantportal.accounts.blocks import LoginBlock, RegistrationBlock, RequestCodeBlock
from wagtail_tenantportal.blocks import portal_blocks


class HostPage(Page):
    body = RichTextField(blank=True)


class StreamHostPage(Page):
    """A host page whose StreamField mixes the host's blocks with the portal's."""

    body = StreamField(
        [
            ("text", blocks.RichTextBlock()),
            ("login", LoginBlock()),
            ("registration", RegistrationBlock()),
            ("request_code", RequestCodeBlock()),
        ],
        blank=True,
    )


class AllBlocksPage(Page):
    """A host page offering every portal block of the installed sub-apps (``portal_blocks()``),
    as the quickstart recommends for a host's StreamField."""

    body = StreamField([("text", blocks.RichTextBlock()), *portal_blocks()], blank=True)
