"""``{% portal_pages as portal %}``: the live portal pages for the site's navigation.

``portal.PortalLoginPage``, ``portal.AccountPage``, ... are the first live page of each portal
page type (see ``wagtail_tenantportal.page_setup``) in the request's site, missing keys where
there is none, so the navigation follows the pages wherever editors move or rename them, and
each cooperative's site links its own portal pages.
"""

from django import template
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, Site

from wagtail_tenantportal.page_setup import portal_page_types

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_pages(context):
    """``{model name: page}`` of the live portal pages of the request's site, in one query
    (besides Wagtail's cached site lookup)."""
    types = ContentType.objects.get_for_models(*[model for model, _title in portal_page_types()])
    names = {content_type.pk: model.__name__ for model, content_type in types.items()}
    queryset = Page.objects.live().filter(content_type__in=names)
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is not None:
        queryset = queryset.filter(path__startswith=site.root_page.path)
    pages = {}
    for page in queryset.order_by("path"):
        pages.setdefault(names[page.content_type_id], page)
    return pages
