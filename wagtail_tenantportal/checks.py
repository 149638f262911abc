"""System checks: fail loudly when the host's settings contradict what the portal needs."""

from django.core.checks import Error, Tags, Warning, register
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.module_loading import import_string

from .conf import DEFAULTS, SETTING_NAME, portal_settings


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs):
    from django.conf import settings

    errors = []
    raw = getattr(settings, SETTING_NAME, {})
    if not isinstance(raw, dict):
        return [
            Error(
                f"{SETTING_NAME} must be a dict.",
                hint="See the settings reference in the documentation.",
                id="wagtail_tenantportal.E001",
            )
        ]
    for key in portal_settings.unknown_keys():
        errors.append(
            Warning(
                f"{SETTING_NAME} has an unknown key {key!r}.",
                hint="Known keys: " + ", ".join(sorted(DEFAULTS)),
                id="wagtail_tenantportal.W001",
            )
        )
    try:
        import_string(portal_settings.ADAPTER)
    except ImportError as exc:
        errors.append(
            Error(
                f"{SETTING_NAME}['ADAPTER'] cannot be imported: {exc}",
                id="wagtail_tenantportal.E002",
            )
        )
    batch = portal_settings.IMPORT_BATCH_SIZE
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        errors.append(
            Error(
                f"{SETTING_NAME}['IMPORT_BATCH_SIZE'] must be a positive integer, not {batch!r}.",
                id="wagtail_tenantportal.E003",
            )
        )
    encodings = portal_settings.IMPORT_ENCODINGS
    if not encodings or isinstance(encodings, str):
        errors.append(
            Error(
                f"{SETTING_NAME}['IMPORT_ENCODINGS'] must be a non-empty list of codec names.",
                id="wagtail_tenantportal.E004",
            )
        )
    else:
        import codecs

        for name in encodings:
            try:
                codecs.lookup(name)
            except (LookupError, TypeError):
                errors.append(
                    Error(
                        f"{SETTING_NAME}['IMPORT_ENCODINGS'] names an unknown codec {name!r}.",
                        id="wagtail_tenantportal.E005",
                    )
                )
    return errors


@register(Tags.templates)
def check_base_template(app_configs=None, **kwargs):
    name = portal_settings.BASE_TEMPLATE
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [
            Error(
                f"{SETTING_NAME}['BASE_TEMPLATE'] = {name!r} does not exist.",
                hint="Point it at the host site's base template (it must define the blocks "
                "'title' and 'content'), or remove it to use the portal's standalone layout.",
                id="wagtail_tenantportal.E010",
            )
        ]
    except Exception as exc:  # a syntax error in the host template is reported, not raised
        return [
            Error(
                f"{SETTING_NAME}['BASE_TEMPLATE'] = {name!r} cannot be loaded: {exc}",
                id="wagtail_tenantportal.E011",
            )
        ]
    return []
