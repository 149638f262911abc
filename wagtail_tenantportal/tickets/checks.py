"""System checks of the tickets settings (ids ``tenantportal_tickets.E0xx``, see docs/tickets.md)."""

from django.core.checks import Error, Warning, register

from ..core.conf import portal_settings

POSITIVE_INTEGERS = (
    "TICKET_MAX_ATTACHMENTS",
    "TICKET_MAX_IMAGE_PIXELS",
    "TICKET_IMAGE_MAX_SIZE",
    "TICKET_THUMBNAIL_SIZE",
    "TICKET_LIST_PAGE_SIZE",
    "TICKET_TEXT_MAX_LENGTH",
)


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


@register()
def check_ticket_settings(app_configs=None, **kwargs):
    errors = []
    for name in POSITIVE_INTEGERS:
        if not _positive_int(getattr(portal_settings, name)):
            errors.append(
                Error(
                    f"WAGTAIL_TENANTPORTAL[{name!r}] must be a positive integer.",
                    id="tenantportal_tickets.E001",
                )
            )
    size = portal_settings.TICKET_MAX_UPLOAD_MB
    if isinstance(size, bool) or not isinstance(size, int | float) or size <= 0:
        errors.append(
            Error(
                "WAGTAIL_TENANTPORTAL['TICKET_MAX_UPLOAD_MB'] must be a positive number.",
                id="tenantportal_tickets.E001",
            )
        )
    image, thumbnail = portal_settings.TICKET_IMAGE_MAX_SIZE, portal_settings.TICKET_THUMBNAIL_SIZE
    if _positive_int(image) and _positive_int(thumbnail) and thumbnail > image:
        errors.append(
            Error(
                "WAGTAIL_TENANTPORTAL['TICKET_THUMBNAIL_SIZE'] is larger than TICKET_IMAGE_MAX_SIZE.",
                id="tenantportal_tickets.E001",
            )
        )
    quality = portal_settings.TICKET_JPEG_QUALITY
    if not _positive_int(quality) or quality > 95:
        errors.append(
            Error(
                "WAGTAIL_TENANTPORTAL['TICKET_JPEG_QUALITY'] must be an integer from 1 to 95.",
                id="tenantportal_tickets.E002",
            )
        )
    months = portal_settings.TICKET_HEATING_MONTHS
    if not isinstance(months, list | tuple) or not all(_positive_int(m) and m <= 12 for m in months):
        errors.append(
            Error(
                "WAGTAIL_TENANTPORTAL['TICKET_HEATING_MONTHS'] must be a list of month numbers (1 to 12).",
                id="tenantportal_tickets.E003",
            )
        )
    return errors


@register()
def check_damage_categories(app_configs=None, **kwargs):
    """``wagtail_tenantportal.W074``: without active damage categories tenants cannot report
    damage (silent before ``migrate``)."""
    from ..core.checks import ID
    from ..core.golive import tables_exist
    from .models import DamageCategory, TicketType

    if not tables_exist(DamageCategory, TicketType):
        return []
    try:
        if not TicketType.objects.filter(active=True, kind=TicketType.Kind.DAMAGE).exists():
            return []  # no damage report offered: no categories needed
        if DamageCategory.objects.filter(active=True, location__active=True).exists():
            return []
    except Exception:  # a database that cannot answer yet: nothing to check
        return []
    return [
        Warning(
            "There are no active damage categories: tenants cannot report damage.",
            hint="Run 'manage.py tenantportal_seed_damage_taxonomy' (tenantportal_setup_pages does it for a "
            "new portal) or add them in the Wagtail admin under Tenant portal → Damage categories.",
            id=ID.format("W074"),
        )
    ]
