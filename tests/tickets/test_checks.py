"""System checks of the ticket settings."""

import pytest

from wagtail_tenantportal.tickets.checks import check_ticket_settings


def ids(settings, **values):
    settings.WAGTAIL_TENANTPORTAL = values
    return [error.id for error in check_ticket_settings()]


def test_defaults_are_silent(settings):
    assert ids(settings) == []


@pytest.mark.parametrize(
    "values,expected",
    [
        ({"TICKET_MAX_ATTACHMENTS": 0}, "tenantportal_tickets.E001"),
        ({"TICKET_MAX_ATTACHMENTS": True}, "tenantportal_tickets.E001"),
        ({"TICKET_MAX_UPLOAD_MB": "15"}, "tenantportal_tickets.E001"),
        ({"TICKET_MAX_UPLOAD_MB": -1}, "tenantportal_tickets.E001"),
        ({"TICKET_IMAGE_MAX_SIZE": 300, "TICKET_THUMBNAIL_SIZE": 400}, "tenantportal_tickets.E001"),
        ({"TICKET_JPEG_QUALITY": 100}, "tenantportal_tickets.E002"),
        ({"TICKET_HEATING_MONTHS": [10, 13]}, "tenantportal_tickets.E003"),
        ({"TICKET_HEATING_MONTHS": "10,11"}, "tenantportal_tickets.E003"),
    ],
)
def test_wrong_values_are_errors(settings, values, expected):
    assert ids(settings, **values) == [expected]


def test_upload_size_may_be_a_fraction(settings):
    assert ids(settings, TICKET_MAX_UPLOAD_MB=0.5) == []
