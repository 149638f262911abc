"""A host site's own page model, as an agency's site would have one."""

from wagtail.fields import RichTextField
from wagtail.models import Page


class HostPage(Page):
    body = RichTextField(blank=True)
