"""The tenant's unread messages for a site's portal navigation.

    {% load tenantportal_messages %}
    {% portal_unread_messages as unread %}
    <a href="{% url 'wagtail_tenantportal:message_inbox' %}">Nachrichten{% if unread %} ({{ unread }} ungelesen){% endif %}</a>

``portal_unread_messages`` is the number of staff replies on the logged-in tenant's requests
they have not opened yet (0 for visitors, staff, sessions that are not a full portal session,
and when the tickets app is not installed):
one query per request however often a template asks and however many messages there are.
"""

from django import template
from django.apps import apps

from ..core import session

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_unread_messages(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    if not apps.is_installed("wagtail_tenantportal.tickets") or not session.is_portal_verified(request):
        return 0
    from ..tickets.services import unread_message_total_for_request

    return unread_message_total_for_request(request)
