"""``{% portal_pages as portal %}``: the live portal pages for the site's navigation.

``portal.PortalLoginPage``, ``portal.AccountPage``, ... are the first live page of each portal
page type (see ``wagtail_tenantportal.page_setup``), missing keys where there is none, so
the navigation follows the pages wherever editors move or rename them.
"""

from django import template
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page

from wagtail_tenantportal.page_setup import portal_page_types

register = template.Library()


@register.simple_tag
def portal_pages():
    """``{model name: page}`` of the live portal pages, in one query."""
    types = ContentType.objects.get_for_models(*[model for model, _title in portal_page_types()])
    names = {content_type.pk: model.__name__ for model, content_type in types.items()}
    pages = {}
    for page in Page.objects.live().filter(content_type__in=names).order_by("path"):
        pages.setdefault(names[page.content_type_id], page)
    return pages
